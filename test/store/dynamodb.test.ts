import { GetItemCommand, PutItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  createTableIfMissing,
  DynamoDbStateStore,
  LEGACY_UNFINISHED_PARTITION,
  tableDefinition,
  UNFINISHED_INDEX_NAME,
  UNFINISHED_SHARDS,
  unfinishedShard,
} from '../../src/store/dynamodb';
import { useDynaliteTables } from '../helpers/dynalite';
import { describeStateStoreContract } from './state-store-contract';

/** A fresh table per test: tests never see each other's records. */
const { server, newTable } = useDynaliteTables('state');

describeStateStoreContract('DynamoDbStateStore', async ({ now }) => {
  return new DynamoDbStateStore({ client: server().client, tableName: await newTable(), now });
});

describe('DynamoDbStateStore (DynamoDB specifics)', () => {
  const key = { system: 'zoom', externalUserId: 'u1' } as const;
  const desired = { target: 'Busy', message: 'On a call', values: {}, order: 5, tiebreak: 0, recordedAt: '2025-01-01T00:00:00.000Z' };

  it('keeps only unfinished records in the sparse index', async () => {
    const tableName = await newTable();
    const store = new DynamoDbStateStore({ client: server().client, tableName });
    const indexed = async (): Promise<number> =>
      (
        await server().client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: UNFINISHED_INDEX_NAME,
            KeyConditionExpression: 'unfinishedPk = :p',
            ExpressionAttributeValues: { ':p': { S: unfinishedShard(key) } },
          }),
        )
      ).Count ?? 0;

    await store.recordDesired(key, desired);
    expect(await indexed()).toBe(1);

    await store.markStatus(key, { status: 'skipped' }, desired);
    expect(await indexed()).toBe(0);
  });

  it('spreads unfinished records over 16 index shards instead of one partition value', async () => {
    const tableName = await newTable();
    const store = new DynamoDbStateStore({ client: server().client, tableName });
    const keys = Array.from({ length: 200 }, (_, i) => ({ system: 'zoom', externalUserId: `burst-${i}` }) as const);

    await Promise.all(keys.map((k) => store.recordDesired(k, desired)));

    const scanned = await server().client.send(new ScanCommand({ TableName: tableName, ProjectionExpression: 'unfinishedPk' }));
    const partitions = new Map<string, number>();
    for (const item of scanned.Items ?? []) {
      const partition = item.unfinishedPk?.S ?? '';
      partitions.set(partition, (partitions.get(partition) ?? 0) + 1);
    }
    expect([...partitions.keys()].sort()).toEqual(Array.from({ length: UNFINISHED_SHARDS }, (_, i) => `UNFINISHED#${i}`).sort());
    // No shard takes more than twice its fair share of a burst.
    expect(Math.max(...partitions.values())).toBeLessThanOrEqual((2 * keys.length) / UNFINISHED_SHARDS);
    expect(await store.listUnfinished(new Date())).toHaveLength(keys.length);
  });

  it('still lists records written with the old single partition value, and moves them into a shard when touched', async () => {
    const tableName = await newTable();
    const store = new DynamoDbStateStore({ client: server().client, tableName });
    const legacy = { system: 'teams', externalUserId: 'old-user' } as const;
    // The item as the store wrote it before the index was sharded.
    await server().client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: 'USER#teams#old-user' },
          system: { S: 'teams' },
          externalUserId: { S: 'old-user' },
          desired: {
            M: {
              target: { S: 'Busy' },
              message: { S: 'Busy' },
              values: { M: {} },
              order: { N: '5' },
              tiebreak: { N: '0' },
              recordedAt: { S: '2025-01-01T00:00:00.000Z' },
            },
          },
          desiredOrder: { N: '5' },
          desiredTiebreak: { N: '0' },
          status: { S: 'pending' },
          updatedAt: { S: '2025-01-01T00:00:00.000Z' },
          unfinishedPk: { S: LEGACY_UNFINISHED_PARTITION },
          unfinishedAt: { N: '0' },
        },
      }),
    );
    await store.recordDesired(key, desired);

    expect(await store.listUnfinished(new Date())).toEqual([legacy, key]);

    await store.markQueued(legacy, 1000);
    const moved = await server().client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'USER#teams#old-user' } } }));
    expect(moved.Item?.unfinishedPk?.S).toBe(unfinishedShard(legacy));
    expect(await store.listUnfinished(new Date())).toEqual([legacy, key]);
  });

  it('creates the table only once', async () => {
    const tableName = await newTable();

    expect(await createTableIfMissing(server().client, tableName)).toBe(false);
  });

  it('describes the table for serverless.yml, with TTL and the index', () => {
    const definition = tableDefinition('presence-bridge-state');

    expect(definition).toMatchObject({
      TableName: 'presence-bridge-state',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    expect(definition.GlobalSecondaryIndexes?.[0]?.IndexName).toBe(UNFINISHED_INDEX_NAME);
  });

  it('reports a missing table as a StoreError naming it', async () => {
    const store = new DynamoDbStateStore({ client: server().client, tableName: 'no-such-table' });

    await expect(store.get(key)).rejects.toThrow(/no-such-table/);
    await expect(store.get(key)).rejects.toMatchObject({ name: 'StoreError', cause: expect.anything() });
  });
});
