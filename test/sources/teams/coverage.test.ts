/**
 * Which Teams users are covered: enabled Entra users that resolve to a Genesys user (by mail/UPN or
 * a USER_MAPPING_FILE row), optionally only members of TEAMS_USER_GROUP_ID. Against the Microsoft
 * stand-in and the Genesys sandbox: only covered users are read, reconciled and subscribed; the
 * Genesys users directory is read in pages once per directory refresh, never searched per user.
 */
import { randomUUID } from 'node:crypto';
import type { TeamsConnection } from '../../../src/config';
import type { PresenceEvent } from '../../../src/presence';
import { createGenesysCoverage } from '../../../src/sources/teams/coverage';
import { createMsalNetworkClient } from '../../../src/sources/teams/msal-setup';
import { createTeamsRuntime } from '../../../src/sources/teams/runtime';
import { readTeamsSettings, type Env } from '../../../src/sources/teams/teams-settings';
import { parseUserMapping } from '../../../src/users/user-mapping-file';
import type { WebhookSource } from '../../../src/webhooks/types';
import { makeUsers, standInConnection, startMicrosoftStandIn, type MicrosoftStandIn, type StandInUser } from '../../helpers/microsoft-stand-in';
import { startSandboxClient, type SandboxClientSetup } from '../../genesys/helpers/sandbox-client';
import { createMemoryDocumentStore, startWebhookServer, type WebhookServer } from './support';

const entra = (mail: string | null, upn: string, extra: Partial<StandInUser> = {}): StandInUser => ({
  id: randomUUID(),
  mail,
  userPrincipalName: upn,
  availability: 'Available',
  activity: 'Available',
  ...extra,
});

// Genesys (sandbox demo users): alice, bob, carol, dave, erin @example.com.
const alice = entra('alice@example.com', 'alice@corp.example');
const bob = entra('Bob@Example.com', 'bob@corp.example');
const carol = entra(null, 'Carol@example.com'); // no mail: the UPN is the address
const dave = entra('dave@example.com', 'dave@corp.example', { accountEnabled: false }); // disabled in Entra
const erin = entra('e.evans@corp.example', 'e.evans@corp.example'); // mapped by USER_MAPPING_FILE (object id row)
const henry = entra('h.hughes@corp.example', 'h.hughes@corp.example'); // mapped by USER_MAPPING_FILE (email row → Genesys id)
const ghost = entra('ghost@corp.example', 'ghost@corp.example'); // mapped to a Genesys id that does not exist
const frank = entra('frank@contoso.example', 'frank@contoso.example'); // no Genesys user
const grace = entra('grace@contoso.example', 'grace@contoso.example'); // no Genesys user (yet)
const tenantCrowd = makeUsers(30); // the rest of the tenant: no Genesys users
const ENTRA = [alice, bob, carol, dave, erin, henry, ghost, frank, grace, ...tenantCrowd];

const GROUP = randomUUID();
const NESTED = randomUUID();
const MINUTE = 60_000;

let standIn: MicrosoftStandIn;
let genesys: SandboxClientSetup;
let henryGenesysId: string;

beforeAll(async () => {
  standIn = await startMicrosoftStandIn({
    users: ENTRA,
    usersPageSize: 10,
    // Agents: alice directly, bob and the disabled dave through a nested group (with a cycle back).
    groups: { [GROUP]: [alice.id, NESTED, frank.id], [NESTED]: [bob.id, dave.id, GROUP, tenantCrowd[0].id] },
    groupMembersPageSize: 2,
  });
});
afterAll(async () => standIn.close());

beforeEach(async () => {
  genesys = await startSandboxClient({ sandbox: { seedDemoUsers: true } });
  henryGenesysId = genesys.sandbox.addUser({ email: 'henry.h@example.com' }).id;
  standIn.requests.length = 0;
});
afterEach(async () => genesys.close());

function mappingFile() {
  return parseUserMapping(
    [
      'external,genesys',
      `teams:${erin.id.toUpperCase()},erin@example.com`,
      `H.Hughes@corp.example,${henryGenesysId}`,
      `teams:${ghost.id},${randomUUID()}`,
    ].join('\n'),
    'USER_MAPPING_FILE (test)',
  );
}

function config(extra: Partial<TeamsConnection> = {}): TeamsConnection {
  return standInConnection(standIn, extra);
}

