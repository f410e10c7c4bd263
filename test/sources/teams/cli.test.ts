/**
 * `presence-bridge teams …` commands through commander, against the Microsoft stand-in:
 * device-code login, sync with progress output, and the subscriptions listing.
 */
import { Command, CommanderError } from 'commander';
import { registerTeamsCommands } from '../../../src/cli/teams-commands';
import { createMsalNetworkClient } from '../../../src/sources/teams/msal-setup';
import { createTeamsRuntime, type TeamsRuntime } from '../../../src/sources/teams/runtime';
import { readTeamsSettings } from '../../../src/sources/teams/teams-settings';
import type { WebhookSource } from '../../../src/webhooks/types';
import { makeUsers, standInConnection, startMicrosoftStandIn, type MicrosoftStandIn } from '../../helpers/microsoft-stand-in';
import { createMemoryDocumentStore, startWebhookServer, type WebhookServer } from './support';

const USERS = makeUsers(30);
let standIn: MicrosoftStandIn;
let webhooks: WebhookServer;
let runtime: TeamsRuntime;
const sources: WebhookSource[] = [];
let stdout: string[] = [];
let stderr: string[] = [];

beforeAll(async () => {
  standIn = await startMicrosoftStandIn({ users: USERS });
  webhooks = await startWebhookServer(sources);
  const config = standInConnection(standIn, { clientStates: ['cli-client-state'], notificationUrl: webhooks.baseUrl });
  runtime = createTeamsRuntime({
    config,
    settings: readTeamsSettings({ TEAMS_NOTIFICATION_URL: webhooks.baseUrl, TEAMS_TOKEN_ENCRYPTION_KEY: 'cli-vault-secret-0123456789' }),
    store: createMemoryDocumentStore(),
    recordEvents: async () => undefined,
    msalNetworkClient: createMsalNetworkClient({ httpsAgent: standIn.httpsAgent }),
  });
  sources.push(...runtime.createWebhookSources());
});
afterAll(async () => {
  await webhooks.close();
  await standIn.close();
});

async function run(...args: string[]): Promise<void> {
  stdout = [];
  stderr = [];
  const program = new Command('presence-bridge')
    .exitOverride()
    .configureOutput({ writeErr: (text) => void stderr.push(text), writeOut: (text) => void stdout.push(text) });
  registerTeamsCommands(program, {
    openRuntime: async () => runtime,
    stdout: (text) => void stdout.push(text),
    stderr: (text) => {
      stderr.push(text);
      // The operator reads the code and signs in as the first user.
      const code = /enter the code (\w+)/.exec(text)?.[1];
      if (code) standIn.approveDeviceCode(code, USERS[0].id);
    },
  });
  await program.parseAsync(['node', 'presence-bridge', ...args]);
}

test('teams login --account prints the device-code prompt and confirms the sign-in', async () => {
  await run('teams', 'login', '--account', 'svc-1');
  expect(stderr.join('\n')).toMatch(/enter the code \w+/);
  expect(stdout.join('\n')).toContain(`Service account "svc-1" signed in as ${USERS[0].userPrincipalName}`);
});

test('teams subscriptions before any maintenance lists the account without a subscription', async () => {
  await run('teams', 'subscriptions');
  expect(stdout.join('\n')).toMatch(/ACCOUNT\s+SIGNED IN AS\s+USERS\s+SUBSCRIPTION\s+EXPIRES\s+LAST NOTIFICATION/);
  expect(stdout.join('\n')).toMatch(/svc-1\s+user00000\.upn@contoso\.example\s+0\s+-/);
});

test('teams sync reconciles now, with progress on stderr and a summary on stdout', async () => {
  await run('teams', 'sync');
  expect(stderr.join('\n')).toMatch(/listing users: 30/);
  expect(stderr.join('\n')).toMatch(/reading presence: 30\/30/);
  expect(stdout.join('\n')).toMatch(/Teams sync done: 30 users, 30 presences read, 30 recorded, directory refreshed/);
  expect(stdout.join('\n')).toMatch(/svc-1: 30 users, created/);
  expect(stdout.join('\n')).toMatch(/coverage: 30 of 30 directory users covered; 1 service account\(s\) needed/);
});

test('teams subscriptions also says how many directory users are covered', async () => {
  await run('teams', 'subscriptions');
  expect(stdout.join('\n')).toMatch(/Coverage at the directory refresh of \S+: 30 of 30 directory users covered/);
});

test('teams subscriptions --json shows the covered users and expiry', async () => {
  await run('teams', 'subscriptions', '--json');
  const rows = JSON.parse(stdout.join('\n')) as Array<Record<string, unknown>>;
  expect(rows).toEqual([expect.objectContaining({ account: 'svc-1', users: 30, subscriptionId: expect.any(String), expiresAt: expect.any(String) })]);
});

test('failures reach the CLI root as errors that say what to do', async () => {
  await expect(run('teams', 'login', '--account', '../etc')).rejects.toThrow(/account name "..\/etc" must be/);
  await expect(run('teams', 'login')).rejects.toBeInstanceOf(CommanderError); // --account is required
});
