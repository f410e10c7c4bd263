/**
 * The queue carries keys, not events: the worker always applies the latest desired state of a key,
 * so duplicates and bursts collapse by themselves (level-triggered; see docs/architecture.md).
 * Implementations: `memory.ts` (in-process, local) and `sqs.ts` (AWS).
 */
import type { StateKey } from '../store/state-store';

/** A unit of work: apply a key's desired state, or a source-specific task (e.g. read Teams presence). */
export type QueueMessage =
  | { readonly kind: 'apply'; readonly key: StateKey }
  | { readonly kind: 'task'; readonly system: StateKey['system']; readonly task: string; readonly data: Readonly<Record<string, string>> };

export interface KeyQueue {
  /** Durably enqueues messages; `delayMs` postpones their delivery (capped by the implementation, SQS: 15 min). */
  enqueue(messages: readonly QueueMessage[], delayMs?: number): Promise<void>;
}

/** What the worker says about one message: done, or try again after a delay. */
export type WorkResult = { readonly kind: 'done' } | { readonly kind: 'retry'; readonly afterMs: number };

export type MessageHandler = (message: QueueMessage) => Promise<WorkResult>;

export function applyMessage(key: StateKey): QueueMessage {
  return { kind: 'apply', key };
}
