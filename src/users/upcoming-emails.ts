/**
 * `UpcomingEmails` (email-lookup.ts) for the local bridge: the emails of keys waiting in the in-process
 * queue whose Genesys user is not known yet, so a user search made for one key also resolves the keys
 * behind it. Measured by bench/budget.ts: a cold burst of 2,000 new users cost ~1,880 searches before,
 * ~40 after.
 */
import type { StateKey, StateStore } from '../store/state-store';
import type { UpcomingEmails } from './email-lookup';

export interface UpcomingEmailsOptions {
  /** Keys the worker will handle soon, next first (MemoryKeyQueue.peekKeys). */
  readonly peekKeys: (limit: number) => readonly StateKey[];
  readonly store: Pick<StateStore, 'get'>;
}

/**
 * An email is offered once per this long: once searched, the Genesys client caches the answer
 * (found: 1 h, not found: 5 min), so offering it again would only take room.
 */
const REMEMBER_MS = 5 * 60_000;

/** How far past `room` to look: the keys right at the front were usually offered by the previous search. */
const LOOK_AHEAD = 4;
const MAX_REMEMBERED = 50_000;

export function createUpcomingEmails(options: UpcomingEmailsOptions): UpcomingEmails {
  const offered = new Map<string, number>();

  return async (room) => {
    if (room <= 0) return [];
    const at = Date.now();
    if (offered.size > MAX_REMEMBERED) {
      for (const [email, when] of offered) if (at - when >= REMEMBER_MS) offered.delete(email);
      if (offered.size > MAX_REMEMBERED) offered.clear();
    }
    // In parallel: each read waits for the store's next fsync, so one at a time would delay the search.
    const records = await Promise.all(options.peekKeys(room * LOOK_AHEAD).map((key) => options.store.get(key)));
    const emails: string[] = [];
    for (const record of records) {
      if (emails.length >= room) break;
      const email = record?.email;
      if (!email || record.genesysUserId) continue;
      const when = offered.get(email);
      if (when !== undefined && at - when < REMEMBER_MS) continue;
      offered.set(email, at);
      emails.push(email);
    }
    return emails;
  };
}
