/**
 * Who `zoom backfill` reads: the given emails, else every Zoom user the bridge knows — users with
 * recorded Zoom state, and USER_MAPPING_FILE rows naming a Zoom user id — de-duplicated by Zoom user.
 *
 * Ids are compared exactly: Zoom user ids are case-sensitive (docs/zoom.md). When several records carry
 * one email (a record an older version stored under a lower-cased id, or a user Zoom re-created with a new
 * id), the newest record names the key webhooks use now; the others are left alone.
 */
import type { ZoomBackfillUser } from './backfill';
import { isNewer, type StateStore, type UserStateRecord } from '../../store/state-store';
import type { UserMappingOverrides } from '../../users/user-mapping-file';

/** The most recent Zoom record for each (lower-cased) email. */
function newestByEmail(records: readonly UserStateRecord[]): Map<string, UserStateRecord> {
  const newest = new Map<string, UserStateRecord>();
  for (const record of records) {
    if (!record.email) continue;
    const seen = newest.get(record.email);
    if (!seen || isNewer(record.desired, seen.desired)) newest.set(record.email, record);
  }
  return newest;
}

export async function zoomBackfillUsers(store: StateStore, overrides: UserMappingOverrides, emails?: readonly string[]): Promise<ZoomBackfillUser[]> {
  const known = newestByEmail(await store.list({ system: 'zoom' }));
  if (emails && emails.length > 0) {
    return emails.map((email) => ({
      email,
      externalUserId: known.get(email.trim().toLowerCase())?.key.externalUserId ?? '',
    }));
  }
  const users = new Map<string, ZoomBackfillUser>();
  for (const [email, record] of known) {
    users.set(record.key.externalUserId, { email, externalUserId: record.key.externalUserId });
  }
  for (const key of overrides.byKey.keys()) {
    if (!key.startsWith('zoom:')) continue;
    const id = key.slice('zoom:'.length);
    if (!users.has(id)) users.set(id, { email: '', externalUserId: id });
  }
  return [...users.values()];
}