function runtimeWith(options: {
  env?: Env;
  connection?: Partial<TeamsConnection>;
  now?: () => number;
  listGenesysUsers?: () => Promise<ReadonlyMap<string, string>>;
  recorded?: PresenceEvent[];
}) {
  return createTeamsRuntime({
    config: config(options.connection),
    settings: readTeamsSettings({ TEAMS_MODE: 'polling', ...options.env }),
    store: createMemoryDocumentStore(),
    recordEvents: async (events) => void options.recorded?.push(...events),
    resolveCoverage: createGenesysCoverage({
      listGenesysUsers: options.listGenesysUsers ?? (() => genesys.client.users.listAll()),
      overrides: mappingFile,
    }),
    msalNetworkClient: createMsalNetworkClient({ httpsAgent: standIn.httpsAgent }),
    graphRetry: { delaySeconds: 0 },
    now: options.now,
  });
}

/** The user ids read with getPresencesByUserId since the last reset. */
function readIds(): Set<string> {
  return new Set(standIn.requests.flatMap((request) => request.ids ?? []));
}

function genesysSearches() {
  return genesys.sandbox.requests.filter((request) => request.path === '/api/v2/users/search');
}

test('only enabled Entra users with a Genesys user are read and reconciled; Genesys is listed in pages, not searched per user', async () => {
  const recorded: PresenceEvent[] = [];
  const report = await runtimeWith({ recorded }).runMaintenance();

  const covered = [alice, bob, carol, erin, henry].map((user) => user.id);
  expect(report.users).toBe(5);
  expect(readIds()).toEqual(new Set(covered));
  expect(new Set(recorded.map((event) => event.externalUserId))).toEqual(new Set(covered));
  expect(recorded.find((event) => event.externalUserId === carol.id)?.email).toBe('carol@example.com');
  expect(report.coverage).toEqual({
    listed: ENTRA.length,
    disabled: 1,
    withoutEmail: 0,
    withoutGenesysUser: ENTRA.length - 1 - 5,
    covered: 5,
    by: 'genesys',
  });
  // The Genesys directory in pages (GET /api/v2/users), and no user search at all, let alone per Entra user.
  expect(genesys.sandbox.requests.filter((request) => request.path === '/api/v2/users').length).toBeGreaterThan(0);
  expect(genesysSearches()).toEqual([]);
});

test('a disabled Entra account is not covered even though its email has a Genesys user', async () => {
  const report = await runtimeWith({}).runMaintenance();
  expect(genesys.sandbox.listUsers().some((user) => user.email === 'dave@example.com')).toBe(true);
  expect(readIds().has(dave.id)).toBe(false);
  expect(report.coverage?.disabled).toBe(1);
  // Graph returns accountEnabled only when it is selected: the bridge asks for it.
  expect(standIn.requests.find((request) => request.path.startsWith('/v1.0/users'))?.path).toContain('accountEnabled');
});

test('USER_MAPPING_FILE rows cover Entra users whose email differs (object id row in any case, email row to a Genesys id)', async () => {
  await runtimeWith({}).runMaintenance();
  expect(readIds().has(erin.id)).toBe(true);
  expect(readIds().has(henry.id)).toBe(true);
  // A row naming a Genesys user that does not exist covers nobody.
  expect(readIds().has(ghost.id)).toBe(false);
});

test('a new Genesys user is covered after the next directory refresh; one who left Genesys is dropped', async () => {
  let clock = Date.parse('2030-05-01T08:00:00Z');
  const left = new Set<string>();
  const runtime = runtimeWith({
    now: () => clock,
    env: { TEAMS_DIRECTORY_REFRESH_MINUTES: '60' },
    listGenesysUsers: async () => {
      const all = new Map(await genesys.client.users.listAll());
      for (const email of left) all.delete(email);
      return all;
    },
  });
  await runtime.runMaintenance();
  expect(readIds().has(grace.id)).toBe(false);
  expect(readIds().has(bob.id)).toBe(true);

  genesys.sandbox.addUser({ email: 'grace@contoso.example' });
  left.add('bob@example.com');

  // Before the refresh is due, coverage stays as decided.
  clock += 5 * MINUTE;
  standIn.requests.length = 0;
  expect((await runtime.runMaintenance()).directoryRefreshed).toBe(false);
  expect(readIds().has(grace.id)).toBe(false);

  clock += 60 * MINUTE;
  standIn.requests.length = 0;
  const report = await runtime.runMaintenance();
  expect(report.directoryRefreshed).toBe(true);
  expect(readIds().has(grace.id)).toBe(true);
  expect(readIds().has(bob.id)).toBe(false);
  expect(report.users).toBe(5);
  expect(genesysSearches()).toEqual([]);
});

