/**
 * Who `zoom backfill` reads: the given emails, else every Zoom user the bridge knows — users with
 * recorded Zoom state, and USER_MAPPING_FILE rows naming a Zoom user id — de-duplicated by Zoom user.
 */
import type { ZoomBackfillUser } from '../sources/zoom/backfill';
import type { StateStore } from '../store/state-store';
import type { UserMappingOverrides } from '../users/user-mapping-file';

export async function zoomBackfillUsers(
  store: StateStore,
  overrides: UserMappingOverrides,
  emails?: readonly string[],
): Promise<ZoomBackfillUser[]> {
  const known = await store.list({ system: 'zoom' });
  if (emails && emails.length > 0) {
    return emails.map((email) => ({
      email,
      externalUserId: known.find((record) => record.email === email.toLowerCase())?.key.externalUserId ?? '',
    }));
  }
  const users = new Map<string, ZoomBackfillUser>();
  for (const record of known) {
    if (record.email) users.set(record.key.externalUserId, { email: record.email, externalUserId: record.key.externalUserId });
  }
  // Mapping-file rows keep the id's original case, which Zoom's REST API may need; keys dedupe case-insensitively.
  const seen = new Set([...users.keys()].map((id) => id.toLowerCase()));
  for (const key of overrides.byKey.keys()) {
    if (!key.startsWith('zoom:')) continue;
    const id = key.slice('zoom:'.length);
    if (seen.has(id.toLowerCase())) continue;
    seen.add(id.toLowerCase());
    users.set(id, { email: '', externalUserId: id });
  }
  return [...users.values()];
}
