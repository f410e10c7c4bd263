/**
 * The RingCentral webhook source: handshake, token check, normalization, mapping, ordering, dedupe.
 * Fixtures are the vendor payloads exactly as documented (test/fixtures/ringcentral).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { RingCentralConfig } from '../../../src/config';
import { mapPresence, type PresenceEvent } from '../../../src/presence';
import { isNewer } from '../../../src/store/state-store';
import { createExpressApp } from '../../../src/webhooks/adapters/express';
import { handleWebhook, type WebhookCoreDeps } from '../../../src/webhooks/handle-webhook';
import type { InboundRequest, WebhookOutcome } from '../../../src/webhooks/types';
import { silentLogger } from '../../../src/logger';
import { createRingCentralWebhookSource, RINGCENTRAL_WEBHOOK_PATH } from '../../../src/sources/ringcentral/webhook';
import { probeRingCentralHandshake } from '../../helpers/ringcentral-stand-in';

const fixtureDir = path.join(__dirname, '../../fixtures/ringcentral');
const detailed = fs.readFileSync(path.join(fixtureDir, 'detailed-extension-presence.json'));
const accountLevel = fs.readFileSync(path.join(fixtureDir, 'account-presence-numeric-extension.json'));
const accountDocumented = fs.readFileSync(path.join(fixtureDir, 'account-presence.json'));

const TOKEN = 'rc-verification-token-1';
const config: Pick<RingCentralConfig, 'verificationTokens'> = { verificationTokens: [TOKEN] };

function request(body: Buffer | string | object, headers: Record<string, string> = { 'verification-token': TOKEN }): InboundRequest {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return { method: 'POST', path: RINGCENTRAL_WEBHOOK_PATH, query: {}, headers, body: bytes, receivedAt: 1_700_000_000_000 };
}

async function handle(req: InboundRequest, cfg: Pick<RingCentralConfig, 'verificationTokens'> = config): Promise<WebhookOutcome> {
  return createRingCentralWebhookSource(cfg).handle(req);
}

function accepted(outcome: WebhookOutcome): PresenceEvent {
  if (outcome.kind !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(outcome)}`);
  expect(outcome.events).toHaveLength(1);
  return outcome.events[0];
}

/** A notification in the documented envelope with the given body fields. */
function notification(body: Record<string, unknown>, envelope: Record<string, unknown> = {}): object {
  return {
    uuid: 'u-1',
    event: '/restapi/v1.0/account/~/extension/101/presence?detailedTelephonyState=true',
    timestamp: '2026-01-05T10:00:00.000Z',
    subscriptionId: 'sub-1',
    ownerId: '999',
    body: { extensionId: '101', ...body },
    ...envelope,
  };
}

