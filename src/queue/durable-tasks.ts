/**
 * Makes source tasks durable for the in-process queue. `apply` messages need nothing: their desired
 * state is already in the store and a restart re-enqueues unfinished keys. A task (e.g. "read these
 * Teams users' presence" after a basic notification) carries work the store does not hold yet, so it is
 * written to a store document before the webhook acknowledges, removed when done, and re-enqueued on
 * start (CONTRACT.md guarantee 6). SQS is durable by itself and does not need this.
 */
import { createHash } from 'node:crypto';
import type { DocumentStore } from '../store/state-store';
import type { KeyQueue, MessageHandler, QueueMessage } from './key-queue';

export const PENDING_TASKS_DOCUMENT = 'local.pending-tasks';

type TaskMessage = Extract<QueueMessage, { kind: 'task' }>;
type PendingTasks = Record<string, TaskMessage>;

function taskId(task: TaskMessage): string {
  return createHash('sha256').update(JSON.stringify([task.system, task.task, task.data])).digest('hex').slice(0, 32);
}

/** Read-modify-write of the pending-task document with optimistic concurrency. */
async function updatePending(documents: DocumentStore, change: (tasks: PendingTasks) => boolean): Promise<void> {
  for (;;) {
    const current = await documents.getDocument<PendingTasks>(PENDING_TASKS_DOCUMENT);
    const tasks = { ...(current?.value ?? {}) };
    if (!change(tasks)) return;
    if (await documents.putDocument(PENDING_TASKS_DOCUMENT, tasks, current?.version)) return;
  }
}

export interface DurableTasks {
  /** The queue to give producers: tasks are recorded before they are queued. */
  readonly queue: KeyQueue;
  /** Wraps the worker's handler: a task is forgotten once handled (not when it asks to retry). */
  wrap(handler: MessageHandler): MessageHandler;
  /** Tasks left by a previous run. */
  pending(): Promise<TaskMessage[]>;
}

export function createDurableTasks(inner: KeyQueue, documents: DocumentStore): DurableTasks {
  return {
    queue: {
      async enqueue(messages, delayMs) {
        const tasks = messages.filter((m): m is TaskMessage => m.kind === 'task');
        if (tasks.length > 0) {
          await updatePending(documents, (pending) => {
            for (const task of tasks) pending[taskId(task)] = task;
            return true;
          });
        }
        await inner.enqueue(messages, delayMs);
      },
    },
    wrap(handler) {
      return async (message) => {
        const result = await handler(message);
        if (message.kind === 'task' && result.kind === 'done') {
          const id = taskId(message);
          await updatePending(documents, (pending) => {
            if (!(id in pending)) return false;
            delete pending[id];
            return true;
          });
        }
        return result;
      };
    },
    async pending() {
      return Object.values((await documents.getDocument<PendingTasks>(PENDING_TASKS_DOCUMENT))?.value ?? {});
    },
  };
}
