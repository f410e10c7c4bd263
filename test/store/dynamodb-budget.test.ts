import { DynamoDbRequestBudget, slotIntervalMs } from '../../src/store/dynamodb-budget';
import { createTestClient, useDynaliteTables } from '../helpers/dynalite';
import { maxInWindow } from '../helpers/windows';

const { server, newTable } = useDynaliteTables('budget');

describe('slotIntervalMs', () => {
  it.each([
    [300, 201],
    [7, 8572],
    [60_000, 2],
  ])('%i per minute spaces slots %i ms apart, so N intervals exceed a minute', (perMinute, interval) => {
    expect(slotIntervalMs(perMinute)).toBe(interval);
    expect(interval * perMinute).toBeGreaterThan(60_000);
  });

  it('refuses a budget that is not a positive integer', () => {
    expect(() => slotIntervalMs(0)).toThrow(/positive integer/);
  });
});

describe('DynamoDbRequestBudget', () => {
  const T0 = Date.parse('2025-03-01T12:00:00.000Z');

  it('never puts more than N slots in any minute across concurrent workers', async () => {
    const tableName = await newTable();
    const perMinute = 10;
    // Four "Lambdas", each with its own client and a clock that stands still: the worst case,
    // where every slot would otherwise be handed out at once.
    const workers = Array.from({ length: 4 }, () => {
      const client = createTestClient(server().endpoint);
      return { client, budget: new DynamoDbRequestBudget({ client, tableName, requestsPerMinute: perMinute, now: () => T0 }) };
    });

    const slots = (await Promise.all(workers.map(({ budget }) => Promise.all(Array.from({ length: 10 }, () => budget.reserve()))))).flat();
    for (const { client } of workers) client.destroy();

    expect(new Set(slots).size).toBe(40);
    const sorted = [...slots].sort((a, b) => a - b);
    expect(sorted[0]).toBe(T0);
    for (let i = 1; i < sorted.length; i += 1) {
      expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(slotIntervalMs(perMinute));
    }
    expect(maxInWindow(slots, 60_000, { closed: true })).toBeLessThanOrEqual(perMinute);
  });

  it('hands out slots no earlier than now once the backlog is gone', async () => {
    const tableName = await newTable();
    let now = T0;
    const budget = new DynamoDbRequestBudget({ client: server().client, tableName, requestsPerMinute: 300, now: () => now });

    expect(await budget.reserve()).toBe(T0);
    now = T0 + 10_000;
    expect(await budget.reserve()).toBe(T0 + 10_000);
  });

  it('holds every worker until a Retry-After passes, and never moves the hold back', async () => {
    const tableName = await newTable();
    const first = new DynamoDbRequestBudget({ client: server().client, tableName, requestsPerMinute: 300, now: () => T0 });
    const second = new DynamoDbRequestBudget({ client: server().client, tableName, requestsPerMinute: 300, now: () => T0 });
    await second.reserve();

    await first.holdUntil(T0 + 30_000);
    await first.holdUntil(T0 + 5_000);

    expect(await second.reserve()).toBe(T0 + 30_000);
    expect(await first.reserve()).toBe(T0 + 30_000 + slotIntervalMs(300));
  });

  it('reports DynamoDB failures as StoreError', async () => {
    const budget = new DynamoDbRequestBudget({ client: server().client, tableName: 'no-such-table', requestsPerMinute: 300 });

    await expect(budget.reserve()).rejects.toMatchObject({ name: 'StoreError', message: expect.stringContaining('no-such-table') });
  });
});
