import { MemoryKeyQueue } from '../../src/queue/memory';
import type { QueueMessage, WorkResult } from '../../src/queue/key-queue';

const apply = (id: string): QueueMessage => ({ kind: 'apply', key: { system: 'zoom', externalUserId: id } });

describe('MemoryKeyQueue', () => {
  it('coalesces a key enqueued many times while waiting', async () => {
    const queue = new MemoryKeyQueue({ concurrency: 1 });
    const seen: string[] = [];
    await queue.enqueue([apply('a'), apply('a'), apply('b'), apply('a')]);
    queue.start(async (m) => {
      if (m.kind === 'apply') seen.push(m.key.externalUserId);
      return { kind: 'done' };
    });
    await queue.whenIdle();
    expect(seen).toEqual(['a', 'b']);
  });

  it('runs a key once more when it is enqueued while running', async () => {
    const queue = new MemoryKeyQueue({ concurrency: 2 });
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    queue.start(async () => {
      runs++;
      if (runs === 1) await gate;
      return { kind: 'done' };
    });
    await queue.enqueue([apply('a')]);
    await new Promise((r) => setImmediate(r));
    await queue.enqueue([apply('a')]);
    await queue.enqueue([apply('a')]);
    release();
    await new Promise((r) => setTimeout(r, 20));
    await queue.whenIdle();
    expect(runs).toBe(2);
  });

  it('retries after the delay a handler asks for, and after a thrown error', async () => {
    const errors: unknown[] = [];
    const queue = new MemoryKeyQueue({ retryAfterErrorMs: 5, onError: (e) => errors.push(e) });
    const results: WorkResult[] = [{ kind: 'retry', afterMs: 5 }];
    let calls = 0;
    queue.start(async () => {
      calls++;
      if (calls === 2) throw new Error('flaky');
      return results.shift() ?? { kind: 'done' };
    });
    await queue.enqueue([apply('a')]);
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toBe(3);
    expect(errors).toHaveLength(1);
    await queue.stop();
  });
});
