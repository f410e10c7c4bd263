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

/** The public base URL variable, and the older name still accepted for it. */
export const PUBLIC_URL_VARIABLE = 'BRIDGE_PUBLIC_URL';
export const LEGACY_PUBLIC_URL_VARIABLE = 'TEAMS_NOTIFICATION_URL';

/**
 * Which variable carries the deployment's public base URL (used by every vendor's subscriptions):
 * `BRIDGE_PUBLIC_URL`, else the older `TEAMS_NOTIFICATION_URL`; undefined when neither is set.
 */
export function publicUrlVariable(env: Env): string | undefined {
  if (readText(env, PUBLIC_URL_VARIABLE) !== undefined) return PUBLIC_URL_VARIABLE;
  return readText(env, LEGACY_PUBLIC_URL_VARIABLE) !== undefined ? LEGACY_PUBLIC_URL_VARIABLE : undefined;
}

/** An absolute http(s) URL without trailing slashes, or undefined when unset; anything else is a ConfigError naming the variable. */
export function readUrl(env: Env, name: string): string | undefined {
  const raw = readText(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL such as https://host/path, got "${raw}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`${name} must use http or https, got "${parsed.protocol}"`);
  }
  return raw.replace(/\/+$/, '');
}
