/**
 * Starts an in-memory dynalite server (a pure-JS DynamoDB-compatible server) on 127.0.0.1, port 0,
 * so DynamoDB code is tested over the wire, never through mocks.
 * Each caller gets its own server: jest runs test files in parallel.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTableIfMissing } from '../../src/store/dynamodb';

/** dynalite ships no type declarations; this is the part of its API the tests use. */
type DynaliteFactory = (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

const dynalite = require('dynalite') as DynaliteFactory;

export interface RunningDynalite {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  /** A client with fake credentials pointed at the server. */
  readonly client: DynamoDBClient;
  close(): Promise<void>;
}

/** Creates a DynamoDB client for `endpoint` with fake credentials, as a second worker or Lambda would. */
export function createTestClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    // Fake credentials: dynalite checks the signature's shape, not its secret; never read the environment.
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

export async function startDynalite(): Promise<RunningDynalite> {
  // createTableMs 0: tables are ACTIVE at once, so tests need not poll DescribeTable.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = createTestClient(endpoint);
  return {
    endpoint,
    client,
    async close(): Promise<void> {
      // Destroy the client first: its keep-alive sockets would otherwise hold the server open.
      client.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/**
 * Starts dynalite for a test file (beforeAll/afterAll) and hands out a fresh table per call, so tests
 * never see each other's items.
 */
export function useDynaliteTables(prefix: string): { server(): RunningDynalite; newTable(): Promise<string> } {
  let running: RunningDynalite;
  let tables = 0;
  beforeAll(async () => {
    running = await startDynalite();
  });
  afterAll(async () => {
    await running.close();
  });
  return {
    server: () => running,
    async newTable() {
      tables += 1;
      const tableName = `${prefix}-${tables}`;
      await createTableIfMissing(running.client, tableName);
      return tableName;
    },
  };
}
