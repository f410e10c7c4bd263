/**
 * The Genesys request budget shared by every worker Lambda through the state table (docs/architecture.md:
 * the budget holds: never more than GENESYS_REQUESTS_PER_MINUTE requests in any minute, across workers).
 *
 * One item, `BUDGET#genesys`, holds `nextSlotAt`: the earliest epoch ms the next request may be sent.
 * Reserving a slot is a compare-and-set: slot = max(nextSlotAt, now); write nextSlotAt = slot + interval
 * on condition that nextSlotAt is still the value read. Every slot ever handed out is therefore at
 * least one interval after the previous one, whatever the number of processes, and with
 * interval > 60 000 / N no 60-second window (open or closed) can hold more than N slots.
 * A `Retry-After` only ever raises nextSlotAt, which keeps that spacing.
 */
import { ConditionalCheckFailedException, GetItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StoreError, describeError } from '../errors';
import type { RequestBudget } from '../genesys/request-budget';

export interface DynamoDbRequestBudgetOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** GENESYS_REQUESTS_PER_MINUTE: the total across every process sharing the table. */
  readonly requestsPerMinute: number;
  /** Clock (epoch ms); injected by tests. */
  readonly now?: () => number;
}

/** Compare-and-set attempts on the budget item before a reservation gives up. */
const MAX_ATTEMPTS = 50;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Milliseconds between two slots for `requestsPerMinute`. One more than 60 000 / N rounded down, so
 * that N intervals are strictly longer than a minute: even a window closed at both ends holds ≤ N slots.
 */
export function slotIntervalMs(requestsPerMinute: number): number {
  if (!Number.isInteger(requestsPerMinute) || requestsPerMinute <= 0) {
    throw new StoreError(`requestsPerMinute must be a positive integer (got ${String(requestsPerMinute)})`);
  }
  return Math.floor(60_000 / requestsPerMinute) + 1;
}

/** A RequestBudget shared through DynamoDB by concurrent workers. */
export class DynamoDbRequestBudget implements RequestBudget {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly key: Record<string, AttributeValue>;
  private readonly intervalMs: number;
  private readonly now: () => number;
  /** The last nextSlotAt this process saw; lets a reservation cost one round trip when uncontended. */
  private known: number | undefined;
  /**
   * Reservations from this process run one at a time: they would only contend with each other for
   * the same item, and a queue is cheaper than conditional-write retries.
   */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: DynamoDbRequestBudgetOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.key = { pk: { S: 'BUDGET#genesys' } };
    this.intervalMs = slotIntervalMs(options.requestsPerMinute);
    this.now = options.now ?? Date.now;
  }

  reserve(): Promise<number> {
    const reserved = this.queue.then(() => this.reserveNow());
    // Keep the queue going even when one reservation fails.
    this.queue = reserved.catch(() => undefined);
    return reserved;
  }

  /** Raises nextSlotAt to `epochMs` unless it is already later; never lowers it. */
  async holdUntil(epochMs: number): Promise<void> {
    if (!Number.isFinite(epochMs)) throw new StoreError(`holdUntil: not a time: ${String(epochMs)}`);
    const at = Math.ceil(epochMs);
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key,
          UpdateExpression: 'SET #next = :at',
          ConditionExpression: 'attribute_not_exists(#next) OR #next < :at',
          ExpressionAttributeNames: { '#next': 'nextSlotAt' },
          ExpressionAttributeValues: { ':at': { N: String(at) } },
        }),
      );
      this.known = at;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return; // Already held at least that long.
      throw this.storeError('holdUntil', error);
    }
  }

  private async reserveNow(): Promise<number> {
    let seen = this.known ?? (await this.read());
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const slot = Math.max(seen ?? 0, Math.ceil(this.now()));
      const next = slot + this.intervalMs;
      try {
        await this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: this.key,
            UpdateExpression: 'SET #next = :next',
            ConditionExpression: seen === undefined ? 'attribute_not_exists(#next)' : '#next = :seen',
            ExpressionAttributeNames: { '#next': 'nextSlotAt' },
            ExpressionAttributeValues: {
              ':next': { N: String(next) },
              ...(seen === undefined ? {} : { ':seen': { N: String(seen) } }),
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        this.known = next;
        return slot;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw this.storeError('reserve', error);
        // Another process moved nextSlotAt. DynamoDB returns the current item with the failure;
        // servers that do not (dynalite) cost one more read.
        const item = (error as ConditionalCheckFailedException).Item;
        seen = item !== undefined ? parseNext(item) : await this.read();
        this.known = seen;
        if (attempt > 1) {
          // Contended more than once: spread the retries so the processes stop colliding.
          await sleep(Math.floor(Math.random() * Math.min(50, 2 ** attempt)));
        }
      }
    }
    throw new StoreError(`reserve: gave up after ${MAX_ATTEMPTS} conflicting attempts on the request budget in table ${this.tableName}`);
  }

  private async read(): Promise<number | undefined> {
    try {
      const output = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: this.key, ConsistentRead: true }));
      return output.Item === undefined ? undefined : parseNext(output.Item);
    } catch (error) {
      throw this.storeError('reserve', error);
    }
  }

  private storeError(what: string, error: unknown): StoreError {
    return new StoreError(`DynamoDB ${what} on the request budget (table ${this.tableName}) failed: ${describeError(error)}`, {
      cause: error,
    });
  }
}

function parseNext(item: Record<string, AttributeValue>): number | undefined {
  const text = item.nextSlotAt?.N;
  return text === undefined ? undefined : Number(text);
}

function isConditionalCheckFailed(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ConditionalCheckFailedException')
  );
}
