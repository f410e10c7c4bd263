/**
 * App-only Graph reads against the Microsoft stand-in: MSAL over HTTPS at MICROSOFT_LOGIN_BASE_URL
 * (no instance discovery), getPresencesByUserId in ≤650-id chunks, /users paging, the retry
 * middleware, and the task runner reading presence after a basic notification.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import { ConfigError } from '../../../src/errors';
import type { PresenceEvent } from '../../../src/presence';
import { createTeamsEmailDirectory, loadTeamsDirectory, refreshTeamsDirectory } from '../../../src/sources/teams/directory';
import { createAppTokenProvider, createGraphClient, relativeGraphPath } from '../../../src/sources/teams/graph-client';
import { buildMsalAuthority, createMsalNetworkClient } from '../../../src/sources/teams/msal-setup';
import { createPresenceReader } from '../../../src/sources/teams/presence-reader';
import { createTeamsTaskRunner } from '../../../src/sources/teams/task-runner';
import { readPresenceTasks } from '../../../src/sources/teams/tasks';
import { GraphRequestError } from '../../../src/sources/teams/teams-errors';
import { makeUsers, startMicrosoftStandIn, type MicrosoftStandIn } from '../../helpers/microsoft-stand-in';
import { createMemoryDocumentStore } from './support';

const USERS = makeUsers(1400);
let standIn: MicrosoftStandIn;
let graph: Client;

beforeAll(async () => {
  standIn = await startMicrosoftStandIn({ users: USERS, usersPageSize: 500 });
  graph = createGraphClient({
    baseUrl: standIn.graphBaseUrl,
    retry: { delaySeconds: 0, maxRetries: 2, maxRetryAfterSeconds: 5 },
    getAccessToken: createAppTokenProvider({
      tenantId: standIn.tenantId,
      clientId: standIn.clientId,
      clientSecret: standIn.clientSecret,
      loginBaseUrl: standIn.loginBaseUrl,
      networkClient: createMsalNetworkClient({ httpsAgent: standIn.httpsAgent }),
    }),
  });
});
afterAll(async () => standIn.close());

const presenceCalls = (): number => standIn.requests.filter((r) => r.path === '/v1.0/communications/getPresencesByUserId').length;

test('app-only MSAL uses MICROSOFT_LOGIN_BASE_URL as authority, without instance discovery, and caches the token', async () => {
  const reader = createPresenceReader({ graph });
  await reader([USERS[0].id]);
  await reader([USERS[1].id]);
  const login = standIn.requests.filter((r) => r.server === 'login');
  expect(login.map((r) => `${r.method} ${r.path} ${r.grantType ?? ''}`.trim())).toEqual([
    `GET /${standIn.tenantId}/v2.0/.well-known/openid-configuration`,
    `POST /${standIn.tenantId}/oauth2/v2.0/token client_credentials`,
  ]);
  expect(standIn.requests.filter((r) => r.server === 'graph').every((r) => r.identity === 'app')).toBe(true);
});

test('getPresencesByUserId is called with at most 650 ids per request', async () => {
  const before = presenceCalls();
  const progress: number[] = [];
  const presences = await createPresenceReader({ graph })(
    USERS.map((u) => u.id),
    (p) => progress.push(p.done),
  );
  expect(presences).toHaveLength(1400);
  expect(presenceCalls() - before).toBe(3);
  expect(progress).toEqual([650, 1300, 1400]);
});

test('the pacer holds the per-30-second request budget', async () => {
  let clock = 0;
  const slept: number[] = [];
  const reader = createPresenceReader({
    graph,
    requestsPer30Seconds: 2,
    now: () => clock,
    sleep: async (ms) => {
      slept.push(ms);
      clock += ms;
    },
  });
  await reader(USERS.map((u) => u.id)); // 3 requests, 2 allowed per 30 s
  expect(slept).toEqual([30_000]);
});

test('429 with Retry-After is retried by the Graph client middleware', async () => {
  const before = presenceCalls();
  standIn.failNext('POST', '/v1.0/communications/getPresencesByUserId', 429, { 'retry-after': '0' });
  const presences = await createPresenceReader({ graph })([USERS[5].id]);
  expect(presences).toHaveLength(1);
  expect(presenceCalls() - before).toBe(2);
});

test('a Retry-After longer than a background run can afford fails fast instead of sleeping', async () => {
  standIn.failNext('POST', '/v1.0/communications/getPresencesByUserId', 429, { 'retry-after': '3600' });
  const started = Date.now();
  await expect(createPresenceReader({ graph })([USERS[5].id])).rejects.toMatchObject({ name: 'GraphRequestError', status: 429 });
  expect(Date.now() - started).toBeLessThan(2000);
});

test('the directory pages through /users and prefers mail over userPrincipalName', async () => {
  const store = createMemoryDocumentStore();
  const before = standIn.requests.filter((r) => r.path.startsWith('/v1.0/users')).length;
  const directory = await refreshTeamsDirectory({ graph, graphBaseUrl: standIn.graphBaseUrl, store });
  expect(standIn.requests.filter((r) => r.path.startsWith('/v1.0/users')).length - before).toBe(3);
  expect(Object.keys(directory.users)).toHaveLength(1400);
  expect(directory.users[USERS[0].id]).toBe('user00000@contoso.example');
  expect(directory.users[USERS[9].id]).toBe('user00009.upn@contoso.example');
  expect((await loadTeamsDirectory(store))?.users[USERS[9].id]).toBe('user00009.upn@contoso.example');
  // Sharded for document-size limits; the worker's lookup reads one shard.
  expect([...store.documents.keys()].filter((name) => name.startsWith('teams.directory.'))).toHaveLength(16);
  const emailOf = createTeamsEmailDirectory(store);
  expect(await emailOf({ system: 'teams', externalUserId: USERS[0].id.toUpperCase() })).toBe('user00000@contoso.example');
  expect(await emailOf({ system: 'zoom', externalUserId: USERS[0].id })).toBeUndefined();
  // A refresh with nothing changed rewrites nothing but the manifest.
  const versions = new Map([...store.documents].map(([name, doc]) => [name, doc.version]));
  await refreshTeamsDirectory({ graph, graphBaseUrl: standIn.graphBaseUrl, store });
  const rewritten = [...store.documents].filter(([name, doc]) => doc.version !== versions.get(name)).map(([name]) => name);
  expect(rewritten).toEqual(['teams.directory']);
});

test('basic notification → read-presence task → the runner reads Graph and records events with emails and sequenceNumber', async () => {
  standIn.setPresence(USERS[2].id, 'Busy', 'InACall');
  standIn.setPresence(USERS[3].id, 'Away', 'BeRightBack');
  const recorded: PresenceEvent[] = [];
  const runner = createTeamsTaskRunner({
    readPresences: createPresenceReader({ graph }),
    recordEvents: async (events) => void recorded.push(...events),
    emailOf: async (id) => (id === USERS[2].id ? 'user00002@contoso.example' : undefined),
    now: () => 1_750_000_000_000,
  });
  const [task] = readPresenceTasks([USERS[2].id, USERS[3].id]);
  await expect(runner(task)).resolves.toEqual({ kind: 'done' });
  expect(recorded).toEqual([
    {
      system: 'teams',
      externalUserId: USERS[2].id,
      email: 'user00002@contoso.example',
      values: { availability: 'Busy', activity: 'InACall' },
      order: 1_750_000_000_000,
      tiebreak: 0,
      sequence: standIn.sequenceOf(USERS[2].id),
    },
    {
      system: 'teams',
      externalUserId: USERS[3].id,
      values: { availability: 'Away', activity: 'BeRightBack' },
      order: 1_750_000_000_000,
      tiebreak: 0,
      sequence: standIn.sequenceOf(USERS[3].id),
    },
  ]);
});

test('a Graph outage makes the task retry later; nothing is recorded', async () => {
  standIn.failNext('POST', '/v1.0/communications/getPresencesByUserId', 500);
  const recordEvents = jest.fn(async () => undefined);
  const runner = createTeamsTaskRunner({ readPresences: createPresenceReader({ graph }), recordEvents, retryAfterMs: 1234 });
  await expect(runner(readPresenceTasks([USERS[4].id])[0])).resolves.toEqual({ kind: 'retry', afterMs: 1234 });
  expect(recordEvents).not.toHaveBeenCalled();
});

test('next links outside GRAPH_API_BASE_URL are refused (the token never leaves the configured host)', () => {
  expect(relativeGraphPath('https://graph.microsoft.com/v1.0', 'https://graph.microsoft.com/v1.0/users?$skiptoken=x')).toBe('/users?$skiptoken=x');
  expect(() => relativeGraphPath('https://graph.microsoft.com/v1.0', 'https://evil.example/v1.0/users')).toThrow(GraphRequestError);
});

test('an http MICROSOFT_LOGIN_BASE_URL is refused up front (msal-node requires https)', () => {
  expect(() => buildMsalAuthority('http://127.0.0.1:1', 'tenant')).toThrow(ConfigError);
  expect(buildMsalAuthority('https://login.example:8443/', 'contoso.onmicrosoft.com')).toEqual({
    authority: 'https://login.example:8443/contoso.onmicrosoft.com',
    knownAuthorities: ['login.example:8443'],
  });
});
