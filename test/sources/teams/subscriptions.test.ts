/**
 * Subscription mode end to end against the Microsoft stand-in: service accounts signed in with the
 * device code, the maintainer creating one subscription per account (≤650 users each) through the
 * REAL validation handshake to our webhook routes, rich notifications decrypted and validated with
 * the real signing-key fetch against the stand-in's JWKS, renewal, re-creation on 404, 409 recovery, and
 * lifecycle events handled by the task runner.
 */

import type { TeamsConnection } from '../../../src/config';
import type { PresenceEvent } from '../../../src/presence';
import type { QueueMessage } from '../../../src/queue/key-queue';
import { assignUsersToAccounts, presenceResource } from '../../../src/sources/teams/subscriptions';
import { createMsalNetworkClient } from '../../../src/sources/teams/msal-setup';
import { createTeamsRuntime, type TeamsRuntime } from '../../../src/sources/teams/runtime';
import { TEAMS_TASKS, type TeamsTaskMessage } from '../../../src/sources/teams/tasks';
import { readTeamsSettings } from '../../../src/sources/teams/teams-settings';
import type { WebhookSource } from '../../../src/webhooks/types';
import {
  generateSelfSignedCertificate,
  makeTempDir,
  makeUsers,
  removeTempDir,
  startMicrosoftStandIn,
  type MicrosoftStandIn,
} from '../../helpers/microsoft-stand-in';
import { createMemoryDocumentStore, startWebhookServer, type MemoryDocumentStore, type WebhookServer } from './support';

const USERS = makeUsers(700);
const CLIENT_STATE = 'client-state-7f1c2a';
const MINUTE = 60_000;

let dir: string;
let standIn: MicrosoftStandIn;
let webhooks: WebhookServer;
let store: MemoryDocumentStore;
let runtime: TeamsRuntime;
let clock = Date.parse('2030-03-01T09:00:00Z');
const recorded: PresenceEvent[] = [];
const sources: WebhookSource[] = [];
let encryption: { certPem: string; keyPem: string };

beforeAll(async () => {
  dir = makeTempDir();
  encryption = generateSelfSignedCertificate(dir, 'notifications');
  standIn = await startMicrosoftStandIn({ users: USERS, now: () => clock });
  webhooks = await startWebhookServer(sources, () => clock);
  store = createMemoryDocumentStore();
  const config = configFor();
  runtime = createTeamsRuntime({
    config,
    settings: readTeamsSettings({ TEAMS_NOTIFICATION_URL: webhooks.baseUrl, TEAMS_TOKEN_ENCRYPTION_KEY: 'vault-secret-0123456789abcdef' }),
    store,
    recordEvents: async (events) => void recorded.push(...events),
    msalNetworkClient: createMsalNetworkClient({ httpsAgent: standIn.httpsAgent }),
    graphRetry: { delaySeconds: 0 },
    now: () => clock,
  });
  sources.push(...runtime.createWebhookSources());
  for (const [name, user] of [
    ['svc-a', USERS[0]],
    ['svc-b', USERS[1]],
  ] as const) {
    await runtime.login(name, (prompt) => standIn.approveDeviceCode(prompt.userCode, user.id));
  }
});

afterAll(async () => {
  await webhooks.close();
  await standIn.close();
  removeTempDir(dir);
});

function configFor(): TeamsConnection {
  return {
    tenantId: standIn.tenantId,
    clientId: standIn.clientId,
    clientSecret: standIn.clientSecret,
    clientStates: [CLIENT_STATE],
    notificationUrl: webhooks.baseUrl,
    encryptionPrivateKey: encryption.keyPem,
    encryptionCertificate: encryption.certPem,
    encryptionCertificateId: 'cert-2030',
    graphApiBaseUrl: standIn.graphBaseUrl,
    microsoftLoginBaseUrl: standIn.loginBaseUrl,
    graphJwksUrl: standIn.jwksUrl,
  };
}

const subscriptionOf = (account: string) => {
  const owner = account === 'svc-a' ? USERS[0].id : USERS[1].id;
  return [...standIn.subscriptions.values()].find((s) => s.ownerUserId === owner);
};

const asTask = (message: QueueMessage): TeamsTaskMessage => {
  if (message.kind !== 'task') throw new Error('expected a task');
  return message;
};

