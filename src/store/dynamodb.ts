/**
 * The AWS StateStore: one DynamoDB table shared by the webhook, worker and maintainer Lambdas.
 *
 * Single-table design, hash key `pk` only:
 * - `USER#{system}#{externalUserId}`: a user record. `desiredOrder`/`desiredTiebreak` (and
 *   `desiredSequence`, only when the desired state has a sequence) are top-level copies of the
 *   desired version so one conditional write enforces "latest state wins" with no read first.
 * - `DOC#{name}`: a versioned JSON document (`body`, numeric `version`).
 * - `BUDGET#{name}`: the shared Genesys request budget, see `dynamodb-budget.ts`.
 * - `HEALTH#probe`: written by `checkWritable` (`GET /healthz`), expiring by TTL.
 *
 * Unfinished records (pending, or parked) carry the sparse GSI keys `unfinishedPk`/`unfinishedAt`,
 * present only while unfinished, so `listUnfinished` queries a small index instead of scanning users.
 * `unfinishedPk` is one of 16 shards (`UNFINISHED#0`…`UNFINISHED#15`, by a hash of the key): one constant
 * partition value would put every write of a 2,000-user burst on one index partition, which takes about
 * 1,000 writes per second (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html),
 * and a throttled index write throttles the table write with it
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.ThroughputConsiderations.html).
 * `unfinishedAt` is when the maintainer should next look at the key: its due time, pushed later while a
 * queue message for it is known to be alive (`markQueued`).
 * `applyingBy`/`applyingUntil` hold a worker's claim on a user record (`claimApply`).
 */
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
  type AttributeValue,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type TimeToLiveSpecification,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { StoreError, describeError } from '../errors';
import { isSystemName, type SystemName } from '../systems';
import {
  formatKey,
  type AppliedState,
  type DesiredState,
  type DesiredVersion,
  type RecordOutcome,
  type StateKey,
  type StateStore,
  type StatusUpdate,
  type UserStateRecord,
} from './state-store';
import { assertLease, assertVersion, decideDesired, dueAt, sortRecords, type RecordFilter } from './user-record';

/** Name of the sparse GSI holding pending and parked records. */
export const UNFINISHED_INDEX_NAME = 'unfinished';
/** Shards of the unfinished index: `UNFINISHED#0` … `UNFINISHED#15`. */
export const UNFINISHED_SHARDS = 16;
/**
 * The single partition value records written before sharding carry. Still queried, so those records
 * stay listed until their next write moves them into a shard; no migration is needed.
 */
export const LEGACY_UNFINISHED_PARTITION = 'UNFINISHED';
/** The table's TTL attribute (epoch seconds). */
export const TTL_ATTRIBUTE = 'expiresAt';

const USER_PREFIX = 'USER#';
const DOC_PREFIX = 'DOC#';
/** The item `checkWritable` puts (expiring by TTL). */
const HEALTH_KEY = 'HEALTH#probe';

/** The table as CloudFormation (serverless.yml `resources`) and CreateTable both spell it. */
export interface TableDefinition extends CreateTableCommandInput {
  readonly TimeToLiveSpecification: TimeToLiveSpecification;
}

/**
 * The table definition. serverless.yml mirrors it as an `AWS::DynamoDB::Table` resource (the property
 * names are the same); `createTableIfMissing` uses it for tests and local setups.
 */
export function tableDefinition(tableName: string): TableDefinition {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'unfinishedPk', AttributeType: 'S' },
      { AttributeName: 'unfinishedAt', AttributeType: 'N' },
    ],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: UNFINISHED_INDEX_NAME,
        KeySchema: [
          { AttributeName: 'unfinishedPk', KeyType: 'HASH' },
          { AttributeName: 'unfinishedAt', KeyType: 'RANGE' },
        ],
        // The key is all listUnfinished needs.
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['system', 'externalUserId'] },
      },
    ],
    TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
  };
}

/**
 * Creates the table (and enables TTL) unless it exists, then waits until it and its index are ACTIVE.
 * Resolves true when it created the table. Local DynamoDB stand-ins without UpdateTimeToLive are tolerated.
 */
