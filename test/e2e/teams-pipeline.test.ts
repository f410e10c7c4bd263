/**
 * The whole Teams flow on loopback: the local bridge against a Microsoft stand-in (HTTPS login, JWKS,
 * /users, presence reads, /subscriptions with the real validation handshake) and the Genesys sandbox.
 */
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import type { LocalBridge } from '../../src/server';
import type { StatusReport } from '../../src/status/status-report';
import { createMsalNetworkClient } from '../../src/sources/teams/msal-setup';
import { teamsModule } from '../../src/sources/teams/teams-module';
import {
  generateSelfSignedCertificate,
  makeTempDir,
  removeTempDir,
  startMicrosoftStandIn,
  type MicrosoftStandIn,
  type StandInUser,
} from '../helpers/microsoft-stand-in';
import { sandboxPresence, startTestBridge, waitFor } from '../helpers/local-bridge';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const user = (mail: string, availability: string, activity: string): StandInUser => ({
  id: randomUUID(),
  mail,
  userPrincipalName: mail.replace('@', '_upn@'),
  availability,
  activity,
});

describe('Teams end to end (subscription mode)', () => {
  const alice = user('alice@example.com', 'Available', 'Available');
  const bob = user('Bob@Example.com', 'Away', 'BeRightBack');
  const carol = user('carol@example.com', 'Offline', 'OffWork');
  const service = user('svc-presence@example.com', 'Offline', 'Offline');
  // Not covered: no Genesys user, and a disabled Entra account whose email has one (erin@example.com).
  const frank = user('frank@contoso.example', 'Busy', 'InACall');
  const erin = { ...user('erin@example.com', 'Available', 'Available'), accountEnabled: false };
  let standIn: MicrosoftStandIn;
  let bridge: LocalBridge;
  let dir: string;

  beforeAll(async () => {
    dir = makeTempDir();
    const encryption = generateSelfSignedCertificate(dir, 'encryption');
    standIn = await startMicrosoftStandIn({ users: [alice, bob, carol, service, frank, erin] });
    const port = await freePort();
    bridge = await startTestBridge(
      {
        PORT: String(port),
        TEAMS_TENANT_ID: standIn.tenantId,
        TEAMS_CLIENT_ID: standIn.clientId,
        TEAMS_CLIENT_SECRET: standIn.clientSecret,
        TEAMS_CLIENT_STATE: 'e2e-client-state',
        TEAMS_NOTIFICATION_URL: `http://127.0.0.1:${port}`,
        TEAMS_ENCRYPTION_PRIVATE_KEY: encryption.keyPem,
        TEAMS_ENCRYPTION_CERTIFICATE: encryption.certPem,
        TEAMS_ENCRYPTION_CERTIFICATE_ID: 'e2e-cert',
        TEAMS_TOKEN_ENCRYPTION_KEY: 'an-e2e-token-encryption-key-000',
        TEAMS_MODE: 'subscription',
        GRAPH_API_BASE_URL: standIn.graphBaseUrl,
        MICROSOFT_LOGIN_BASE_URL: standIn.loginBaseUrl,
        GRAPH_JWKS_URL: standIn.jwksUrl,
      },
      { msalNetworkClient: createMsalNetworkClient({ httpsAgent: standIn.httpsAgent }) },
    );
  });

  afterAll(async () => {
    expect(bridge.sandbox!.violations).toEqual([]);
    await bridge.stop();
    await standIn.close();
    removeTempDir(dir);
  });

  it('reconciles every matched user from Graph on a maintenance run, before any subscription exists', async () => {
    await bridge.maintain();
    await waitFor(async () => (await sandboxPresence(bridge, 'carol@example.com', 'teams'))?.systemPresence === 'Offline');
    await waitFor(async () => (await sandboxPresence(bridge, 'alice@example.com', 'teams'))?.systemPresence === 'Available');
    await waitFor(async () => (await sandboxPresence(bridge, 'bob@example.com', 'teams'))?.systemPresence === 'Away');
    expect((await sandboxPresence(bridge, 'bob@example.com', 'teams'))?.message).toBe('Be right back');
    // No service account is signed in yet: the subscription feed needs the operator.
    const { counters } = (await (await fetch(`${bridge.url}/status.json`)).json()) as StatusReport;
    expect(counters!.gauges).toContainEqual({ name: 'SubscriptionsUnhealthy', system: 'teams', value: 1 });
  });

  it('subscribes through a signed-in service account with the real validation handshake', async () => {
    await bridge.assembled.vendor(teamsModule).runtime.login('svc-1', (prompt) => standIn.approveDeviceCode(prompt.userCode, service.id));
    await bridge.maintain();
    const subscription = [...standIn.subscriptions.values()][0];
    expect(subscription).toBeDefined();
    expect(subscription.userIds).toEqual(expect.arrayContaining([alice.id, bob.id, carol.id]));
    expect(subscription.notificationUrl).toBe(`${bridge.url}/webhooks/teams`);
    // The metrics (README "What to watch"), here as the local status page's counters since start.
    const { counters } = (await (await fetch(`${bridge.url}/status.json`)).json()) as StatusReport;
    const find = (list: ReadonlyArray<{ name: string; system?: string; value: number }>, name: string) =>
      list.find((entry) => entry.name === name && entry.system === 'teams')?.value;
    expect(find(counters!.counters, 'SubscriptionRenewals')).toBeGreaterThanOrEqual(1);
    expect(find(counters!.counters, 'SubscriptionFailures')).toBeUndefined();
    expect(find(counters!.gauges, 'SubscriptionsUnhealthy')).toBe(0);
    expect(find(counters!.gauges, 'AccountsNeedingSignIn')).toBe(0);
  });

  it('covers only enabled Entra users with a Genesys user: the others are not subscribed, read or searched for', async () => {
    const subscription = [...standIn.subscriptions.values()][0];
    expect([...subscription.userIds].sort()).toEqual([alice.id, bob.id, carol.id].sort());
    const read = new Set(standIn.requests.flatMap((request) => request.ids ?? []));
    for (const uncovered of [service, frank, erin]) expect(read.has(uncovered.id)).toBe(false);
    const keys = (await bridge.parts.store.list({ system: 'teams' })).map((record) => record.key.externalUserId);
    expect(keys).not.toEqual(expect.arrayContaining([frank.id]));
    const searched = bridge
      .sandbox!.requests.filter((request) => request.path === '/api/v2/users/search')
      .map((request) => JSON.stringify(request.body).toLowerCase());
    for (const email of ['svc-presence@example.com', 'frank@contoso.example', 'erin@example.com']) {
      expect(searched.filter((body) => body.includes(email))).toEqual([]);
    }
  });

  it('writes a rich notification batch of several users to Genesys', async () => {
    const subscription = [...standIn.subscriptions.values()][0];
    standIn.setPresence(alice.id, 'Busy', 'InAMeeting');
    standIn.setPresence(bob.id, 'DoNotDisturb', 'Presenting');
    const delivery = await standIn.deliver([
      { subscriptionId: subscription.id, userId: alice.id },
      { subscriptionId: subscription.id, userId: bob.id },
    ]);
    expect(delivery.status).toBe(202);
    await waitFor(async () => (await sandboxPresence(bridge, 'alice@example.com', 'teams'))?.systemPresence === 'Meeting');
    await waitFor(async () => (await sandboxPresence(bridge, 'bob@example.com', 'teams'))?.systemPresence === 'Busy');
    expect((await sandboxPresence(bridge, 'bob@example.com', 'teams'))?.message).toBe('Presenting');
  });

  it("accepts a batch that mixes in other subscriptions' items (202) and writes the valid ones", async () => {
    const subscription = [...standIn.subscriptions.values()][0];
    const otherApp = generateSelfSignedCertificate(dir, 'other-app');
    standIn.setPresence(alice.id, 'Away', 'Away');
    standIn.setPresence(carol.id, 'Busy', 'Busy');
    const delivery = await standIn.deliver([{ subscriptionId: subscription.id, userId: alice.id }], {
      foreignItems: [
        // Another app's rich subscription on the same URL: its own clientState, certificate and validation token.
        { userId: carol.id, encryptWith: { certificatePem: otherApp.certPem, certificateId: 'other-app-cert' } },
        // A subscription of ours the bridge no longer knows (deleted, still delivering).
        { userId: bob.id, clientState: 'e2e-client-state' },
      ],
    });
    expect(delivery.status).toBe(202);
    await waitFor(async () => (await sandboxPresence(bridge, 'alice@example.com', 'teams'))?.systemPresence === 'Away');
    // The other app's item (carol, now Busy in Teams) was dropped: neither decrypted nor read.
    await new Promise((r) => setTimeout(r, 300));
    expect((await sandboxPresence(bridge, 'carol@example.com', 'teams'))?.systemPresence).toBe('Offline');
  });

  it('orders by sequenceNumber: a late delivery of an older state writes nothing', async () => {
    const subscription = [...standIn.subscriptions.values()][0];
    standIn.setPresence(bob.id, 'Busy', 'InACall');
    const older = { availability: 'Busy', activity: 'InACall', sequenceNumber: standIn.sequenceOf(bob.id) };
    standIn.setPresence(bob.id, 'Away', 'Away');
    expect((await standIn.deliver([{ subscriptionId: subscription.id, userId: bob.id }])).status).toBe(202);
    await waitFor(async () => (await sandboxPresence(bridge, 'bob@example.com', 'teams'))?.message === 'Away');
    const writes = bridge.sandbox!.presenceWrites.length;

    const late = await standIn.deliver([{ subscriptionId: subscription.id, userId: bob.id }], { pastPresence: { [bob.id]: older } });
    expect(late.status).toBe(202);
    await new Promise((r) => setTimeout(r, 300));
    expect(bridge.sandbox!.presenceWrites.length).toBe(writes);
    expect((await sandboxPresence(bridge, 'bob@example.com', 'teams'))?.systemPresence).toBe('Away');
  });

  it('acknowledges a batch with a tampered dataSignature (authentic batch), and the worker drops the item: nothing written', async () => {
    const subscription = [...standIn.subscriptions.values()][0];
    standIn.setPresence(carol.id, 'Available', 'Available');
    const writes = bridge.sandbox!.presenceWrites.length;
    const delivery = await standIn.deliver([{ subscriptionId: subscription.id, userId: carol.id }], {
      tamper: (item) => {
        const content = item.encryptedContent as Record<string, string>;
        content.dataSignature = Buffer.from('forged').toString('base64');
      },
    });
    // clientState and the validation token pass, so the batch is acknowledged before decryption
    // (docs/teams.md "Decryption in the worker"); the worker checks the dataSignature and drops the item.
    expect(delivery.status).toBe(202);
    await new Promise((r) => setTimeout(r, 300));
    expect(bridge.sandbox!.presenceWrites.length).toBe(writes);
    expect((await sandboxPresence(bridge, 'carol@example.com', 'teams'))?.systemPresence).toBe('Offline');
  });

  it('rejects a wrong clientState with 403 and writes nothing', async () => {
    const subscription = [...standIn.subscriptions.values()][0];
    const writes = bridge.sandbox!.presenceWrites.length;
    const delivery = await standIn.deliver([{ subscriptionId: subscription.id, userId: carol.id }], { clientState: 'not-ours' });
    expect(delivery.status).toBe(403);
    await new Promise((r) => setTimeout(r, 300));
    expect(bridge.sandbox!.presenceWrites.length).toBe(writes);
  });

  it('reads presence back from Graph after a "missed" lifecycle notification', async () => {
    const subscription = [...standIn.subscriptions.values()][0];
    const answer = await standIn.deliverLifecycle(subscription.id, 'missed');
    expect(answer.status).toBeLessThan(300);
    await waitFor(async () => (await sandboxPresence(bridge, 'carol@example.com', 'teams'))?.systemPresence === 'Available');
  });
});

