/**
 * The in-process queue for the local bridge. Keys waiting in the queue are coalesced: a key enqueued
 * again while it still waits is not added twice, so a burst of flaps costs one worker pass.
 * Not durable by itself: on restart the server re-enqueues `store.listUnfinished()`, which is durable.
 */
import { formatKey, parseKey, type StateKey } from '../store/state-store';
import type { KeyQueue, MessageHandler, QueueMessage, WorkResult } from './key-queue';

const APPLY_PREFIX = 'apply:';

function identityOf(message: QueueMessage): string {
  return message.kind === 'apply' ? `${APPLY_PREFIX}${formatKey(message.key)}` : `task:${message.system}:${message.task}:${JSON.stringify(message.data)}`;
}

export interface MemoryQueueOptions {
  /** How many messages are handled at once (the Genesys budget paces the actual requests). */
  readonly concurrency?: number;
  /** Called when a handler throws; the message is retried after `retryAfterErrorMs`. */
  readonly onError?: (error: unknown, message: QueueMessage) => void;
  readonly retryAfterErrorMs?: number;
  /**
   * New `apply` messages wait this long before a worker takes them, so a burst of flaps for one user
   * collapses into one Genesys write of the last state (presence often changes several times within a
   * second, e.g. Busy → InACall). Default 0.
   */
  readonly settleMs?: number;
}

export class MemoryKeyQueue implements KeyQueue {
  private readonly waiting = new Map<string, QueueMessage>();
  private readonly delayed = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<string>();
  /** Messages enqueued again while running: handled once more after the current pass. */
  private readonly rerun = new Map<string, QueueMessage>();
  private handler?: MessageHandler;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;
  private readonly concurrency: number;

  constructor(private readonly options: MemoryQueueOptions = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? 4);
  }

  async enqueue(messages: readonly QueueMessage[], delayMs = 0): Promise<void> {
    for (const message of messages) {
      const id = identityOf(message);
      const settle = message.kind === 'apply' ? (this.options.settleMs ?? 0) : 0;
      this.schedule(id, message, Math.max(delayMs, settle));
    }
  }

  /** Queues now, or after `delayMs`; a message already waiting or delayed is not added again. */
  private schedule(id: string, message: QueueMessage, delayMs: number): void {
    if (delayMs <= 0) {
      this.add(id, message);
      return;
    }
    if (this.delayed.has(id) || this.waiting.has(id)) return;
    const timer = setTimeout(() => {
      this.delayed.delete(id);
      this.add(id, message);
    }, delayMs);
    timer.unref();
    this.delayed.set(id, timer);
  }

  /** Starts handling messages with `handler`. */
  start(handler: MessageHandler): void {
    this.handler = handler;
    this.stopped = false;
    this.pump();
  }

  /** Stops taking new messages and waits for the ones in flight. Delayed ones are dropped (the store keeps them). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    while (this.running.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** Messages waiting, delayed or running. */
  get size(): number {
    return this.waiting.size + this.delayed.size + this.running.size + this.rerun.size;
  }

  /**
   * Up to `limit` keys of `apply` messages not yet taken, next first (waiting, then settling): what
   * the worker will handle soon. For look-ahead work such as resolving their users in one search.
   */
  peekKeys(limit: number): StateKey[] {
    const keys: StateKey[] = [];
    for (const message of this.waiting.values()) {
      if (keys.length >= limit) return keys;
      if (message.kind === 'apply') keys.push(message.key);
    }
    for (const id of this.delayed.keys()) {
      if (keys.length >= limit) return keys;
      if (id.startsWith(APPLY_PREFIX)) keys.push(parseKey(id.slice(APPLY_PREFIX.length)));
    }
    return keys;
  }

  /** Resolves when nothing is waiting or running (delayed messages do not count). */
  whenIdle(): Promise<void> {
    if (this.waiting.size === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private add(id: string, message: QueueMessage): void {
    if (this.running.has(id)) {
      this.rerun.set(id, message);
      return;
    }
    this.waiting.set(id, message);
    this.pump();
  }

  private pump(): void {
    if (!this.handler || this.stopped) return;
    while (this.running.size < this.concurrency && this.waiting.size > 0) {
      const [id, message] = this.waiting.entries().next().value as [string, QueueMessage];
      this.waiting.delete(id);
      this.running.add(id);
      void this.run(id, message);
    }
    if (this.waiting.size === 0 && this.running.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private async run(id: string, message: QueueMessage): Promise<void> {
    let result: WorkResult;
    try {
      result = await this.handler!(message);
    } catch (error) {
      this.options.onError?.(error, message);
      result = { kind: 'retry', afterMs: this.options.retryAfterErrorMs ?? 5000 };
    }
    this.running.delete(id);
    const again = this.rerun.get(id);
    this.rerun.delete(id);
    if (again) this.add(id, again);
    else if (result.kind === 'retry' && !this.stopped) this.schedule(id, message, Math.max(1, result.afterMs));
    this.pump();
  }
}
