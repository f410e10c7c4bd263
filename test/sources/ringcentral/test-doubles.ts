/** Test doubles: an in-memory DocumentStore and two clocks (auto-advancing, manual). */
import type { DocumentStore } from '../../../src/store/state-store';

export interface MemoryDocuments extends DocumentStore {
  readonly docs: Map<string, { value: unknown; version: number }>;
}

export function createMemoryDocuments(): MemoryDocuments {
  const docs = new Map<string, { value: unknown; version: number }>();
  return {
    docs,
    async getDocument<T>(name: string) {
      const doc = docs.get(name);
      return doc ? { value: structuredClone(doc.value) as T, version: doc.version } : undefined;
    },
    async putDocument<T>(name: string, value: T, expectedVersion?: number) {
      const current = docs.get(name);
      if ((current?.version ?? undefined) !== expectedVersion) return false;
      docs.set(name, { value: structuredClone(value), version: (current?.version ?? 0) + 1 });
      return true;
    },
  };
}

/** A test clock whose sleeps return at once and move time forward. Concurrent sleepers do not add up. */
export function createFakeClock(start = Date.parse('2026-01-05T10:00:00.000Z')) {
  let time = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
    sleep: async (ms: number) => {
      const target = time + ms;
      sleeps.push(ms);
      await Promise.resolve();
      time = Math.max(time, target);
    },
  };
}

/** A clock whose sleeps resolve only when the test advances it past their end. */
export function createManualClock(start = Date.parse('2026-01-05T10:00:00.000Z')) {
  let time = start;
  const waiters: Array<{ at: number; resolve: () => void }> = [];
  return {
    waiters,
    now: () => time,
    sleep: (ms: number) => new Promise<void>((resolve) => waiters.push({ at: time + ms, resolve })),
    advance(ms: number) {
      time += ms;
      for (const waiter of waiters.filter((w) => w.at <= time)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
  };
}

/** Waits (real time, briefly) until `condition` holds. */
export async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
