/**
 * Subscription maintenance and the extension directory against the stand-in: create (with RingCentral's
 * Validation-Token check against the real webhook endpoint), reuse, renew, token rotation, blacklisted →
 * deleted and re-created, account-wide filter refused → per-extension fallback.
 *
 * The stand-in behaves like RingCentral: it answers with `~` expanded to numeric ids and never returns
 * `deliveryMode.verificationToken`, so a second run must recognise its own subscriptions by meaning and
 * remember which token it sent.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../../src/logger';
import { createRingCentralClient, type RingCentralClient } from '../../../src/sources/ringcentral/client';
import { createRingCentralEmailDirectory, readRingCentralDirectory, refreshRingCentralDirectory } from '../../../src/sources/ringcentral/directory';
import { RingCentralApiError } from '../../../src/sources/ringcentral/ringcentral-errors';
import {
  ensureRingCentralSubscription,
  hashRingCentralVerificationToken,
  RINGCENTRAL_ACCOUNT_PRESENCE_FILTERS,
  RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT,
  ringCentralExtensionPresenceFilter,
  ringCentralNotificationUrl,
  type EnsureRingCentralSubscriptionOptions,
} from '../../../src/sources/ringcentral/subscriptions';
import { createRingCentralWebhookSource, RINGCENTRAL_WEBHOOK_PATH } from '../../../src/sources/ringcentral/webhook';
import { createExpressApp } from '../../../src/webhooks/adapters/express';
import { handleWebhook, type WebhookCoreDeps } from '../../../src/webhooks/handle-webhook';
import type { PresenceEvent } from '../../../src/presence';
import { startRingCentralStandIn, type RingCentralStandIn } from '../../helpers/ringcentral-stand-in';
import { createFakeClock, createMemoryDocuments, type MemoryDocuments } from './test-doubles';

const TOKEN = 'rc-verification-token-1';
let rc: RingCentralStandIn;
let webhookServer: http.Server;
let notificationUrl: string;
let clock: ReturnType<typeof createFakeClock>;
let client: RingCentralClient;
let documents: MemoryDocuments;

const extensions = [
  { id: 101, type: 'User', status: 'Enabled', contact: { email: 'Ada@Example.COM' } },
  { id: '102', type: 'User', status: 'Enabled', contact: { email: 'bob@example.com' } },
  { id: 103, type: 'User', status: 'Enabled', contact: {} },
  { id: 104, type: 'Department', status: 'Enabled', contact: { email: 'sales@example.com' } },
  { id: 105, type: 'User', status: 'Disabled', contact: { email: 'gone@example.com' } },
];

beforeAll(async () => {
  // The bridge's real webhook endpoint, so the stand-in's creation handshake goes over the wire.
  const deps = { sources: [createRingCentralWebhookSource({ verificationTokens: [TOKEN] })], logger: silentLogger };
  const app = createExpressApp({ webhookPaths: [RINGCENTRAL_WEBHOOK_PATH], handle: (r) => handleWebhook(r, deps as unknown as WebhookCoreDeps) });
  webhookServer = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  notificationUrl = ringCentralNotificationUrl(`http://127.0.0.1:${(webhookServer.address() as AddressInfo).port}/`);
});
afterAll(() => new Promise((resolve) => webhookServer.close(resolve)));

beforeEach(async () => {
  clock = createFakeClock();
  rc = await startRingCentralStandIn({ clock: clock.now });
  rc.validateAddress = true;
  rc.extensions = extensions;
  documents = createMemoryDocuments();
  client = createRingCentralClient({
    serverUrl: rc.url,
    clientId: rc.clientId,
    clientSecret: rc.clientSecret,
    jwt: rc.jwt,
    now: clock.now,
    sleep: clock.sleep,
  });
});
afterEach(() => rc.close());

function ensure(extra: Partial<EnsureRingCentralSubscriptionOptions> = {}) {
  return ensureRingCentralSubscription({ client, documents, notificationUrl, verificationToken: TOKEN, now: clock.now, ...extra });
}

describe('account-wide subscription', () => {
  it('creates one account-wide WebHook subscription, after RingCentral validated the endpoint', async () => {
    const report = await ensure();
    expect(report.scope).toBe('account');
    expect(report.actions.map((a) => a.action)).toEqual(['created']);
    const [created] = [...rc.subscriptions.values()];
    // Kept as RingCentral answered: `~` expanded to the account id.
    expect(created.eventFilters).toEqual([`/restapi/v1.0/account/${rc.accountId}/presence?detailedTelephonyState=true`]);
    expect(created.deliveryMode).toEqual({ transportType: 'WebHook', address: notificationUrl, verificationToken: TOKEN });
    expect(created.expiresIn).toBe(315360000);
    expect(notificationUrl).toMatch(/\/webhooks\/ringcentral$/);
    expect((await documents.getDocument(RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT))?.value).toMatchObject({
      scope: 'account',
      ids: [created.id],
      accountId: rc.accountId,
      ownerExtensionId: rc.ownerExtensionId,
      verificationTokenHashes: { [created.id]: hashRingCentralVerificationToken(TOKEN) },
    });
  });

  it('changes nothing on the second run: only the list call, ids read once, no token in the store', async () => {
    await ensure();
    const before = rc.requests.length;
    const again = await ensure();
    expect(again.scope).toBe('account');
    expect(again.actions.map((a) => a.action)).toEqual(['reused']);
    const second = rc.requests.slice(before).filter((r) => r.path !== '/restapi/oauth/token');
    expect(second.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /restapi/v1.0/subscription']);
    expect(rc.requestsTo(/^\/restapi\/v1\.0\/account\/~$/, 'GET')).toHaveLength(1);
    expect(JSON.stringify([...documents.docs.values()])).not.toContain(TOKEN);
  });

  it('reads the ids again when a login reports another owner (other credentials)', async () => {
    await ensure();
    const stored = documents.docs.get(RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT)!;
    stored.value = { ...(stored.value as object), accountId: '1', ownerExtensionId: '2' };
    const report = await ensure();
    expect(report.actions.map((a) => a.action)).toEqual(['reused']);
    expect(rc.requestsTo(/^\/restapi\/v1\.0\/account\/~$/, 'GET')).toHaveLength(2);
    expect(documents.docs.get(RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT)!.value).toMatchObject({ accountId: rc.accountId, ownerExtensionId: rc.ownerExtensionId });
  });

  it('keeps the account-wide subscription when the account id cannot be read (~ then matches any account)', async () => {
    rc.failNext(/^\/restapi\/v1\.0\/account\/~$/, {
      status: 403,
      body: { errorCode: 'CMN-408', message: 'In order to call this API endpoint, user needs to have [ReadCompanyInfo] permission for requested resource.' },
    });
    const first = await ensure();
    expect(first.scope).toBe('account');
    expect(first.actions.map((a) => a.action)).toEqual(['created']);
    expect(documents.docs.get(RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT)!.value).not.toHaveProperty('accountId');
    const again = await ensure();
    expect(again.actions.map((a) => a.action)).toEqual(['reused']);
    expect(documents.docs.get(RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT)!.value).toMatchObject({ accountId: rc.accountId });
  });

  it('reuses it on the next run, and renews it when it nears expiry', async () => {
    await ensure({ expiresIn: 30 * 24 * 3600 });
    const again = await ensure({ expiresIn: 30 * 24 * 3600 });
    expect(again.actions.map((a) => a.action)).toEqual(['reused']);
    expect(rc.requestsTo(/\/subscription$/, 'POST')).toHaveLength(1);

    clock.advance(24 * 24 * 3600 * 1000); // 6 days left: less than the 7-day renewal margin
    const renewed = await ensure({ expiresIn: 30 * 24 * 3600 });
    expect(renewed.actions.map((a) => a.action)).toEqual(['renewed']);
    expect(rc.requestsTo(/\/renew$/, 'POST')).toHaveLength(1);
  });

  it('creates a new subscription when the one being renewed or updated is gone (404), then deletes the old id', async () => {
    const first = await ensure({ expiresIn: 30 * 24 * 3600 });
    const oldId = first.subscriptions[0].id;
    clock.advance(24 * 24 * 3600 * 1000);
    const gone = { status: 404, body: { errorCode: 'SUB-404', message: 'Subscription not found' } };
    rc.failNext(/\/renew$/, gone, 'POST');
    const renewed = await ensure({ expiresIn: 30 * 24 * 3600 });
    const newId = renewed.subscriptions[0].id;
    expect(renewed.actions).toEqual([
      { action: 'created', id: newId, detail: `${oldId} had disappeared` },
      { action: 'deleted', id: oldId, detail: 'no longer needed' },
    ]);
    expect([...rc.subscriptions.keys()]).toEqual([newId]);
    expect(documents.docs.get(RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT)!.value).toMatchObject({ ids: [newId] });

    rc.failNext(/\/subscription\/[^/]+$/, gone, 'PUT');
    const updated = await ensure({ expiresIn: 30 * 24 * 3600, verificationToken: 'rc-verification-token-2' });
    const latest = updated.subscriptions[0].id;
    expect(updated.actions).toEqual([
      { action: 'created', id: latest, detail: `${newId} had disappeared` },
      { action: 'deleted', id: newId, detail: 'no longer needed' },
    ]);
    expect(documents.docs.get(RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT)!.value).toMatchObject({
      ids: [latest],
      verificationTokenHashes: { [latest]: hashRingCentralVerificationToken('rc-verification-token-2') },
    });
    expect((await ensure({ expiresIn: 30 * 24 * 3600, verificationToken: 'rc-verification-token-2' })).actions.map((a) => a.action)).toEqual(['reused']);
  });

  it('deletes a blacklisted subscription and creates a new one', async () => {
    const first = await ensure();
    const oldId = first.subscriptions[0].id;
    rc.blacklist(oldId);

    const report = await ensure();
    expect(report.actions[0]).toMatchObject({ action: 'deleted', id: oldId });
    expect(report.actions[0].detail).toContain('Read timed out');
    expect(report.actions[1].action).toBe('created');
    expect(rc.subscriptions.has(oldId)).toBe(false);
    expect([...rc.subscriptions.values()].map((s) => s.status)).toEqual(['Active']);
  });

  it('updates the verification token after a rotation, though RingCentral never shows the token', async () => {
    await ensure();
    const [subscription] = [...rc.subscriptions.values()];
    const listed = await client.request<{ records: Array<{ deliveryMode: Record<string, unknown> }> }>({
      method: 'GET',
      path: '/restapi/v1.0/subscription',
      group: 'Light',
    });
    expect(listed.records[0].deliveryMode).not.toHaveProperty('verificationToken');

    const report = await ensure({ verificationToken: 'rc-verification-token-2' });
    expect(report.actions).toEqual([expect.objectContaining({ action: 'updated', detail: 'verification token rotated' })]);
    expect(rc.requestsTo(/\/subscription\/sub-1$/, 'PUT')[0].body).toMatchObject({ deliveryMode: { verificationToken: 'rc-verification-token-2' } });
    expect(rc.subscriptions.get(subscription.id)!.deliveryMode.verificationToken).toBe('rc-verification-token-2');
    expect(documents.docs.get(RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT)!.value).toMatchObject({
      verificationTokenHashes: { [subscription.id]: hashRingCentralVerificationToken('rc-verification-token-2') },
    });

    const settled = await ensure({ verificationToken: 'rc-verification-token-2' });
    expect(settled.actions.map((a) => a.action)).toEqual(['reused']);
  });

  it('sends the token once to a subscription whose token it does not remember (created before this was kept)', async () => {
    await ensure();
    const stored = documents.docs.get(RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT)!;
    const { verificationTokenHashes: _dropped, ...older } = stored.value as Record<string, unknown>;
    void _dropped;
    stored.value = older;
    const report = await ensure();
    expect(report.actions).toEqual([expect.objectContaining({ action: 'updated', detail: 'verification token not remembered, sent again' })]);
    expect((await ensure()).actions.map((a) => a.action)).toEqual(['reused']);
    expect(rc.requestsTo(/\/subscription\/sub-1$/, 'PUT')).toHaveLength(1);
  });

  it('fails with SUB-525 and a hint when the endpoint does not answer the handshake, without falling back', async () => {
    const error = await ensure({ notificationUrl: `${rc.url}/nowhere` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RingCentralApiError);
    expect(error).toMatchObject({ status: 400, errorCode: 'SUB-525' });
    expect((error as Error).message).toContain('Validation-Token');
    expect(rc.requestsTo(/\/account\/~\/extension$/)).toHaveLength(0);
  });
});

describe('verification token rotation as docs/ringcentral.md describes it (new,old → ensure → new)', () => {
  /** The bridge's webhook with a configuration that can change between steps (a redeploy). */
  const tokens = { verificationTokens: ['old-token'] };
  const accepted: PresenceEvent[] = [];
  let rotatingServer: http.Server;
  let rotatingUrl: string;

  beforeAll(async () => {
    const source = createRingCentralWebhookSource(tokens);
    const app = createExpressApp({
      webhookPaths: [RINGCENTRAL_WEBHOOK_PATH],
      handle: async (request) => {
        const outcome = await source.handle(request);
        if (outcome.kind === 'handshake') return outcome.response;
        if (outcome.kind === 'accepted') accepted.push(...outcome.events);
        const status = outcome.kind === 'rejected' ? outcome.status : 200;
        return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: outcome.kind }) };
      },
    });
    rotatingServer = await new Promise<http.Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    rotatingUrl = ringCentralNotificationUrl(`http://127.0.0.1:${(rotatingServer.address() as AddressInfo).port}`);
  });
  afterAll(() => new Promise((resolve) => rotatingServer.close(resolve)));

  it('loses no notification: either token is accepted during the rotation, and RingCentral sends the new one after the PUT', async () => {
    const deliver = async (sequence: number) => {
      const [delivery] = await rc.deliverPresence('101', { presenceStatus: 'Busy', sequence });
      return delivery;
    };
    await ensure({ notificationUrl: rotatingUrl, verificationToken: 'old-token' });
    expect(await deliver(1)).toMatchObject({ status: 200, verificationToken: 'old-token' });

    // 1. Deploy RINGCENTRAL_VERIFICATION_TOKEN=new-token,old-token: RingCentral still sends the old one.
    tokens.verificationTokens = ['new-token', 'old-token'];
    expect(await deliver(2)).toMatchObject({ status: 200, verificationToken: 'old-token' });

    // 2. Maintenance (or `subscriptions --ensure`) pushes the first value with a PUT.
    const report = await ensure({ notificationUrl: rotatingUrl, verificationToken: 'new-token' });
    expect(report.actions).toEqual([expect.objectContaining({ action: 'updated', detail: 'verification token rotated' })]);
    expect(await deliver(3)).toMatchObject({ status: 200, verificationToken: 'new-token' });

    // 3. Drop the old value: RingCentral's deliveries still pass; a notification with the old token does not.
    tokens.verificationTokens = ['new-token'];
    expect(await deliver(4)).toMatchObject({ status: 200, verificationToken: 'new-token' });
    const forged = await fetch(rotatingUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'verification-token': 'old-token' },
      body: JSON.stringify(rc.deliveries[0].notification),
    });
    expect(forged.status).toBe(401);

    // Every delivery was recorded, for the extension named by its numeric id.
    expect(accepted.map((e) => [e.externalUserId, e.tiebreak])).toEqual([
      ['101', 1],
      ['101', 2],
      ['101', 3],
      ['101', 4],
    ]);
    expect(rc.deliveries.map((d) => d.notification.event)).toEqual(
      Array(4).fill(`/restapi/v1.0/account/${rc.accountId}/extension/101/presence?detailedTelephonyState=true`),
    );
  });
});