export async function createTableIfMissing(client: DynamoDBClient, tableName: string): Promise<boolean> {
  const { TimeToLiveSpecification: ttl, ...create } = tableDefinition(tableName);
  let created = false;
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (errorName(error) !== 'ResourceNotFoundException') throw storeError(`DescribeTable ${tableName}`, error);
    try {
      await client.send(new CreateTableCommand(create));
      created = true;
    } catch (createError) {
      // Someone else created it meanwhile: fine, wait for it like for ours.
      if (errorName(createError) !== 'ResourceInUseException') throw storeError(`CreateTable ${tableName}`, createError);
    }
  }
  await waitUntilActive(client, tableName);
  await enableTimeToLive(client, tableName, ttl);
  return created;
}

async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + 5 * 60_000;
  for (let delayMs = 25; ; delayMs = Math.min(delayMs * 2, 2000)) {
    let table;
    try {
      table = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') throw storeError(`DescribeTable ${tableName}`, error);
    }
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) throw new StoreError(`the DynamoDB table ${tableName} did not become ACTIVE within 5 minutes`);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

async function enableTimeToLive(client: DynamoDBClient, tableName: string, ttl: TimeToLiveSpecification): Promise<void> {
  try {
    const { TimeToLiveDescription: current } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    if (current?.TimeToLiveStatus === 'ENABLED' || current?.TimeToLiveStatus === 'ENABLING') return;
    await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: ttl }));
  } catch (error) {
    // dynalite and other stand-ins lack UpdateTimeToLive. Expiry never depends on TTL deletion anyway
    // (DynamoDB deletes expired items only eventually), so the store checks `expiresAt` itself.
    if (errorName(error) === 'UnknownOperationException') return;
    throw storeError(`UpdateTimeToLive ${tableName}`, error);
  }
}

export interface DynamoDbStateStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Clock for `updatedAt`; injected by tests. */
  readonly now?: () => Date;
}

/** Collects `#name` and `:value` placeholders, so every attribute name is safe from reserved words. */
class Expression {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, AttributeValue> = {};

  name(attribute: string): string {
    this.names[`#${attribute}`] = attribute;
    return `#${attribute}`;
  }

  value(label: string, value: AttributeValue): string {
    this.values[`:${label}`] = value;
    return `:${label}`;
  }

  /** The placeholder maps for a command, leaving out empty ones (DynamoDB refuses them). */
  params(): { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, AttributeValue> } {
    return {
      ...(Object.keys(this.names).length > 0 ? { ExpressionAttributeNames: this.names } : {}),
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

/** Builds `SET a = :a, … REMOVE b, …` from what was collected. */
function updateExpression(set: string[], remove: string[]): string {
  return [set.length > 0 ? `SET ${set.join(', ')}` : '', remove.length > 0 ? `REMOVE ${remove.join(', ')}` : ''].filter((part) => part !== '').join(' ');
}

/** The DynamoDB StateStore. The client belongs to the caller, who reuses it across invocations. */
export class DynamoDbStateStore implements StateStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly now: () => Date;

  constructor(options: DynamoDbStateStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * One conditional UpdateItem: written only when the incoming version is newer, so concurrent
   * webhooks need no lock and no read first. A refusal is told apart (stale vs duplicate) from the
   * item DynamoDB returns with the failure, or a consistent read where the server does not return it.
   */
  async recordDesired(key: StateKey, desired: DesiredState, email?: string): Promise<RecordOutcome> {
    assertVersion(desired, `recordDesired ${formatKey(key)}`);
    const e = new Expression();
    const order = e.name('desiredOrder');
    const tiebreak = e.name('desiredTiebreak');
    const sequence = e.name('desiredSequence');
    const o = e.value('order', { N: String(desired.order) });
    const t = e.value('tiebreak', { N: String(desired.tiebreak) });
    const remove = [e.name('detail'), e.name('retryAt')];
    const set = [
      `${e.name('system')} = ${e.value('system', { S: key.system })}`,
      `${e.name('externalUserId')} = ${e.value('externalUserId', { S: key.externalUserId })}`,
      `${e.name('desired')} = ${e.value('desired', { M: marshallMap(desired) })}`,
      `${order} = ${o}`,
      `${tiebreak} = ${t}`,
      `${e.name('status')} = ${e.value('status', { S: 'pending' })}`,
      `${e.name('updatedAt')} = ${e.value('updatedAt', { S: this.stamp() })}`,
      ...this.unfinishedSet(e, key, 0),
    ];
    set.push(...emailSet(e, email));
    // The same rule as isNewer (state-store.ts): by sequence when both sides have one (DynamoDB
    // compares strings by UTF-8 bytes, like compareSequences), otherwise by (order, tiebreak). Records
    // written before sequences existed lack the attribute and fall back.
    const byOrder = `(${order} < ${o} OR (${order} = ${o} AND ${tiebreak} < ${t}))`;
    let condition: string;
    if (desired.sequence !== undefined) {
      const q = e.value('sequence', { S: desired.sequence });
      set.push(`${sequence} = ${q}`);
      condition =
        `attribute_not_exists(${e.name('pk')}) OR (attribute_exists(${sequence}) AND ${sequence} < ${q}) OR ` +
        `(attribute_not_exists(${sequence}) AND ${byOrder})`;
    } else {
      remove.push(sequence);
      condition = `attribute_not_exists(${e.name('pk')}) OR ${byOrder}`;
    }
    const update = updateExpression(set, remove);

    const result = await this.conditional(`recordDesired ${formatKey(key)}`, () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: userKey(key),
          UpdateExpression: update,
          ConditionExpression: condition,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ...e.params(),
        }),
      ),
    );
    if (result.ok) return 'recorded';
    const stored = result.item ?? (await this.getItem(userKey(key), `recordDesired ${formatKey(key)}`));
    const version = stored === undefined ? undefined : storedVersion(stored);
    if (version === undefined) {
      // Only an item we did not write can lack a version; refusing is safer than overwriting it.
      throw new StoreError(`recordDesired ${formatKey(key)}: the stored item has no desired version`);
    }
    return decideDesired(version, desired);
  }

