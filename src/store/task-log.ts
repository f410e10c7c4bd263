/**
 * Durable follow-up tasks of the in-process queue (local only; SQS is durable by itself). Each task is
 * one journal entry when recorded and one when done, so recording costs the same however many tasks
 * are pending: a growing list rewritten on every enqueue was quadratic while, say, Graph failed and
 * tasks piled up.
 */
export interface TaskLog {
  /** Records tasks (by id; recording an id again replaces it) and resolves once they are durable. */
  recordTasks(tasks: ReadonlyArray<{ readonly id: string; readonly task: unknown }>): Promise<void>;
  /** Forgets a done task; a no-op for an unknown id. */
  forgetTask(id: string): Promise<void>;
  /** Every recorded task not yet forgotten, in recording order. */
  listTasks(): Promise<Array<{ readonly id: string; readonly task: unknown }>>;
}
