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
  readonly now?: () => number;
  /**
   * An email is offered once per this long: once searched, the Genesys client caches the answer
   * (found: 1 h, not found: 5 min), so offering it again would only take room. Default 5 min.
   */
  readonly rememberMs?: number;
}

/** How far past `room` to look: the keys right at the front were usually offered by the previous search. */
const LOOK_AHEAD = 4;
const MAX_REMEMBERED = 50_000;

export function createUpcomingEmails(options: UpcomingEmailsOptions): UpcomingEmails {
  const now = options.now ?? Date.now;
  const rememberMs = options.rememberMs ?? 5 * 60_000;
  const offered = new Map<string, number>();

  return async (room) => {
    if (room <= 0) return [];
    const at = now();
    if (offered.size > MAX_REMEMBERED) {
      for (const [email, when] of offered) if (at - when >= rememberMs) offered.delete(email);
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
      if (when !== undefined && at - when < rememberMs) continue;
      offered.set(email, at);
      emails.push(email);
    }
    return emails;
  };
}
