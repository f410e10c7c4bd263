/**
 * Issue 9, "done when": a restart of the local bridge with RingCentral configured causes no subscription
 * change. The local bridge runs its maintenance against the RingCentral stand-in — which, like RingCentral,
 * answers with `~` expanded to numeric ids and never returns the verification token — creates the
 * account-wide subscription (with the real Validation-Token handshake), is stopped, and is started again
 * on the same data directory: the second start lists the subscriptions and changes nothing.
 */
import net from 'node:net';
import type { LocalBridge } from '../../src/server';
import { RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT } from '../../src/sources/ringcentral/subscriptions';
import { sandboxPresence, startTestBridge, tempDataDir, waitFor } from '../helpers/local-bridge';
import { startRingCentralStandIn, type RingCentralStandIn } from '../helpers/ringcentral-stand-in';

const TOKEN = 'rc-restart-token';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves when the bridge has written the subscriptions document past `version` (a maintenance run ended). */
async function subscriptionRunAfter(bridge: LocalBridge, version: number): Promise<{ value: Record<string, unknown>; version: number }> {
  let found: { value: Record<string, unknown>; version: number } | undefined;
  await waitFor(
    async () => {
      found = await bridge.parts.store.getDocument<Record<string, unknown>>(RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT);
      return found !== undefined && found.version > version;
    },
    15_000,
    'the RingCentral subscription maintenance',
  );
  return found!;
}

const changes = (rc: RingCentralStandIn, from: number) =>
  rc.requests
    .slice(from)
    .filter((r) => r.method !== 'GET' && r.path !== '/restapi/oauth/token')
    .map((r) => `${r.method} ${r.path}`);

describe('RingCentral: restarting the local bridge', () => {
  let rc: RingCentralStandIn;
  let bridge: LocalBridge | undefined;

  beforeAll(async () => {
    rc = await startRingCentralStandIn();
    rc.validateAddress = true;
    rc.extensions = [{ id: 101, type: 'User', status: 'Enabled', contact: { email: 'alice@example.com' } }];
  });
  afterAll(async () => {
    await bridge?.stop();
    await rc.close();
  });

  it('creates the account-wide subscription once, and a restart on the same data directory changes nothing', async () => {
    const port = await freePort();
    const env = {
      BRIDGE_DATA_DIR: tempDataDir(),
      PORT: String(port),
      TEAMS_NOTIFICATION_URL: `http://127.0.0.1:${port}`,
      RINGCENTRAL_SERVER_URL: rc.url,
      RINGCENTRAL_CLIENT_ID: rc.clientId,
      RINGCENTRAL_CLIENT_SECRET: rc.clientSecret,
      RINGCENTRAL_JWT: rc.jwt,
      RINGCENTRAL_VERIFICATION_TOKEN: TOKEN,
    };

    // First start: the startup maintenance creates one account-wide subscription and nothing else.
    bridge = await startTestBridge(env);
    const first = await subscriptionRunAfter(bridge, 0);
    expect(first.value).toMatchObject({ scope: 'account', accountId: rc.accountId, ownerExtensionId: rc.ownerExtensionId });
    expect(changes(rc, 0)).toEqual(['POST /restapi/v1.0/subscription']);
    const [subscription] = [...rc.subscriptions.values()];
    expect(subscription.eventFilters).toEqual([`/restapi/v1.0/account/${rc.accountId}/presence?detailedTelephonyState=true`]);
    expect(subscription.deliveryMode).toMatchObject({ address: `http://127.0.0.1:${port}/webhooks/ringcentral`, verificationToken: TOKEN });

    const [delivered] = await rc.deliverPresence('101', { presenceStatus: 'Busy', telephonyStatus: 'CallConnected', sequence: 1 });
    expect(delivered.status).toBe(200);
    await waitFor(async () => (await sandboxPresence(bridge!, 'alice@example.com', 'ringcentral'))?.systemPresence === 'Busy');
    await bridge.stop();
    bridge = undefined;

    // Second start, same data directory and address: the maintenance only lists the subscriptions.
    const mark = rc.requests.length;
    bridge = await startTestBridge(env);
    const second = await subscriptionRunAfter(bridge, first.version);
    expect(second.value).toMatchObject({ scope: 'account', ids: [subscription.id] });
    expect(changes(rc, mark)).toEqual([]);
    expect(rc.requests.slice(mark).map((r) => `${r.method} ${r.path}`)).toContain('GET /restapi/v1.0/subscription');
    expect(rc.requestsTo(/^\/restapi\/v1\.0\/account\/~$/)).toHaveLength(1);

    // A further maintenance run changes nothing either, and RingCentral's deliveries still pass.
    await bridge.maintain();
    expect(changes(rc, mark)).toEqual([]);
    expect([...rc.subscriptions.keys()]).toEqual([subscription.id]);
    const [again] = await rc.deliverPresence('101', { presenceStatus: 'Available', telephonyStatus: 'NoCall', sequence: 2 });
    expect(again.status).toBe(200);
    await waitFor(async () => (await sandboxPresence(bridge!, 'alice@example.com', 'ringcentral'))?.systemPresence === 'Available');
  });
});
