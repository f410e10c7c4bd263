import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDurableTasks } from '../../src/queue/durable-tasks';
import type { QueueMessage } from '../../src/queue/key-queue';
import { openEmbeddedStore } from '../../src/store/embedded';

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
});
