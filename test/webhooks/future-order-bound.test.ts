/**
 * A notification dated in the far future must not pin a user: every later, real notification would be
 * "stale". The bound is applied once, in recordEvents, to every source's ordering values.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, silentLogger } from '../../src/logger';
import { DEFAULT_PRESENCE_MAPPING, type PresenceEvent } from '../../src/presence';
import type { QueueMessage } from '../../src/queue/key-queue';
import { createRingCentralWebhookSource, RINGCENTRAL_WEBHOOK_PATH } from '../../src/sources/ringcentral/webhook';
import { createZoomWebhookSource } from '../../src/sources/zoom/webhook';
import { openEmbeddedStore } from '../../src/store/embedded';
import type { StateStore } from '../../src/store/state-store';
import { boundEventOrder, MAX_FUTURE_SKEW_MS } from '../../src/webhooks/future-order-bound';
import { handleWebhook, type WebhookCoreDeps } from '../../src/webhooks/handle-webhook';
import { recordEvents } from '../../src/webhooks/record-events';
import type { InboundRequest } from '../../src/webhooks/types';
import { NOW_MS, signedRequest, zoomConfig } from '../sources/zoom/helpers';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0, 500);
const FAR_FUTURE = Date.parse('9999-12-31T23:59:59.000Z');

const event = (order: number, tiebreak?: number): PresenceEvent => ({
  system: 'ringcentral',
  externalUserId: '101',
  values: { presenceStatus: 'Busy' },
  order,
  ...(tiebreak !== undefined ? { tiebreak } : {}),
});

describe('boundEventOrder', () => {
  it.each([
    ['a past timestamp', event(NOW - 5000, 7), event(NOW - 5000, 7), false],
    ['a timestamp within the skew allowance', event(NOW + MAX_FUTURE_SKEW_MS, 7), event(NOW + MAX_FUTURE_SKEW_MS, 7), false],
    ['a small sequence tie-break', event(NOW, 2698), event(NOW, 2698), false],
    ['a timestamp beyond the allowance', event(NOW + MAX_FUTURE_SKEW_MS + 1, 7), event(Date.UTC(2026, 10, 28, 12, 0, 0), 0), true],
    ['9999-12-31', event(FAR_FUTURE), event(Date.UTC(2026, 10, 28, 12, 0, 0), 0), true],
    ['an unreadable (NaN) order', event(Number.NaN, 3), event(Date.UTC(2026, 10, 28, 12, 0, 0), 0), true],
    ['a future tie-break only (Zoom event_ts)', event(NOW - 1000, FAR_FUTURE), event(NOW - 1000, 0), true],
  ])('%s', (_label, input, expected, redated) => {
    const bounded = boundEventOrder(input, NOW);
    expect(bounded.event).toEqual(expected);
    expect(bounded.redatedFrom !== undefined).toBe(redated);
  });
});

describe('recordEvents', () => {
  let store: StateStore;
  beforeEach(async () => {
    store = await openEmbeddedStore(fs.mkdtempSync(path.join(os.tmpdir(), 'future-order-')));
  });
  afterEach(async () => store.close());

  it('re-dates a future event, logs it, and lets the next real event win', async () => {
    const lines: string[] = [];
    const queued: QueueMessage[] = [];
    let now = NOW;
    const deps = {
      store,
      queue: { enqueue: async (messages: QueueMessage[]) => void queued.push(...messages) },
      mapping: DEFAULT_PRESENCE_MAPPING,
      now: () => now,
      logger: createLogger('warn', (line) => lines.push(line)),
    };

    const first = await recordEvents([event(FAR_FUTURE, 5)], deps);
    expect(first).toMatchObject({ recorded: 1, redated: 1 });
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'warn', system: 'ringcentral', externalUserId: '101', order: '9999-12-31T23:59:59.000Z' });

    now += 2000;
    const real: PresenceEvent = { ...event(now - 100, 6), values: { presenceStatus: 'Available' } };
    expect(await recordEvents([real], deps)).toMatchObject({ recorded: 1, stale: 0, redated: 0 });
    expect((await store.get({ system: 'ringcentral', externalUserId: '101' }))?.desired.values).toEqual({ presenceStatus: 'Available' });
  });
});

describe('through the webhook core', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  async function core(now: () => number, sources: WebhookCoreDeps['sources']): Promise<WebhookCoreDeps> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'future-order-core-'));
    dirs.push(dir);
    return {
      sources,
      store: await openEmbeddedStore(dir),
      queue: { enqueue: async () => undefined },
      mapping: DEFAULT_PRESENCE_MAPPING,
      now,
      logger: silentLogger,
    };
  }

  it('RingCentral: a notification dated 9999-12-31 does not make later notifications stale', async () => {
    let now = NOW;
    const deps = await core(() => now, [createRingCentralWebhookSource({ verificationTokens: ['t'] })]);
    const notify = (timestamp: string, uuid: string, dndStatus: string, sequence: number): InboundRequest => ({
      method: 'POST',
      path: RINGCENTRAL_WEBHOOK_PATH,
      query: {},
      headers: { 'verification-token': 't', 'content-type': 'application/json' },
      body: Buffer.from(
        JSON.stringify({
          uuid,
          event: '/restapi/v1.0/account/37439510/extension/101/presence?detailedTelephonyState=true',
          timestamp,
          subscriptionId: 'sub-1',
          ownerId: '101',
          body: { extensionId: 101, presenceStatus: 'Available', dndStatus, sequence },
        }),
      ),
      receivedAt: now,
    });

    expect((await handleWebhook(notify('9999-12-31T23:59:59.000Z', 'u-1', 'DoNotAcceptAnyCalls', 1), deps)).status).toBe(200);
    now += 5000;
    expect((await handleWebhook(notify(new Date(now - 200).toISOString(), 'u-2', 'TakeAllCalls', 2), deps)).status).toBe(200);

    const record = await deps.store.get({ system: 'ringcentral', externalUserId: '101' });
    expect(record?.desired).toMatchObject({ target: 'Available', values: expect.objectContaining({ dndStatus: 'TakeAllCalls' }) });
    await deps.store.close();
  });

  it('Zoom: an event with date_time 9999-12-31 does not make later events stale', async () => {
    let now = NOW_MS;
    const deps = await core(() => now, [createZoomWebhookSource(zoomConfig(), () => now)]);
    const body = (dateTime: string, eventTs: number, status: string) =>
      JSON.stringify({
        event: 'user.presence_status_updated',
        event_ts: eventTs,
        payload: { account_id: 'AAAAAABBBB', object: { date_time: dateTime, email: 'jchill@example.com', id: 'abcD3ojfdbjfg', presence_status: status } },
      });

    const signedAt = (ms: number, text: string) => ({ ...signedRequest(text, { timestampSeconds: Math.floor(ms / 1000) }), receivedAt: ms });
    expect((await handleWebhook(signedAt(now, body('9999-12-31T23:59:59Z', now, 'In_Meeting')), deps)).status).toBe(200);
    now += 3000;
    expect((await handleWebhook(signedAt(now, body(new Date(now - 1000).toISOString(), now - 900, 'Available')), deps)).status).toBe(200);

    const [record] = await deps.store.list({ system: 'zoom' });
    expect(record.desired).toMatchObject({ target: 'Available', values: { presence_status: 'Available' } });
    await deps.store.close();
  });
});