  async get(key: StateKey): Promise<UserStateRecord | undefined> {
    const item = await this.getItem(userKey(key), `get ${formatKey(key)}`);
    return item === undefined ? undefined : toRecord(item);
  }

  /**
   * Two steps, each atomic: mark applied if the version is still current; otherwise store only the
   * applied state (a newer desired state is waiting, so the record stays pending).
   */
  async markApplied(key: StateKey, applied: AppliedState, forVersion: DesiredVersion, email?: string): Promise<void> {
    assertVersion(forVersion, `markApplied ${formatKey(key)}`);
    const what = `markApplied ${formatKey(key)}`;
    const e = new Expression();
    const appliedSet = [
      `${e.name('applied')} = ${e.value('applied', { M: marshallMap(applied) })}`,
      `${e.name('genesysUserId')} = ${e.value('genesysUserId', { S: applied.genesysUserId })}`,
      `${e.name('updatedAt')} = ${e.value('updatedAt', { S: this.stamp() })}`,
      ...emailSet(e, email),
    ];
    const current = await this.conditional(what, () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: userKey(key),
          UpdateExpression: updateExpression(
            [...appliedSet, `${e.name('status')} = ${e.value('status', { S: 'applied' })}`],
            [e.name('detail'), e.name('retryAt'), e.name('unfinishedPk'), e.name('unfinishedAt')],
          ),
          ConditionExpression: this.versionCondition(e, forVersion),
          ...e.params(),
        }),
      ),
    );
    if (current.ok) return;

    const f = new Expression();
    const moved = await this.conditional(what, () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: userKey(key),
          UpdateExpression: updateExpression(
            [
              `${f.name('applied')} = ${f.value('applied', { M: marshallMap(applied) })}`,
              `${f.name('genesysUserId')} = ${f.value('genesysUserId', { S: applied.genesysUserId })}`,
              `${f.name('updatedAt')} = ${f.value('updatedAt', { S: this.stamp() })}`,
              ...emailSet(f, email),
            ],
            [],
          ),
          ConditionExpression: `attribute_exists(${f.name('pk')})`,
          ...f.params(),
        }),
      ),
    );
    if (!moved.ok) {
      throw new StoreError(`${what}: there is no record for ${formatKey(key)}; record a desired state first`);
    }
  }

  async markStatus(key: StateKey, update: StatusUpdate, forVersion: DesiredVersion): Promise<void> {
    assertVersion(forVersion, `markStatus ${formatKey(key)}`);
    const e = new Expression();
    const set = [`${e.name('status')} = ${e.value('status', { S: update.status })}`, `${e.name('updatedAt')} = ${e.value('updatedAt', { S: this.stamp() })}`];
    const remove: string[] = [];
    setOrRemove(e, set, remove, 'detail', update.detail);
    setOrRemove(e, set, remove, 'retryAt', update.retryAt);
    set.push(...emailSet(e, update.email));
    if (update.forgetGenesysUser) {
      remove.push(e.name('genesysUserId'));
    } else if (update.genesysUserId !== undefined) {
      set.push(`${e.name('genesysUserId')} = ${e.value('genesysUserId', { S: update.genesysUserId })}`);
    }
    const due = dueAt(update.status, update.retryAt);
    if (due === undefined) remove.push(e.name('unfinishedPk'), e.name('unfinishedAt'));
    else set.push(...this.unfinishedSet(e, key, due));
    // A refused condition means a newer desired state arrived: this outcome no longer matters.
    await this.conditional(`markStatus ${formatKey(key)}`, () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: userKey(key),
          UpdateExpression: updateExpression(set, remove),
          ConditionExpression: this.versionCondition(e, forVersion),
          ...e.params(),
        }),
      ),
    );
  }

  /**
   * Queries every shard of the sparse index (and the legacy single partition); GSI reads are eventually
   * consistent, which restarts and the maintainer tolerate.
   */
  async listUnfinished(now: Date): Promise<StateKey[]> {
    const partitions = [...Array.from({ length: UNFINISHED_SHARDS }, (_, shard) => `UNFINISHED#${shard}`), LEGACY_UNFINISHED_PARTITION];
    const pages = await Promise.all(
      partitions.map((partition) => {
        const e = new Expression();
        return this.paginate('listUnfinished', (start) =>
          this.client.send(
            new QueryCommand({
              TableName: this.tableName,
              IndexName: UNFINISHED_INDEX_NAME,
              KeyConditionExpression: `${e.name('unfinishedPk')} = ${e.value('partition', { S: partition })} AND ${e.name('unfinishedAt')} <= ${e.value('now', { N: String(now.getTime()) })}`,
              ExclusiveStartKey: start,
              ...e.params(),
            }),
          ),
        );
      }),
    );
    return sortRecords(pages.flat().map((item) => ({ key: toKey(unmarshall(item)) }))).map((entry) => entry.key);
  }

  /**
   * Pushes the index sort key (`unfinishedAt`) to `untilMs`, only while the record is unfinished and only
   * later, never earlier; moves a legacy record into its shard on the way.
   */
  async markQueued(key: StateKey, untilMs: number): Promise<void> {
    const e = new Expression();
    const at = e.name('unfinishedAt');
    const until = e.value('until', { N: String(Math.ceil(untilMs)) });
    await this.conditional(`markQueued ${formatKey(key)}`, () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: userKey(key),
          UpdateExpression: `SET ${e.name('unfinishedPk')} = ${e.value('shard', { S: unfinishedShard(key) })}, ${at} = ${until}`,
          ConditionExpression: `attribute_exists(${e.name('unfinishedPk')}) AND ${at} < ${until}`,
          ...e.params(),
        }),
      ),
    );
  }

  /**
   * One conditional UpdateItem: sets the claim only when the record exists and holds no unexpired claim
   * of another worker. The lease is checked here, not left to anyone's cleanup, so a worker that died
   * holding a claim blocks the key only until its lease ends.
   */
  async claimApply(key: StateKey, claimant: string, leaseMs: number): Promise<boolean> {
    assertLease(leaseMs);
    const nowMs = this.now().getTime();
    const e = new Expression();
    const by = e.name('applyingBy');
    const until = e.name('applyingUntil');
    const me = e.value('claimant', { S: claimant });
    const result = await this.conditional(`claimApply ${formatKey(key)}`, () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: userKey(key),
          UpdateExpression: `SET ${by} = ${me}, ${until} = ${e.value('until', { N: String(nowMs + Math.ceil(leaseMs)) })}`,
          ConditionExpression:
            `attribute_exists(${e.name('pk')}) AND ` +
            `(attribute_not_exists(${until}) OR ${until} <= ${e.value('now', { N: String(nowMs) })} OR ${by} = ${me})`,
          ...e.params(),
        }),
      ),
    );
    return result.ok;
  }

  async releaseApply(key: StateKey, claimant: string): Promise<void> {
    const e = new Expression();
    // Refused when the claim is no longer ours (our lease ran out and another worker took it): fine.
    await this.conditional(`releaseApply ${formatKey(key)}`, () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: userKey(key),
          UpdateExpression: `REMOVE ${e.name('applyingBy')}, ${e.name('applyingUntil')}`,
          ConditionExpression: `${e.name('applyingBy')} = ${e.value('claimant', { S: claimant })}`,
          ...e.params(),
        }),
      ),
    );
  }

  /** A consistent scan of user records: for the CLI, not for hot paths. */
  async list(filter?: RecordFilter): Promise<UserStateRecord[]> {
    const e = new Expression();
    const conditions = [`begins_with(${e.name('pk')}, ${e.value('prefix', { S: USER_PREFIX })})`];
    if (filter?.system !== undefined) conditions.push(`${e.name('system')} = ${e.value('system', { S: filter.system })}`);
    if (filter?.status !== undefined) conditions.push(`${e.name('status')} = ${e.value('status', { S: filter.status })}`);
    if (filter?.email !== undefined) {
      conditions.push(`${e.name('emailLower')} = ${e.value('emailLower', { S: filter.email.toLowerCase() })}`);
    }
    const items = await this.paginate('list', (start) =>
      this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: conditions.join(' AND '),
          ConsistentRead: true,
          ExclusiveStartKey: start,
          ...e.params(),
        }),
      ),
    );
    return sortRecords(items.map(toRecord));
  }

  /**
   * One small unconditional put of a fixed health item (expiring by TTL): proves the table takes writes
   * with this function's credentials, at the cost of one write unit per probe.
   */
  async checkWritable(): Promise<void> {
    const nowSeconds = Math.floor(this.now().getTime() / 1000);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: { S: HEALTH_KEY }, [TTL_ATTRIBUTE]: { N: String(nowSeconds + 3600) } },
        }),
      );
    } catch (error) {
      throw new StoreError(`the DynamoDB table ${this.tableName} does not take writes: ${String(error)}`, { cause: error });
    }
  }

  async getDocument<T>(name: string): Promise<{ value: T; version: number } | undefined> {
    const item = await this.getItem({ pk: { S: DOC_PREFIX + name } }, `getDocument ${name}`);
    if (item === undefined) return undefined;
    const body = item.body?.S;
    return {
      value: (body === undefined ? undefined : JSON.parse(body)) as T,
      version: Number(item.version?.N),
    };
  }

  /** The value is stored as JSON text: documents are opaque to queries, and JSON keeps any shape. */
  async putDocument<T>(name: string, value: T, expectedVersion?: number): Promise<boolean> {
    const e = new Expression();
    const body = JSON.stringify(value) as string | undefined;
    const condition =
      expectedVersion === undefined ? `attribute_not_exists(${e.name('pk')})` : `${e.name('version')} = ${e.value('expected', { N: String(expectedVersion) })}`;
    const result = await this.conditional(`putDocument ${name}`, () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: { S: DOC_PREFIX + name },
            version: { N: String((expectedVersion ?? 0) + 1) },
            updatedAt: { S: this.stamp() },
            ...(body === undefined ? {} : { body: { S: body } }),
          },
          ConditionExpression: condition,
          ...e.params(),
        }),
      ),
    );
    return result.ok;
  }

  /** Nothing to release: the client belongs to the composition root. */
  async close(): Promise<void> {}

  /** The stored desired version is exactly `version`: order, tiebreak and sequence (or no sequence on both). */
  private versionCondition(e: Expression, version: DesiredVersion): string {
    const sequence = e.name('desiredSequence');
    return (
      `${e.name('desiredOrder')} = ${e.value('forOrder', { N: String(version.order) })} AND ` +
      `${e.name('desiredTiebreak')} = ${e.value('forTiebreak', { N: String(version.tiebreak) })} AND ` +
      (version.sequence !== undefined ? `${sequence} = ${e.value('forSequence', { S: version.sequence })}` : `attribute_not_exists(${sequence})`)
    );
  }

  private unfinishedSet(e: Expression, key: StateKey, due: number): string[] {
    return [
      `${e.name('unfinishedPk')} = ${e.value('unfinishedPk', { S: unfinishedShard(key) })}`,
      `${e.name('unfinishedAt')} = ${e.value('unfinishedAt', { N: String(due) })}`,
    ];
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  private async getItem(key: Record<string, AttributeValue>, what: string): Promise<Record<string, AttributeValue> | undefined> {
    try {
      const output = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      return output.Item;
    } catch (error) {
      throw storeError(`${what} (table ${this.tableName})`, error);
    }
  }

  /** Runs a conditional write; a refused condition is an answer, anything else a StoreError. */
  private async conditional(what: string, send: () => Promise<unknown>): Promise<{ ok: true } | { ok: false; item?: Record<string, AttributeValue> }> {
    try {
      await send();
      return { ok: true };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || errorName(error) === 'ConditionalCheckFailedException') {
        return { ok: false, item: (error as ConditionalCheckFailedException).Item };
      }
      throw storeError(`${what} (table ${this.tableName})`, error);
    }
  }

  private async paginate(
    what: string,
    page: (start: Record<string, AttributeValue> | undefined) => Promise<{
      Items?: Record<string, AttributeValue>[];
      LastEvaluatedKey?: Record<string, AttributeValue>;
    }>,
  ): Promise<Record<string, AttributeValue>[]> {
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    try {
      do {
        const output = await page(start);
        items.push(...(output.Items ?? []));
        start = output.LastEvaluatedKey;
      } while (start !== undefined);
    } catch (error) {
      throw storeError(`${what} (table ${this.tableName})`, error);
    }
    return items;
  }
}