test('assignment: ≤650 per account, stable for users already covered', () => {
  const ids = USERS.map((u) => u.id);
  const first = assignUsersToAccounts(ids, ['svc-b', 'svc-a']);
  expect(first.byAccount['svc-a']).toHaveLength(650);
  expect(first.byAccount['svc-b']).toHaveLength(50);
  expect(first.uncovered).toEqual([]);
  // One user leaves svc-a, two arrive: everyone else stays where they were; newcomers fill free places.
  const leaver = first.byAccount['svc-a'][0];
  const next = assignUsersToAccounts([...ids.filter((id) => id !== leaver), 'new-1', 'new-2'], ['svc-a', 'svc-b'], first.byAccount);
  expect(next.byAccount['svc-a']).toEqual([...first.byAccount['svc-a'].slice(1), 'new-1'].sort());
  expect(next.byAccount['svc-b']).toEqual([...first.byAccount['svc-b'], 'new-2'].sort());
  const unchanged = assignUsersToAccounts([...ids].reverse(), ['svc-a', 'svc-b'], first.byAccount);
  expect(unchanged.byAccount).toEqual(first.byAccount);
  expect(assignUsersToAccounts(['a', 'b', 'c'], ['x'], {}, 2).uncovered).toEqual(['c']);
  expect(presenceResource(['a', 'b'])).toBe("/communications/presences?$filter=id in ('a','b')");
});

test('first maintenance run: one subscription per account through the real handshake, then a full reconcile', async () => {
  const report = await runtime.runMaintenance();
  expect(report).toMatchObject({
    mode: 'subscription',
    users: 700,
    directoryRefreshed: true,
    uncovered: 0,
    presencesRead: 700,
    eventsRecorded: 700,
    errors: [],
    accounts: [
      { account: 'svc-a', users: 650, action: 'created' },
      { account: 'svc-b', users: 50, action: 'created' },
    ],
  });
  const a = subscriptionOf('svc-a')!;
  const b = subscriptionOf('svc-b')!;
  expect(a.userIds).toHaveLength(650);
  expect(b.userIds).toHaveLength(50);
  for (const subscription of [a, b]) {
    expect(subscription).toMatchObject({ includeResourceData: true, encryptionCertificateId: 'cert-2030', clientState: CLIENT_STATE });
    expect(subscription.notificationUrl).toBe(`${webhooks.baseUrl}/webhooks/teams`);
    expect(subscription.lifecycleNotificationUrl).toBe(`${webhooks.baseUrl}/webhooks/teams/lifecycle`);
    expect(Date.parse(subscription.expirationDateTime) - clock).toBeLessThanOrEqual(60 * MINUTE);
  }
  // Two handshakes per subscription (notification + lifecycle URL), each answered with the exact token.
  const handshakes = webhooks.outcomes.filter((o) => o.outcome.kind === 'handshake');
  expect(handshakes).toHaveLength(4);
  expect(recorded.filter((e) => e.externalUserId === USERS[10].id)[0]).toMatchObject({ email: 'user00010@contoso.example' });
});

test('rich notifications from both subscriptions in one POST are validated (JWKS), decrypted and all recorded', async () => {
  const a = subscriptionOf('svc-a')!;
  const b = subscriptionOf('svc-b')!;
  const [u1, u2] = a.userIds;
  const [u3] = b.userIds;
  standIn.setPresence(u1, 'Busy', 'InAMeeting');
  standIn.setPresence(u2, 'DoNotDisturb', 'Presenting');
  standIn.setPresence(u3, 'Offline', 'OffWork');
  const result = await standIn.deliver([
    { subscriptionId: a.id, userId: u1 },
    { subscriptionId: b.id, userId: u3 },
    { subscriptionId: a.id, userId: u2 },
  ]);
  expect(result.status).toBe(202);
  const last = webhooks.outcomes[webhooks.outcomes.length - 1].outcome;
  // Acknowledged still encrypted: the worker's task runner checks each dataSignature, decrypts and records.
  expect(last).toMatchObject({ kind: 'accepted', events: [], tasks: [{ task: TEAMS_TASKS.decryptPresence }] });
  const before = recorded.length;
  for (const task of last.kind === 'accepted' ? (last.tasks ?? []) : []) expect(await runtime.taskRunner(asTask(task))).toEqual({ kind: 'done' });
  expect(recorded.slice(before).map((e) => [e.externalUserId, e.values.activity, e.order, e.tiebreak])).toEqual([
    [u1, 'InAMeeting', clock, 0],
    [u3, 'OffWork', clock, 1],
    [u2, 'Presenting', clock, 2],
  ]);
  // The stand-in's keys were fetched once (an unknown kid) and stored; the next batch uses them.
  expect((await standIn.deliver([{ subscriptionId: b.id, userId: u3 }])).status).toBe(202);
  expect(standIn.requests.filter((r) => r.path === '/common/discovery/v2.0/keys')).toHaveLength(1);
});

