import { QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  createTableIfMissing,
  DynamoDbStateStore,
  tableDefinition,
  UNFINISHED_INDEX_NAME,
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
            ExpressionAttributeValues: { ':p': { S: 'UNFINISHED' } },
          }),
        )
      ).Count ?? 0;

    await store.recordDesired(key, desired);
    expect(await indexed()).toBe(1);

    await store.markStatus(key, { status: 'skipped' }, desired);
    expect(await indexed()).toBe(0);
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