test("TEAMS_USER_GROUP_ID limits coverage to the group's transitive members, read page by page", async () => {
  const report = await runtimeWith({ env: { TEAMS_USER_GROUP_ID: GROUP } }).runMaintenance();

  // alice (direct), bob (nested); dave is disabled; frank and the crowd member have no Genesys user;
  // carol, erin and henry resolve to Genesys users but are not in the group.
  expect(readIds()).toEqual(new Set([alice.id, bob.id]));
  expect(report.coverage).toMatchObject({ listed: 5, disabled: 1, withoutGenesysUser: 2, covered: 2, groupId: GROUP });
  const pages = standIn.requests.filter((request) => request.path.startsWith(`/v1.0/groups/${GROUP}/transitiveMembers/microsoft.graph.user`));
  expect(pages.length).toBe(3); // 5 members, 2 per page
  expect(pages[0].path).toContain('accountEnabled');
  expect(pages[1].path).toContain('$skiptoken=');
  expect(standIn.requests.some((request) => request.path.startsWith('/v1.0/users'))).toBe(false);
});

test('an unknown TEAMS_USER_GROUP_ID fails the refresh with a message that names the variable', async () => {
  const report = runtimeWith({ env: { TEAMS_USER_GROUP_ID: randomUUID() } }).runMaintenance();
  await expect(report).rejects.toThrow(/TEAMS_USER_GROUP_ID .*no such group/);
});

describe('subscription mode', () => {
  let webhooks: WebhookServer;
  const sources: WebhookSource[] = [];
  beforeAll(async () => {
    webhooks = await startWebhookServer(sources);
  });
  afterAll(async () => webhooks.close());

  test('the covered set decides the subscriptions: 600 agents in a 700-user tenant need one service account', async () => {
    const crowd = makeUsers(700);
    const standInLarge = await startMicrosoftStandIn({ users: [...crowd, frank] });
    try {
      const agents = crowd.slice(0, 600);
      for (const user of agents) genesys.sandbox.addUser({ email: user.mail ?? user.userPrincipalName });
      const runtime = createTeamsRuntime({
        config: {
          tenantId: standInLarge.tenantId,
          clientId: standInLarge.clientId,
          clientSecret: standInLarge.clientSecret,
          clientStates: ['coverage-client-state'],
          notificationUrl: webhooks.baseUrl,
          graphApiBaseUrl: standInLarge.graphBaseUrl,
          microsoftLoginBaseUrl: standInLarge.loginBaseUrl,
        },
        settings: readTeamsSettings({ TEAMS_NOTIFICATION_URL: webhooks.baseUrl, TEAMS_TOKEN_ENCRYPTION_KEY: 'coverage-vault-secret-0123456789' }),
        store: createMemoryDocumentStore(),
        recordEvents: async () => undefined,
        resolveCoverage: createGenesysCoverage({ listGenesysUsers: () => genesys.client.users.listAll(), overrides: mappingFile }),
        msalNetworkClient: createMsalNetworkClient({ httpsAgent: standInLarge.httpsAgent }),
        graphRetry: { delaySeconds: 0 },
      });
      sources.length = 0;
      sources.push(...runtime.createWebhookSources());
      await runtime.login('svc-1', (prompt) => standInLarge.approveDeviceCode(prompt.userCode, frank.id));

      const report = await runtime.runMaintenance();

      expect(report).toMatchObject({ users: 600, accountsNeeded: 1, uncovered: 0, errors: [] });
      expect(report.accounts).toEqual([expect.objectContaining({ account: 'svc-1', users: 600, action: 'created' })]);
      const subscriptions = [...standInLarge.subscriptions.values()];
      expect(subscriptions).toHaveLength(1);
      expect(new Set(subscriptions[0].userIds)).toEqual(new Set(agents.map((user) => user.id)));
      const read = new Set(standInLarge.requests.flatMap((request) => request.ids ?? []));
      expect(read).toEqual(new Set(agents.map((user) => user.id)));
      expect(genesysSearches()).toEqual([]);
    } finally {
      await standInLarge.close();
    }
  });
});