describe('creation handshake', () => {
  it('echoes Validation-Token with 200, application/json and a response under 1 KiB', async () => {
    const outcome = await handle(request(Buffer.alloc(0), { 'validation-token': 'b8f1c6a2-3d4e-4f50-9a61-7c8d9e0f1a2b' }));
    if (outcome.kind !== 'handshake') throw new Error(`expected handshake, got ${outcome.kind}`);
    const { response } = outcome;
    expect(response.status).toBe(200);
    const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(headers['validation-token']).toBe('b8f1c6a2-3d4e-4f50-9a61-7c8d9e0f1a2b');
    expect(headers['content-type']).toMatch(/^application\/json/);
    const serialized =
      'HTTP/1.1 200 OK\r\n' +
      Object.entries(response.headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('') +
      '\r\n' +
      response.body;
    expect(Buffer.byteLength(serialized)).toBeLessThanOrEqual(1024);
  });

  it('answers over the wire (express adapter) within 1024 bytes in total', async () => {
    const deps = { sources: [createRingCentralWebhookSource(config)], logger: silentLogger } as unknown as WebhookCoreDeps;
    const app = createExpressApp({ webhookPaths: [RINGCENTRAL_WEBHOOK_PATH], handle: (r) => handleWebhook(r, deps) });
    const server = await new Promise<http.Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${RINGCENTRAL_WEBHOOK_PATH}`;
      const probe = await probeRingCentralHandshake(url, 'a'.repeat(36));
      expect(probe.status).toBe(200);
      expect(probe.headers['validation-token']).toBe('a'.repeat(36));
      expect(probe.headers['content-type']).toMatch(/^application\/json/);
      expect(probe.totalBytes).toBeLessThanOrEqual(1024);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('treats an empty JSON object as a handshake too, and needs no verification token for it', async () => {
    const outcome = await handle(request('{}', { 'validation-token': 'tok' }), { ...config, verificationTokens: [] });
    expect(outcome.kind).toBe('handshake');
  });

  it('refuses to echo an oversized or non-printable token', async () => {
    const outcome = await handle(request('', { 'validation-token': 'x'.repeat(300) }));
    expect(outcome).toMatchObject({ kind: 'rejected', status: 400 });
  });
});

describe('verification token', () => {
  it.each([
    ['Verification-Token', { 'verification-token': TOKEN }],
    ['Validation-Token (the 2023 docs wording)', { 'validation-token': TOKEN }],
  ])('accepts the token in %s', async (_name, headers) => {
    const outcome = await handle(request(notification({ presenceStatus: 'Available' }), headers));
    expect(outcome.kind).toBe('accepted');
  });

  it('accepts every token of a comma-separated rotation list', async () => {
    const rotating: Pick<RingCentralConfig, 'verificationTokens'> = { ...config, verificationTokens: ['new-token', 'old-token'] };
    for (const token of ['new-token', 'old-token']) {
      const outcome = await handle(request(notification({ presenceStatus: 'Busy' }), { 'verification-token': token }), rotating);
      expect(outcome.kind).toBe('accepted');
    }
  });

  it.each([
    ['a wrong token', { 'verification-token': 'not-the-token' }],
    ['no token', {}],
    ['a token prefix', { 'verification-token': TOKEN.slice(0, -1) }],
  ])('rejects %s with 401 and records nothing', async (_name, headers) => {
    const outcome = await handle(request(notification({ presenceStatus: 'Busy' }), headers as Record<string, string>));
    expect(outcome).toMatchObject({ kind: 'rejected', status: 401 });
  });

  it('answers 503 naming the variable when no token is configured', async () => {
    const outcome = await handle(request(notification({ presenceStatus: 'Busy' })), { ...config, verificationTokens: [] });
    expect(outcome).toMatchObject({ kind: 'rejected', status: 503 });
    expect((outcome as { reason: string }).reason).toContain('RINGCENTRAL_VERIFICATION_TOKEN');
  });
});

describe('normalization', () => {
  it.each([
    ['the documented detailed extension presence example', () => detailed],
    ["RingCentral's documented account presence example (string extensionId, sequence)", () => accountDocumented],
  ])('normalizes %s', async (_label, fixture) => {
    const event = accepted(await handle(request(fixture())));
    expect(event).toEqual({
      system: 'ringcentral',
      externalUserId: '6610372004',
      values: { dndStatus: 'TakeAllCalls', telephonyStatus: 'CallConnected', meetingStatus: 'Disconnected', presenceStatus: 'Busy' },
      order: Date.parse('2016-02-18T09:37:24.597Z'),
      tiebreak: 2698,
    });
    expect(mapPresence(event)).toEqual({ target: 'Busy', message: 'On a phone call' });
  });

  it('takes the extension from an event with numeric ids when the body has none', async () => {
    const capture = JSON.parse(accountLevel.toString('utf8'));
    delete capture.body.extensionId;
    expect(capture.event).toBe('/restapi/v1.0/account/643711048/extension/643716048/presence');
    expect(accepted(await handle(request(capture))).externalUserId).toBe('643716048');
  });

  it('accepts a numeric extensionId and a body without sequence (real account-level capture)', async () => {
    const event = accepted(await handle(request(accountLevel)));
    expect(event).toEqual({
      system: 'ringcentral',
      externalUserId: '643716048',
      values: { dndStatus: 'DoNotAcceptDepartmentCalls', telephonyStatus: 'NoCall', meetingStatus: 'Disconnected', presenceStatus: 'Available' },
      order: Date.parse('2023-10-03T17:20:01.621Z'),
      tiebreak: 0,
    });
    expect(mapPresence(event).target).toBe('Available');
  });

  it('keeps only the fields present', async () => {
    const event = accepted(await handle(request(notification({ presenceStatus: 'Offline' }))));
    expect(event.values).toEqual({ presenceStatus: 'Offline' });
  });

  it('takes the extension from the event path when the body has no extensionId', async () => {
    const body = notification({ presenceStatus: 'Busy' });
    delete (body as { body: Record<string, unknown> }).body.extensionId;
    expect(accepted(await handle(request(body))).externalUserId).toBe('101');
  });

  it('resolves an extension/~ filter to the owner, but never uses the owner for account-wide events', async () => {
    const own = notification({ presenceStatus: 'Busy', extensionId: undefined }, { event: '/restapi/v1.0/account/~/extension/~/presence' });
    expect(accepted(await handle(request(own))).externalUserId).toBe('999');
    const account = notification({ presenceStatus: 'Busy', extensionId: undefined }, { event: '/restapi/v1.0/account/~/presence' });
    expect(await handle(request(account))).toMatchObject({ kind: 'rejected', status: 400 });
  });

  it('uses dndStatusPersonal when dndStatus is Unknown (new communication handling service)', async () => {
    const event = accepted(
      await handle(request(notification({ dndStatus: 'Unknown', dndStatusPersonal: 'DoNotAcceptAnyCalls', presenceStatus: 'Available' }))),
    );
    expect(event.values.dndStatus).toBe('DoNotAcceptAnyCalls');
    expect(mapPresence(event).target).toBe('Busy');
  });

  it('orders by the arrival time when the timestamp is missing', async () => {
    const event = accepted(await handle(request(notification({ presenceStatus: 'Busy' }, { timestamp: undefined }))));
    expect(event.order).toBe(1_700_000_000_000);
  });

  it('ignores non-presence notifications (e.g. subscription renewal reminders) with 200', async () => {
    const reminder = {
      uuid: 'r-1',
      event: '/restapi/v1.0/subscription/~?threshold=86400&interval=3600',
      timestamp: '2026-01-05T10:00:00Z',
      body: { id: 'sub-1' },
    };
    expect(await handle(request(reminder))).toMatchObject({ kind: 'ignored' });
  });

  it.each([
    ['malformed JSON', '{"uuid": "x", '],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d])],
    ['a JSON array', '[]'],
    ['a non-object presence body', JSON.stringify({ event: '/restapi/v1.0/account/~/extension/1/presence', body: 'Busy' })],
  ])('rejects %s with 400', async (_name, body) => {
    expect(await handle(request(body as string | Buffer))).toMatchObject({ kind: 'rejected', status: 400 });
  });
});

describe('mapping (README presence mapping, RingCentral rows, DND first)', () => {
  const rows: Array<[Record<string, unknown>, string | null]> = [
    [{ dndStatus: 'DoNotAcceptAnyCalls', presenceStatus: 'Available', telephonyStatus: 'NoCall' }, 'Busy'],
    [{ dndStatus: 'TakeAllCalls', telephonyStatus: 'CallConnected', presenceStatus: 'Available' }, 'Busy'],
    [{ dndStatus: 'TakeAllCalls', telephonyStatus: 'Ringing', presenceStatus: 'Available' }, 'Busy'],
    [{ dndStatus: 'TakeAllCalls', telephonyStatus: 'OnHold', presenceStatus: 'Available' }, 'Busy'],
    [{ telephonyStatus: 'NoCall', meetingStatus: 'Connected', presenceStatus: 'Available' }, 'Busy'],
    [{ dndStatus: 'TakeAllCalls', telephonyStatus: 'NoCall', meetingStatus: 'Disconnected', presenceStatus: 'Available' }, 'Available'],
    [{ telephonyStatus: 'NoCall', presenceStatus: 'Busy' }, 'Busy'],
    [{ presenceStatus: 'Offline' }, 'Offline'],
    [{ telephonyStatus: 'ParkedCall', presenceStatus: 'available' }, 'Available'],
    [{ dndStatus: 'DoNotAcceptDepartmentCalls', presenceStatus: 'SomethingNew' }, null],
    [{}, null],
  ];
  it.each(rows)('%j → %s', async (body, target) => {
    const event = accepted(await handle(request(notification(body))));
    expect(mapPresence(event).target).toBe(target);
  });
});

describe('ordering', () => {
  const version = (e: PresenceEvent) => ({ order: e.order, tiebreak: e.tiebreak ?? 0 });
  const at = async (timestamp: string, sequence: number) => accepted(await handle(request(notification({ presenceStatus: 'Busy', sequence }, { timestamp }))));

  it('a later notification is newer; one stamped in the same millisecond is ordered by sequence', async () => {
    const first = await at('2026-01-05T10:00:00.000Z', 10);
    const later = await at('2026-01-05T10:00:01.000Z', 11);
    const sameMs = await at('2026-01-05T10:00:00.000Z', 11);
    expect(later.order).toBeGreaterThan(first.order);
    expect(isNewer(version(later), version(first))).toBe(true);
    expect(sameMs.tiebreak).toBeGreaterThan(first.tiebreak!);
    expect(isNewer(version(sameMs), version(first))).toBe(true);
  });

  it('an older notification delivered late is not newer, and a redelivery is not newer either', async () => {
    const newest = await at('2026-01-05T10:00:05.000Z', 20);
    const late = await at('2026-01-05T10:00:04.000Z', 19);
    const again = await at('2026-01-05T10:00:05.000Z', 20);
    expect(isNewer(version(late), version(newest))).toBe(false);
    expect(isNewer(version(again), version(newest))).toBe(false);
  });

  it('accepts sequence as a numeric string', async () => {
    const event = accepted(await handle(request(notification({ presenceStatus: 'Busy', sequence: '42' }))));
    expect(event.tiebreak).toBe(42);
  });
});

describe('a malformed % escape in the event path', () => {
  const badPath = (segment: string) => `/restapi/v1.0/account/37439510/extension/${segment}/presence?detailedTelephonyState=true`;

  it.each(['%zz', '%E0%A4%A', '%'])('%s: the body extensionId still identifies the user', async (segment) => {
    const event = accepted(await handle(request(notification({ presenceStatus: 'Busy' }, { event: badPath(segment) }))));
    expect(event).toMatchObject({ externalUserId: '101', values: { presenceStatus: 'Busy' } });
  });

  it('without a body extensionId: a clear 400 naming the path, not a crash', async () => {
    const body = notification({ presenceStatus: 'Busy' }, { event: badPath('%zz') }) as { body: Record<string, unknown> };
    delete body.body.extensionId;
    const outcome = await handle(request(body));
    expect(outcome).toMatchObject({ kind: 'rejected', status: 400, reason: expect.stringContaining('/extension/%zz/presence') });
  });
});
