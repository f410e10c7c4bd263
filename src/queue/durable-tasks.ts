/**
 * Makes source tasks durable for the in-process queue. `apply` messages need nothing: their desired
 * state is already in the store and a restart re-enqueues unfinished keys. A task (e.g. "read these
 * Teams users' presence" after a basic notification) carries work the store does not hold yet, so it is
 * recorded in the task log before the webhook acknowledges, forgotten when done, and re-enqueued on
 * start ("nothing is lost": docs/architecture.md). SQS is durable by itself and does not need this.
 */
import { createHash } from 'node:crypto';
import type { DocumentStore } from '../store/state-store';
import type { TaskLog } from '../store/task-log';
import type { KeyQueue, MessageHandler, QueueMessage } from './key-queue';

/** Where earlier versions kept the pending tasks, as one document; read once to carry them over. */
export const LEGACY_PENDING_TASKS_DOCUMENT = 'local.pending-tasks';

type TaskMessage = Extract<QueueMessage, { kind: 'task' }>;

function taskId(task: TaskMessage): string {
  return createHash('sha256')
    .update(JSON.stringify([task.system, task.task, task.data]))
    .digest('hex')
    .slice(0, 32);
}

export interface DurableTasks {
  /** The queue to give producers: tasks are recorded before they are queued. */
  readonly queue: KeyQueue;
  /** Wraps the worker's handler: a task is forgotten once handled (not when it asks to retry). */
  wrap(handler: MessageHandler): MessageHandler;
  /** Tasks left by a previous run (including any an earlier version kept in its document). */
  pending(): Promise<TaskMessage[]>;
}

export function createDurableTasks(inner: KeyQueue, log: TaskLog & DocumentStore): DurableTasks {
  return {
    queue: {
      async enqueue(messages, delayMs) {
        const tasks = messages.filter((m): m is TaskMessage => m.kind === 'task');
        if (tasks.length > 0) await log.recordTasks(tasks.map((task) => ({ id: taskId(task), task })));
        await inner.enqueue(messages, delayMs);
      },
    },
    wrap(handler) {
      return async (message) => {
        const result = await handler(message);
        if (message.kind === 'task' && result.kind === 'done') await log.forgetTask(taskId(message));
        return result;
      };
    },
    async pending() {
      await carryOverLegacyTasks(log);
      return (await log.listTasks()).map(({ task }) => task as TaskMessage);
    },
  };
}

/** Moves tasks from the one-document format of earlier versions into the log, then empties the document. */
async function carryOverLegacyTasks(log: TaskLog & DocumentStore): Promise<void> {
  const legacy = await log.getDocument<Record<string, TaskMessage>>(LEGACY_PENDING_TASKS_DOCUMENT);
  const tasks = Object.values(legacy?.value ?? {});
  if (tasks.length === 0) return;
  await log.recordTasks(tasks.map((task) => ({ id: taskId(task), task })));
  await log.putDocument(LEGACY_PENDING_TASKS_DOCUMENT, {}, legacy?.version);
}
