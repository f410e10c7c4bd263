/**
 * Typed readers of environment values, shared by config.ts and the per-system settings parsers. Pure
 * functions of an `Env` object (only config.ts passes `process.env`); errors name the variable.
 */
import { ConfigError } from './errors';

export type Env = Readonly<Record<string, string | undefined>>;

/** The trimmed value, or undefined when unset or blank. */
export function readText(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** Comma-separated values (secrets allow rotation: any listed value is accepted). */
export function readList(env: Env, name: string): string[] {
  return (readText(env, name) ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/** A whole number within [min, max], or `fallback` when unset. */
export function readInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = readText(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}