describe('Teams end to end (polling mode alone)', () => {
  it('keeps Genesys current with no service account and no webhook', async () => {
    const dave = user('dave@example.com', 'Busy', 'InACall');
    const standIn = await startMicrosoftStandIn({ users: [dave] });
    const bridge = await startTestBridge(
      {
        TEAMS_TENANT_ID: standIn.tenantId,
        TEAMS_CLIENT_ID: standIn.clientId,
        TEAMS_CLIENT_SECRET: standIn.clientSecret,
        TEAMS_MODE: 'polling',
        TEAMS_POLL_INTERVAL_SECONDS: '10',
        GRAPH_API_BASE_URL: standIn.graphBaseUrl,
        MICROSOFT_LOGIN_BASE_URL: standIn.loginBaseUrl,
      },
      { msalNetworkClient: createMsalNetworkClient({ httpsAgent: standIn.httpsAgent }) },
    );
    try {
      await waitFor(async () => (await sandboxPresence(bridge, 'dave@example.com', 'teams'))?.systemPresence === 'Busy', 15_000);
      expect((await sandboxPresence(bridge, 'dave@example.com', 'teams'))?.message).toBe('In a call');
      expect(standIn.subscriptions.size).toBe(0);
    } finally {
      await bridge.stop();
      await standIn.close();
    }
  });
});