test('a forged notification (wrong clientState) gets 403 and records nothing', async () => {
  const a = subscriptionOf('svc-a')!;
  const before = webhooks.events.length;
  const result = await standIn.deliver([{ subscriptionId: a.id, userId: a.userIds[0] }], { clientState: 'guessed' });
  expect(result.status).toBe(403);
  expect(webhooks.events.length).toBe(before);
});

test('renewal: PATCH once less than the renew window is left', async () => {
  const before = { a: subscriptionOf('svc-a')!, b: subscriptionOf('svc-b')! };
  clock += 10 * MINUTE;
  expect((await runtime.runMaintenance()).accounts.map((a) => a.action)).toEqual(['unchanged', 'unchanged']);
  clock += 30 * MINUTE; // 18 minutes left < 25
  const report = await runtime.runMaintenance();
  expect(report.accounts.map((a) => a.action)).toEqual(['renewed', 'renewed']);
  expect(subscriptionOf('svc-a')!.id).toBe(before.a.id);
  expect(Date.parse(subscriptionOf('svc-a')!.expirationDateTime)).toBe(clock + 58 * MINUTE);
  expect(standIn.requests.filter((r) => r.method === 'PATCH')).toHaveLength(2);
});

test('re-creation: a subscription Graph dropped (404 on renew) is created again and the old id is refused', async () => {
  const old = subscriptionOf('svc-a')!;
  standIn.dropSubscription(old.id);
  clock += 40 * MINUTE;
  const report = await runtime.runMaintenance();
  expect(report.accounts.map((a) => a.action)).toEqual(['recreated', 'renewed']);
  const renewed = subscriptionOf('svc-a')!;
  expect(renewed.id).not.toBe(old.id);
  expect(renewed.userIds).toEqual(old.userIds);

  const source = sources[0];
  const stale = await source.handle({
    method: 'POST',
    path: '/webhooks/teams',
    query: {},
    headers: {},
    body: Buffer.from(
      JSON.stringify({ value: [{ subscriptionId: old.id, clientState: CLIENT_STATE, resource: `communications/presences/${old.userIds[0]}` }] }),
    ),
    receivedAt: clock + 5 * MINUTE, // past the lookup's cache age
  });
  expect(stale).toMatchObject({ kind: 'rejected', status: 403 });
});

test('409 on create (a leftover subscription of the same user) is resolved by deleting the leftover', async () => {
  const leftover = subscriptionOf('svc-b')!;
  // The bridge lost track of svc-b's subscription (e.g. a restored store): its entry is gone.
  const index = store.documents.get('teams.subscriptions')!;
  const accounts = { ...(index.value as { accounts: Record<string, unknown> }).accounts };
  delete accounts['svc-b'];
  index.value = { accounts };
  const report = await runtime.runMaintenance();
  expect(report.accounts.find((a) => a.account === 'svc-b')).toMatchObject({ action: 'created' });
  expect(report.errors).toEqual([]);
  expect(standIn.subscriptions.has(leftover.id)).toBe(false);
  expect(subscriptionOf('svc-b')!.id).not.toBe(leftover.id);
});

