/**
 * The Microsoft sandbox's admin route `POST /sandbox/presence`: changes a user's presence and notifies
 * every subscription covering the user as Graph does — rich (encrypted for the subscription's
 * certificate, with a validation token) when it asked for resource data, else basic — and answers
 * with what it delivered. Bad input gets a clear 4xx and changes nothing.
 */
import { constants, createDecipheriv, privateDecrypt, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { createEncryptionCertificate, demoDirectory, startMicrosoftSandbox, type MicrosoftSandbox } from '../../../src/sandbox/microsoft';

interface Received {
  readonly path: string;
  readonly body: { value: Array<Record<string, unknown>>; validationTokens?: string[] };
}

describe('Microsoft sandbox admin route', () => {
  let sandbox: MicrosoftSandbox;
  let receiver: http.Server;
  let receiverUrl: string;
  const received: Received[] = [];
  const encryption = createEncryptionCertificate();
  const certificateBase64 = encryption.certPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');

  beforeAll(async () => {
    sandbox = await startMicrosoftSandbox({ users: demoDirectory() });
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'] });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await sandbox.close();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });

  beforeEach(() => {
    received.length = 0;
    sandbox.subscriptions.clear();
  });

  const userId = (email: string): string => [...sandbox.users.values()].find((user) => user.mail === email)!.id;

  const subscribe = (users: string[], rich: boolean, path: string): string => {
    const id = randomUUID();
    sandbox.subscriptions.set(id, {
      id,
      ownerUserId: userId('teams-service@example.com'),
      userIds: users,
      resource: `/communications/presences?$filter=id in (${users.map((user) => `'${user}'`).join(',')})`,
      notificationUrl: `${receiverUrl}${path}`,
      clientState: 'secret-client-state',
      includeResourceData: rich,
      ...(rich ? { encryptionCertificate: certificateBase64, encryptionCertificateId: 'cert-1' } : {}),
      expirationDateTime: new Date(Date.now() + 50 * 60_000).toISOString(),
    });
    return id;
  };

  const change = (body: unknown): Promise<Response> =>
    fetch(`${sandbox.adminUrl}/presence`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('delivers a rich notification to a resource-data subscription and a basic one otherwise', async () => {
    const alice = userId('alice@example.com');
    const rich = subscribe([alice, userId('bob@example.com')], true, '/rich');
    const basic = subscribe([alice], false, '/basic');
    subscribe([userId('carol@example.com')], true, '/other');
    const before = sandbox.sequenceOf(alice);

    const response = await change({ email: 'Alice@Example.com', availability: 'Busy', activity: 'InACall' });
    expect(response.status).toBe(200);
    const result = (await response.json()) as { sequenceNumber: string; deliveries: Array<{ subscriptionId: string; kind: string; status: number }> };
    expect(result.sequenceNumber > before).toBe(true);
    expect(result.deliveries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ subscriptionId: rich, kind: 'rich', status: 202 }),
        expect.objectContaining({ subscriptionId: basic, kind: 'basic', status: 202 }),
      ]),
    );
    expect(result.deliveries).toHaveLength(2);
    expect(received.map((r) => r.path).sort()).toEqual(['/basic', '/rich']);

    const basicBody = received.find((r) => r.path === '/basic')!.body;
    expect(basicBody.validationTokens).toBeUndefined();
    expect(basicBody.value[0]).toMatchObject({ subscriptionId: basic, clientState: 'secret-client-state', resource: `communications/presences/${alice}` });
    expect(basicBody.value[0].encryptedContent).toBeUndefined();

    const richBody = received.find((r) => r.path === '/rich')!.body;
    expect(richBody.validationTokens).toHaveLength(1);
    expect(jwt.decode(richBody.validationTokens![0])).toMatchObject({ aud: sandbox.clientId, tid: sandbox.tenantId });
    const content = richBody.value[0].encryptedContent as Record<string, string>;
    const key = privateDecrypt({ key: encryption.keyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(content.dataKey, 'base64'));
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    const resource = JSON.parse(Buffer.concat([decipher.update(Buffer.from(content.data, 'base64')), decipher.final()]).toString('utf8'));
    expect(resource).toMatchObject({ id: alice, availability: 'Busy', activity: 'InACall', sequenceNumber: result.sequenceNumber });
  });

  it('answers with no deliveries when no subscription covers the user (presence still changes)', async () => {
    const response = await change({ email: 'dave@example.com', availability: 'Away', activity: 'Away' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ email: 'dave@example.com', deliveries: [] });
    expect(sandbox.users.get(userId('dave@example.com'))).toMatchObject({ availability: 'Away', activity: 'Away' });
  });

  it.each([
    ['not JSON', 'not json', 400, /body must be JSON/],
    ['an unknown availability', { email: 'erin@example.com', availability: 'Sleeping', activity: 'Away' }, 400, /availability/],
    ['a malformed activity', { email: 'erin@example.com', availability: 'Busy', activity: 'in a call' }, 400, /activity must be one word/],
    ['no email', { availability: 'Busy', activity: 'InACall' }, 400, /email/],
    ['an unknown user', { email: 'zed@example.com', availability: 'Busy', activity: 'InACall' }, 404, /no sandbox user zed@example.com.*alice@example.com/],
  ])('refuses %s with a clear 4xx and changes nothing', async (_name, body, status, message) => {
    const erin = sandbox.users.get(userId('erin@example.com'))!;
    const sequence = sandbox.sequenceOf(erin.id);
    subscribe([erin.id], false, '/erin');
    const response = await change(body);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: string }).error).toMatch(message);
    expect(erin).toMatchObject({ availability: 'Available', activity: 'Available' });
    expect(sandbox.sequenceOf(erin.id)).toBe(sequence);
    expect(received).toEqual([]);
  });

  it('lists live subscriptions and answers unknown admin routes with 404', async () => {
    const id = subscribe([userId('bob@example.com')], true, '/bob');
    const list = (await (await fetch(`${sandbox.adminUrl}/subscriptions`)).json()) as { value: Array<{ id: string }> };
    expect(list.value.map((s) => s.id)).toEqual([id]);
    expect((await fetch(`${sandbox.adminUrl}/nothing`)).status).toBe(404);
  });
});
