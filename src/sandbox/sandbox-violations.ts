/**
 * Reasons recorded in `GenesysSandbox.violations`. Each is something the bridge must never do
 * (docs/architecture.md, guarantees): touching a user's primary source or modifying a registered (System)
 * source. The sandbox still answers such requests the way Genesys would, so a test sees both the effect
 * and the record.
 */
export const VIOLATION_REASONS = {
  /** PUT/DELETE of a registered source. */
  modifiedSystemSource: 'modified a System source',
  /** A presence PATCH body with a `primary` key, whatever its value (docs/vendors.md#genesys-presence-patch). */
  primaryInPresencePatch: 'sent primary in a presence PATCH',
  /** PATCH /api/v2/users/{userId}/presences/purecloud. */
  patchedPurecloudPresence: 'patched the PURECLOUD presence',
  /** PUT /api/v2/presence/users/{userId}/primarysource. */
  changedPrimarySource: 'changed a primary source',
  /** PUT /api/v2/users/presences/bulk with `primary` or the PURECLOUD source. */
  primaryInBulkPresence: 'sent primary or PURECLOUD in a bulk presence PUT',
  /** A presence PATCH to a registered source, which "does not support registered presence sources". */
  wroteRegisteredSourcePresence: 'wrote presence to a registered (System) source',
} as const;

export type ViolationReason = (typeof VIOLATION_REASONS)[keyof typeof VIOLATION_REASONS];
