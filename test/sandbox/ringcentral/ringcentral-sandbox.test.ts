/**
 * The RingCentral sandbox's admin route and deliveries: `POST /sandbox/presence` changes a demo user's
 * presence and delivers the notification to every matching subscription as RingCentral would (body shape
 * of the documented fixture, expanded ids, `Verification-Token`), and state survives a restart.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { startRingCentralSandbox, type RingCentralSandbox } from '../../../src/sandbox/ringcentral';
import { RingCentralNotificationSchema } from '../../../src/sources/ringcentral/schema';
import detailedFixture from '../../fixtures/ringcentral/detailed-extension-presence.json';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A webhook receiver that answers RingCentral's handshake and records deliveries. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const token = req.headers['validation-token'];
      if (typeof token === 'string') {
        res.writeHead(200, { 'validation-token': token, 'content-type': 'application/json' }).end();
        return;
      }
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/ringcentral`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function login(sandbox: RingCentralSandbox): Promise<string> {
  const response = await fetch(`${sandbox.url}/restapi/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${sandbox.clientId}:${sandbox.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: sandbox.jwt }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function subscribe(sandbox: RingCentralSandbox, address: string, verificationToken: string): Promise<Record<string, unknown>> {
  const token = await login(sandbox);
  const response = await fetch(`${sandbox.url}/restapi/v1.0/subscription`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      eventFilters: ['/restapi/v1.0/account/~/presence?detailedTelephonyState=true'],
      deliveryMode: { transportType: 'WebHook', address, verificationToken },
      expiresIn: 604800,
    }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read field by field in assertions
async function admin(sandbox: RingCentralSandbox, body: unknown, method = 'POST'): Promise<{ status: number; body: any }> {
  const response = await fetch(`${sandbox.url}/sandbox/presence`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: await response.json() };
}

describe('RingCentral sandbox', () => {
  let sandbox: RingCentralSandbox;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const dirs: string[] = [];

  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await sandbox?.close();
    await receiver.close();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('seeds the Genesys sandbox demo users as extensions, with presence', async () => {
    sandbox = await startRingCentralSandbox({ seedDemoUsers: true });
    const token = await login(sandbox);
    const extensions = (await (await fetch(`${sandbox.url}/restapi/v1.0/account/~/extension`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      records: Array<{ id: number; type: string; contact: { email: string } }>;
    };
    expect(extensions.records.map((e) => e.contact.email)).toEqual([
      'alice@example.com',
      'bob@example.com',
      'carol@example.com',
      'dave@example.com',
      'erin@example.com',
    ]);
    expect(extensions.records.every((e) => e.type === 'User' && typeof e.id === 'number')).toBe(true);
    const presence = (await (await fetch(`${sandbox.url}/restapi/v1.0/account/~/presence`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      records: Array<{ extension: { id: number }; dndStatus: string }>;
    };
    expect(presence.records).toHaveLength(5);
    expect(presence.records[0]).toMatchObject({ extension: { id: extensions.records[0].id }, dndStatus: 'TakeAllCalls', presenceStatus: 'Available' });
  });

  it('checks the address with the Validation-Token handshake and never echoes the verification token', async () => {
    sandbox = await startRingCentralSandbox({ seedDemoUsers: true });
    const created = await subscribe(sandbox, receiver.url, 'verify-me');
    expect(created).toMatchObject({ status: 'Active', eventFilters: [`/restapi/v1.0/account/${sandbox.accountId}/presence?detailedTelephonyState=true`] });
    expect((created.deliveryMode as Record<string, unknown>).verificationToken).toBeUndefined();

    const token = await login(sandbox);
    const refused = await fetch(`${sandbox.url}/restapi/v1.0/subscription`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        eventFilters: ['/restapi/v1.0/account/~/presence'],
        deliveryMode: { transportType: 'WebHook', address: `${sandbox.url}/nowhere` },
      }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ errorCode: 'SUB-525' });
  });

  it('POST /sandbox/presence changes the presence and delivers the notification as RingCentral does', async () => {
    sandbox = await startRingCentralSandbox({ seedDemoUsers: true });
    const subscription = await subscribe(sandbox, receiver.url, 'verify-me');
    const bob = sandbox.extensions.find((e) => e.contact?.email === 'bob@example.com')!;

    const answer = await admin(sandbox, { email: 'Bob@Example.com', dnd: 'DoNotAcceptAnyCalls' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      email: 'bob@example.com',
      extensionId: String(bob.id),
      presence: { dndStatus: 'DoNotAcceptAnyCalls', presenceStatus: 'Busy' },
      deliveries: [{ subscriptionId: subscription.id, address: receiver.url, status: 200 }],
    });

    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received;
    expect(delivery.headers['verification-token']).toBe('verify-me');
    const notification = delivery.body;
    expect(RingCentralNotificationSchema.safeParse(notification).success).toBe(true);
    expect(Object.keys(notification).sort()).toEqual(Object.keys(detailedFixture).sort());
    expect(notification).toMatchObject({
      uuid: answer.body.deliveries[0].uuid,
      event: `/restapi/v1.0/account/${sandbox.accountId}/extension/${bob.id}/presence?detailedTelephonyState=true`,
      subscriptionId: subscription.id,
      ownerId: sandbox.ownerExtensionId,
      body: { extensionId: bob.id, dndStatus: 'DoNotAcceptAnyCalls', presenceStatus: 'Busy', telephonyStatus: 'NoCall', userStatus: 'Available' },
    });
    expect(new Date(notification.timestamp as string).toISOString()).toBe(notification.timestamp);
    // Every presence field of RingCentral's documented example is there (calls aside: there are none).
    const { activeCalls: _calls, totalActiveCalls: _total, ...documented } = detailedFixture.body;
    expect(Object.keys(notification.body as object)).toEqual(expect.arrayContaining(Object.keys(documented)));

    const call = await admin(sandbox, { email: 'bob@example.com', dnd: 'TakeAllCalls', telephony: 'CallConnected' });
    expect(call.body.presence).toMatchObject({ dndStatus: 'TakeAllCalls', telephonyStatus: 'CallConnected', presenceStatus: 'Busy' });
    expect((receiver.received[1].body.body as { sequence: number }).sequence).toBeGreaterThan((notification.body as { sequence: number }).sequence);
  });

  it('answers with no deliveries when no subscription covers the user', async () => {
    sandbox = await startRingCentralSandbox({ seedDemoUsers: true });
    const answer = await admin(sandbox, { email: 'alice@example.com', telephony: 'Ringing' });
    expect(answer).toMatchObject({ status: 200, body: { deliveries: [], presence: { telephonyStatus: 'Ringing' } } });
  });

  it('refuses bad admin requests with a 4xx that names the fix, changing nothing', async () => {
    sandbox = await startRingCentralSandbox({ seedDemoUsers: true });
    const before = structuredClone(sandbox.presence);
    const badEnum = await admin(sandbox, { email: 'bob@example.com', dnd: 'Busy' });
    expect(badEnum.status).toBe(400);
    expect(badEnum.body.message).toBe('dnd must be one of TakeAllCalls, DoNotAcceptAnyCalls, DoNotAcceptDepartmentCalls, TakeDepartmentCallsOnly');
    expect((await admin(sandbox, { email: 'bob@example.com' })).status).toBe(400);
    const unknown = await admin(sandbox, { email: 'zed@example.com', dnd: 'TakeAllCalls' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain('alice@example.com');
    expect((await admin(sandbox, undefined, 'GET')).status).toBe(405);
    expect(sandbox.presence).toEqual(before);
  });

  it('keeps subscriptions (with their token) and presence in its state file across a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rc-sandbox-'));
    dirs.push(dir);
    const stateFile = path.join(dir, 'ringcentral-sandbox.json');
    sandbox = await startRingCentralSandbox({ seedDemoUsers: true, stateFile });
    const subscription = await subscribe(sandbox, receiver.url, 'kept-token');
    await admin(sandbox, { email: 'carol@example.com', dnd: 'DoNotAcceptAnyCalls' });
    await sandbox.close();
    expect(fs.statSync(stateFile).mode & 0o777).toBe(0o600);

    sandbox = await startRingCentralSandbox({ seedDemoUsers: true, stateFile });
    const token = await login(sandbox);
    const list = (await (await fetch(`${sandbox.url}/restapi/v1.0/subscription`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      records: Array<{ id: string; uri: string; deliveryMode: Record<string, unknown> }>;
    };
    expect(list.records).toEqual([expect.objectContaining({ id: subscription.id, uri: `${sandbox.url}/restapi/v1.0/subscription/${subscription.id}` })]);
    expect(list.records[0].deliveryMode.verificationToken).toBeUndefined();
    const answer = await admin(sandbox, { email: 'carol@example.com', telephony: 'OnHold' });
    expect(answer.body.presence).toMatchObject({ dndStatus: 'DoNotAcceptAnyCalls', telephonyStatus: 'OnHold' });
    expect(receiver.received.at(-1)!.headers['verification-token']).toBe('kept-token');
  });
});
