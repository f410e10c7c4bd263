/**
 * Email → Genesys user id, batched: lookups arriving within a few milliseconds share one
 * `POST /api/v2/users/search` of up to 50 values, so a backlog of N users costs ~N/50 searches
 * instead of N (the Genesys budget is the bottleneck, docs/architecture.md: the budget holds).
 */
export type FindByEmails = (emails: readonly string[]) => Promise<ReadonlyMap<string, string>>;

/**
 * Emails worth resolving in the spare room of a search: those of keys the worker will handle soon. A
 * worker handles only a few keys at a time, so its own lookups rarely arrive together; without this a
 * cold burst of N users new to the bridge costs about one search per user, with it about N/50.
 * Returns at most `room` emails; a failure only means no extras.
 */
export type UpcomingEmails = (room: number) => Promise<readonly string[]>;

/** Look-ahead for the batching lookup: extras for a search's spare room, added only when a search is made anyway. */
export interface LookAhead {
  readonly upcoming: UpcomingEmails;
  /** True when `email` is answered without a search (cached, or already being searched). */
  readonly isCached: (email: string) => boolean;
}

export interface EmailLookup {
  /** Resolves to the Genesys user id, or undefined when no Genesys user has that email. */
  find(email: string): Promise<string | undefined>;
}

export function createBatchingEmailLookup(findByEmails: FindByEmails, windowMs = 5, maxBatch = 50, lookAhead?: LookAhead): EmailLookup {
  let pending = new Map<string, Array<{ resolve: (id: string | undefined) => void; reject: (e: unknown) => void }>>();
  let timer: NodeJS.Timeout | undefined;

  /** Looks up `chunk`; when that needs a search, upcoming emails fill its spare room (`findByEmails` caches their answers). */
  const search = async (chunk: string[]): Promise<ReadonlyMap<string, string>> => {
    const room = maxBatch - chunk.length;
    if (!lookAhead || room <= 0 || chunk.every((email) => lookAhead.isCached(email))) return findByEmails(chunk);
    const emails = new Set(chunk);
    try {
      for (const email of await lookAhead.upcoming(room)) {
        if (emails.size >= maxBatch) break;
        const key = email.trim().toLowerCase();
        if (key !== '') emails.add(key);
      }
    } catch {
      // Extras are a saving, never a reason to fail the lookups that were asked for.
    }
    return findByEmails([...emails]);
  };

  const flush = (): void => {
    timer = undefined;
    const batch = pending;
    pending = new Map();
    const emails = [...batch.keys()];
    for (let i = 0; i < emails.length; i += maxBatch) {
      const chunk = emails.slice(i, i + maxBatch);
      search(chunk).then(
        (found) => {
          for (const email of chunk) for (const waiter of batch.get(email) ?? []) waiter.resolve(found.get(email));
        },
        (error) => {
          for (const email of chunk) for (const waiter of batch.get(email) ?? []) waiter.reject(error);
        },
      );
    }
  };

  return {
    find(email) {
      const key = email.trim().toLowerCase();
      return new Promise((resolve, reject) => {
        const waiters = pending.get(key) ?? [];
        waiters.push({ resolve, reject });
        pending.set(key, waiters);
        if (pending.size >= maxBatch) {
          if (timer) clearTimeout(timer);
          flush();
        } else if (!timer) {
          timer = setTimeout(flush, windowMs);
        }
      });
    },
  };
}
