/**
 * Input checks shared by the sandbox routes; failures become Genesys 400 errors.
 */
import type { z } from 'zod';
import { badRequest } from './sandbox-errors';

/** Parses a JSON body with a schema or throws a 400 naming the first problem. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
  throw badRequest(`Invalid request body: ${where}: ${issue?.message ?? 'invalid'}`);
}

/** An integer query parameter within [min, max], or `fallback` when absent. */
export function queryInteger(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badRequest(`Query parameter ${name} must be an integer from ${min} to ${max}; got ${raw}.`);
  }
  return value;
}

/** A boolean query parameter (`true`/`false`, any case), or `fallback` when absent. */
export function queryBoolean(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (/^true$/i.test(raw)) return true;
  if (/^false$/i.test(raw)) return false;
  throw badRequest(`Query parameter ${name} must be true or false; got ${raw}.`);
}

/** Every value of a list query parameter, whether repeated (`id=a&id=b`) or comma-separated (`id=a,b`). */
export function queryList(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
}

/** Does a JSON object carry this key at all (even with `false` or `null`)? */
export function hasKey(body: unknown, key: string): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && Object.prototype.hasOwnProperty.call(body, key);
}

/** Genesys-style paging numbers for `total` items. */
export function pageCountOf(total: number, pageSize: number): number {
  return Math.ceil(total / pageSize);
}
