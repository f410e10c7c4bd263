/**
 * Email → Genesys user id, batched: lookups arriving within a few milliseconds share one
 * `POST /api/v2/users/search` of up to 50 values, so a backlog of N users costs ~N/50 searches
 * instead of N (the Genesys budget is the bottleneck, CONTRACT.md guarantee 7).
 */
export type FindByEmails = (emails: readonly string[]) => Promise<ReadonlyMap<string, string>>;

export interface EmailLookup {
  /** Resolves to the Genesys user id, or undefined when no Genesys user has that email. */
  find(email: string): Promise<string | undefined>;
}

export function createBatchingEmailLookup(findByEmails: FindByEmails, windowMs = 5, maxBatch = 50): EmailLookup {
  let pending = new Map<string, Array<{ resolve: (id: string | undefined) => void; reject: (e: unknown) => void }>>();
  let timer: NodeJS.Timeout | undefined;

  const flush = (): void => {
    timer = undefined;
    const batch = pending;
    pending = new Map();
    const emails = [...batch.keys()];
    for (let i = 0; i < emails.length; i += maxBatch) {
      const chunk = emails.slice(i, i + maxBatch);
      findByEmails(chunk).then(
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