/** The index shard of a key: FNV-1a (32 bit) of `system:externalUserId`, modulo the shard count. */
export function unfinishedShard(key: StateKey): string {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(formatKey(key), 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `UNFINISHED#${hash % UNFINISHED_SHARDS}`;
}

function userKey(key: StateKey): Record<string, AttributeValue> {
  // The system name never contains '#', so the prefix cannot be confused whatever the user id holds.
  return { pk: { S: `${USER_PREFIX}${key.system}#${key.externalUserId}` } };
}

function marshallMap(value: object): Record<string, AttributeValue> {
  return marshall(value as Record<string, unknown>, { removeUndefinedValues: true, convertEmptyValues: false });
}

/** SET clauses remembering an email (and its lower-case form, which `list` filters on), or none. */
function emailSet(e: Expression, email: string | undefined): string[] {
  if (email === undefined) return [];
  return [`${e.name('email')} = ${e.value('email', { S: email })}`, `${e.name('emailLower')} = ${e.value('emailLower', { S: email.toLowerCase() })}`];
}

function setOrRemove(e: Expression, set: string[], remove: string[], attribute: string, value: string | undefined): void {
  if (value === undefined) remove.push(e.name(attribute));
  else set.push(`${e.name(attribute)} = ${e.value(attribute, { S: value })}`);
}

function storedVersion(item: Record<string, AttributeValue>): DesiredVersion | undefined {
  const order = item.desiredOrder?.N;
  const tiebreak = item.desiredTiebreak?.N;
  if (order === undefined || tiebreak === undefined) return undefined;
  const sequence = item.desiredSequence?.S;
  return { order: Number(order), tiebreak: Number(tiebreak), ...(sequence !== undefined ? { sequence } : {}) };
}

function toKey(item: Record<string, unknown>): StateKey {
  const system = String(item.system);
  if (!isSystemName(system)) throw new StoreError(`a stored record has an unknown system "${system}"`);
  return { system: system as SystemName, externalUserId: String(item.externalUserId) };
}

/** Rebuilds a record from its item, leaving out absent optional fields like the embedded store does. */
function toRecord(item: Record<string, AttributeValue>): UserStateRecord {
  const raw = unmarshall(item) as Record<string, unknown>;
  const record: Record<string, unknown> = {
    key: toKey(raw),
    email: raw.email,
    genesysUserId: raw.genesysUserId,
    desired: raw.desired,
    applied: raw.applied,
    status: raw.status,
    detail: raw.detail,
    retryAt: raw.retryAt,
    updatedAt: raw.updatedAt,
  };
  for (const name of Object.keys(record)) {
    if (record[name] === undefined) delete record[name];
  }
  return record as unknown as UserStateRecord;
}

function errorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

function storeError(what: string, error: unknown): StoreError {
  return new StoreError(`DynamoDB ${what} failed: ${describeError(error)}`, { cause: error });
}
