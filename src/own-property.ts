/**
 * Looks a value that came from outside (a vendor's presence value, a header) up in a lookup table
 * without reaching `Object.prototype`: `constructor`, `toString` or `__proto__` must read as unknown,
 * not as a function.
 */
export function ownProperty<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
