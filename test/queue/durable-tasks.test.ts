import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDurableTasks, LEGACY_PENDING_TASKS_DOCUMENT } from '../../src/queue/durable-tasks';
import type { QueueMessage } from '../../src/queue/key-queue';
import { openEmbeddedStore } from '../../src/store/embedded';
import { JOURNAL_FILE_NAME } from '../../src/store/journal';

const task: QueueMessage = { kind: 'task', system: 'teams', task: 'read-presence', data: { userIds: 'a,b' } };
const apply: QueueMessage = { kind: 'apply', key: { system: 'zoom', externalUserId: 'u' } };

describe('durable tasks for the in-process queue', () => {
  it('records a task before queueing it, keeps it across a restart, and forgets it once done', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasks-'));
    const queued: QueueMessage[] = [];
    const first = await openEmbeddedStore(dir);
    const tasks = createDurableTasks({ enqueue: async (m) => void queued.push(...m) }, first);
    await tasks.queue.enqueue([apply, task]);
    expect(queued).toEqual([apply, task]);
    expect(await tasks.pending()).toEqual([task]);

    // A retried task stays pending.
    await tasks.wrap(async () => ({ kind: 'retry', afterMs: 10 }))(task);
    expect(await tasks.pending()).toEqual([task]);
    await first.close();

    // After a restart (crash before the task was done) it is still there.
    const second = await openEmbeddedStore(dir);
    const again = createDurableTasks({ enqueue: async () => undefined }, second);
    expect(await again.pending()).toEqual([task]);
    await again.wrap(async () => ({ kind: 'done' }))(task);
    expect(await again.pending()).toEqual([]);
    await second.close();
  });

  it('does not record apply messages: their desired state is already in the store', async () => {
    const store = await openEmbeddedStore(fs.mkdtempSync(path.join(os.tmpdir(), 'tasks-')));
    const tasks = createDurableTasks({ enqueue: async () => undefined }, store);
    await tasks.queue.enqueue([apply]);
    expect(await tasks.pending()).toEqual([]);
    await store.close();
  });

  it('costs the same per enqueue however many tasks are pending (no growing document rewritten)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasks-'));
    const store = await openEmbeddedStore(dir);
    const tasks = createDurableTasks({ enqueue: async () => undefined }, store);
    const readTask = (i: number): QueueMessage => ({ kind: 'task', system: 'teams', task: 'read-presence', data: { userIds: `user-${i}` } });
    const journalBytes = () => fs.statSync(path.join(dir, JOURNAL_FILE_NAME)).size;

    const growth: number[] = [];
    for (let i = 0; i < 1000; i += 1) {
      const before = journalBytes();
      await tasks.queue.enqueue([readTask(i)]);
      growth.push(journalBytes() - before);
    }
    expect(await tasks.pending()).toHaveLength(1000);
    // Every enqueue, the 1000th too, appends one small entry, not the whole list.
    expect(Math.max(...growth)).toBeLessThan(300);
    await store.close();
  });

  it('carries over tasks an earlier version kept in one document, once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasks-'));
    const store = await openEmbeddedStore(dir);
    await store.putDocument(LEGACY_PENDING_TASKS_DOCUMENT, { legacyid: task });
    const tasks = createDurableTasks({ enqueue: async () => undefined }, store);

    expect(await tasks.pending()).toEqual([task]);
    expect(await tasks.pending()).toEqual([task]);
    expect((await store.getDocument(LEGACY_PENDING_TASKS_DOCUMENT))?.value).toEqual({});
    await tasks.wrap(async () => ({ kind: 'done' }))(task);
    expect(await tasks.pending()).toEqual([]);
    await store.close();
  });
});