describe('per-extension fallback', () => {
  it('falls back to per-extension filters for enabled users when the account filter is refused', async () => {
    rc.refuseAccountFilter = 'error';
    const report = await ensure({ filtersPerSubscription: 2 });
    expect(report.scope).toBe('extension');
    expect(report.accountScopeRefusal).toMatch(/ReadAccounts/);
    const filters = [...rc.subscriptions.values()].map((s) => s.eventFilters);
    expect(filters).toEqual([
      [rc.expandFilter(ringCentralExtensionPresenceFilter('101')), rc.expandFilter(ringCentralExtensionPresenceFilter('102'))],
      [rc.expandFilter(ringCentralExtensionPresenceFilter('103'))],
    ]);

    // The refusal is remembered: the next run does not ask for the account filter again.
    const creates = rc.requestsTo(/\/subscription$/, 'POST').length;
    const before = rc.requests.length;
    const again = await ensure({ filtersPerSubscription: 2 });
    expect(again.actions.map((a) => a.action)).toEqual(['reused', 'reused']);
    expect(rc.requestsTo(/\/subscription$/, 'POST')).toHaveLength(creates);
    expect(rc.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('falls back when RingCentral disables the account filter instead of refusing it', async () => {
    rc.refuseAccountFilter = 'disable';
    const report = await ensure();
    expect(report.scope).toBe('extension');
    const subscriptions = [...rc.subscriptions.values()];
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0].eventFilters).toHaveLength(3);
    expect(report.actions.filter((a) => a.action === 'deleted')).toHaveLength(2);
  });

  it('moves back to the account filter once it is allowed, deleting the per-extension subscriptions after', async () => {
    rc.refuseAccountFilter = 'error';
    await ensure({ extensionIds: ['101', '102'] });
    rc.refuseAccountFilter = false;
    clock.advance(25 * 3600 * 1000);
    const report = await ensure();
    expect(report.scope).toBe('account');
    expect(report.actions.map((a) => a.action)).toEqual(['created', 'deleted']);
    expect([...rc.subscriptions.values()].map((s) => s.eventFilters)).toEqual([[rc.expandFilter(RINGCENTRAL_ACCOUNT_PRESENCE_FILTERS[0])]]);
  });

  it('falls back when keeping the account-wide subscription is refused (PUT answered 403)', async () => {
    const first = await ensure();
    const accountId = first.subscriptions[0].id;
    rc.failNext(
      /\/subscription\/[^/]+$/,
      { status: 403, body: { errorCode: 'CMN-401', message: 'In order to call this API endpoint, user needs to have [ReadAccounts] permission' } },
      'PUT',
    );
    const report = await ensure({ verificationToken: 'rc-verification-token-2' });
    expect(report.scope).toBe('extension');
    expect(report.accountScopeRefusal).toMatch(/ReadAccounts/);
    expect(report.actions.map((a) => [a.action, a.id === accountId])).toEqual([
      ['created', false],
      ['deleted', true],
    ]);
    expect([...rc.subscriptions.values()].map((s) => s.eventFilters.length)).toEqual([3]);
  });

  it('stays on the account filter when configured so, and reports the refusal', async () => {
    rc.refuseAccountFilter = 'error';
    await expect(ensure({ scope: 'account' })).rejects.toMatchObject({ status: 403, permissionName: 'ReadAccounts' });
  });
});

describe('extension directory', () => {
  it('pages the extension list and maps extension ids to lower-cased emails', async () => {
    const result = await refreshRingCentralDirectory(client, documents, { perPage: 2 });
    expect(result).toMatchObject({ extensions: 5, withEmail: 4, pages: 3 });
    const lookup = createRingCentralEmailDirectory(documents);
    expect(await lookup({ system: 'ringcentral', externalUserId: '101' })).toBe('ada@example.com');
    expect(await lookup({ system: 'ringcentral', externalUserId: '102' })).toBe('bob@example.com');
    expect(await lookup({ system: 'ringcentral', externalUserId: '103' })).toBeUndefined();
    expect(await lookup({ system: 'ringcentral', externalUserId: '999' })).toBeUndefined();
    expect(await lookup({ system: 'zoom', externalUserId: '101' })).toBeUndefined();
    expect((await readRingCentralDirectory(documents)).get('104')).toEqual({ email: 'sales@example.com', type: 'Department', status: 'Enabled' });
  });
});