test('lifecycle: reauthorizationRequired → PATCH; subscriptionRemoved → re-create + resync; missed → read its users', async () => {
  const a = subscriptionOf('svc-a')!;
  const b = subscriptionOf('svc-b')!;

  const patchesBefore = standIn.requests.filter((r) => r.method === 'PATCH').length;
  expect((await standIn.deliverLifecycle(a.id, 'reauthorizationRequired')).status).toBe(202);
  const reauthorize = asTask(webhooks.tasks[webhooks.tasks.length - 1]);
  expect(reauthorize).toEqual({ kind: 'task', system: 'teams', task: 'reauthorize', data: { subscriptionId: a.id } });
  await expect(runtime.taskRunner(reauthorize)).resolves.toEqual({ kind: 'done' });
  expect(standIn.requests.filter((r) => r.method === 'PATCH').length).toBe(patchesBefore + 1);

  expect((await standIn.deliverLifecycle(b.id, 'subscriptionRemoved')).status).toBe(202);
  const recreate = asTask(webhooks.tasks[webhooks.tasks.length - 1]);
  const recordedBefore = recorded.length;
  await expect(runtime.taskRunner(recreate)).resolves.toEqual({ kind: 'done' });
  expect(subscriptionOf('svc-b')!.id).not.toBe(b.id);
  expect(recorded.length - recordedBefore).toBe(50); // resync of svc-b's users

  expect((await standIn.deliverLifecycle(a.id, 'missed')).status).toBe(202);
  const missed = asTask(webhooks.tasks[webhooks.tasks.length - 1]);
  expect(missed.data).toEqual({ subscriptionId: a.id });
  const beforeMissed = recorded.length;
  await expect(runtime.taskRunner(missed)).resolves.toEqual({ kind: 'done' });
  expect(recorded.length - beforeMissed).toBe(650);
});

test('the subscriptions listing shows accounts, users, expiry and the last notification', async () => {
  const rows = await runtime.listSubscriptions();
  expect(rows).toEqual([
    expect.objectContaining({ account: 'svc-a', username: USERS[0].userPrincipalName, users: 650, subscriptionId: subscriptionOf('svc-a')!.id }),
    expect.objectContaining({ account: 'svc-b', username: USERS[1].userPrincipalName, users: 50, subscriptionId: subscriptionOf('svc-b')!.id }),
  ]);
  expect(rows[0].expiresAt).toBeDefined();
  expect(rows[0].lastNotificationAt).toBeDefined();
});

test('TEAMS_CLIENT_STATE rotation re-creates the subscriptions with the new value; both values verify meanwhile', async () => {
  const before = { a: subscriptionOf('svc-a')!.id, b: subscriptionOf('svc-b')!.id };
  const rotated = createTeamsRuntime({
    config: { ...configFor(), clientStates: ['client-state-next', CLIENT_STATE] },
    settings: readTeamsSettings({ TEAMS_NOTIFICATION_URL: webhooks.baseUrl, TEAMS_TOKEN_ENCRYPTION_KEY: 'vault-secret-0123456789abcdef' }),
    store,
    recordEvents: async (events) => void recorded.push(...events),
    msalNetworkClient: createMsalNetworkClient({ httpsAgent: standIn.httpsAgent }),
    now: () => clock,
  });
  sources.splice(0, sources.length, ...rotated.createWebhookSources());
  const report = await rotated.runMaintenance();
  expect(report.accounts.map((a) => a.action)).toEqual(['recreated', 'recreated']);
  const a = subscriptionOf('svc-a')!;
  expect(a.id).not.toBe(before.a);
  expect(a.clientState).toBe('client-state-next');
  expect((await standIn.deliver([{ subscriptionId: a.id, userId: a.userIds[0] }])).status).toBe(202);
  runtime = rotated; // the deployment now runs with the rotated configuration
});

test('a signed-out account is reported with a clear error while the others keep working', async () => {
  standIn.revokeRefreshTokens(USERS[1].id);
  clock += 40 * MINUTE;
  const report = await runtime.runMaintenance();
  expect(report.accounts.find((a) => a.account === 'svc-a')).toMatchObject({ action: 'renewed' });
  expect(report.accounts.find((a) => a.account === 'svc-b')?.error).toMatch(/teams login --account svc-b/);
  expect(report.presencesRead).toBe(700); // reconciliation still covers everyone (app-only)
  expect((await runtime.listSubscriptions()).find((r) => r.account === 'svc-b')?.lastError).toMatch(/signed in again/);
});
