/**
 * Service accounts: device-code sign-in through MSAL at the stand-in's HTTPS login, refresh tokens
 * stored encrypted (AES-256-GCM) in the DocumentStore, silent refresh from a fresh process, and a
 * clear "sign in again" when the refresh token is revoked.
 */
import { InvalidInputError } from '../../../src/errors';
import { createMsalNetworkClient } from '../../../src/sources/teams/msal-setup';
import { createServiceAccounts, type DeviceCodePrompt } from '../../../src/sources/teams/service-accounts';
import { ServiceAccountSignInRequiredError, TeamsVerificationError } from '../../../src/sources/teams/teams-errors';
import { createTokenVault, openSecret, sealSecret } from '../../../src/sources/teams/token-vault';
import { makeUsers, startMicrosoftStandIn, type MicrosoftStandIn } from '../../helpers/microsoft-stand-in';
import { createMemoryDocumentStore, type MemoryDocumentStore } from './support';

const [ALICE, BOB] = makeUsers(2);
const SECRET = 'token-vault-secret-0123456789abcdef';
let standIn: MicrosoftStandIn;
let store: MemoryDocumentStore;

beforeAll(async () => {
  // Access tokens shorter than MSAL's 5-minute refresh margin: every silent call uses the refresh token.
  standIn = await startMicrosoftStandIn({ users: [ALICE, BOB], accessTokenLifetimeSeconds: 120 });
  store = createMemoryDocumentStore();
});
afterAll(async () => standIn.close());

function accounts(secrets: readonly string[] = [SECRET]) {
  return createServiceAccounts({
    store,
    vault: createTokenVault({ store, secrets }),
    clientId: standIn.clientId,
    tenantId: standIn.tenantId,
    loginBaseUrl: standIn.loginBaseUrl,
    networkClient: createMsalNetworkClient({ httpsAgent: standIn.httpsAgent }),
  });
}

async function signIn(name: string, userId: string) {
  const prompts: DeviceCodePrompt[] = [];
  const record = await accounts().login(name, (prompt) => {
    prompts.push(prompt);
    standIn.approveDeviceCode(prompt.userCode, userId); // the operator signs in on another device
  });
  return { record, prompts };
}

test('device-code login stores the tokens encrypted and registers the account', async () => {
  const { record, prompts } = await signIn('svc-1', ALICE.id);
  expect(prompts).toHaveLength(1);
  expect(prompts[0].message).toContain(prompts[0].userCode);
  expect(record).toMatchObject({ name: 'svc-1', username: ALICE.userPrincipalName });

  const stored = JSON.stringify([...store.documents.entries()]);
  expect(stored).not.toMatch(/rt\.[0-9a-f-]{36}/); // no refresh token in clear
  expect(stored).not.toMatch(/user\.[0-9a-f-]{36}/); // no access token in clear
  expect(store.documents.get('teams.token-cache.svc-1')?.value).toMatchObject({ sealed: { alg: 'A256GCM' } });
  expect(await accounts().list()).toEqual([expect.objectContaining({ name: 'svc-1', username: ALICE.userPrincipalName })]);
  const devicecode = standIn.requests.filter((r) => r.path.endsWith('/oauth2/v2.0/devicecode'));
  expect(devicecode).toHaveLength(1);
  // MSAL stayed on MICROSOFT_LOGIN_BASE_URL's tenant authority: no instance discovery anywhere.
  expect(standIn.requests.filter((r) => r.server === 'login').every((r) => r.path.startsWith(`/${standIn.tenantId}/`))).toBe(true);
});

test('a fresh process acquires tokens silently with the stored refresh token', async () => {
  const refreshesBefore = standIn.requests.filter((r) => r.grantType === 'refresh_token').length;
  const token = await accounts().acquireToken('svc-1');
  expect(token).toMatch(/^user\./);
  expect(standIn.requests.filter((r) => r.grantType === 'refresh_token').length).toBe(refreshesBefore + 1);
});

test('the same user cannot be two service accounts (one presence subscription per user per app)', async () => {
  await expect(signIn('svc-2', ALICE.id)).rejects.toThrow(InvalidInputError);
  expect((await accounts().list()).map((a) => a.name)).toEqual(['svc-1']);
});

test('a revoked refresh token asks the operator to sign in again', async () => {
  await signIn('svc-bob', BOB.id);
  standIn.revokeRefreshTokens(BOB.id);
  await expect(accounts().acquireToken('svc-bob')).rejects.toThrow(ServiceAccountSignInRequiredError);
  await expect(accounts().acquireToken('svc-bob')).rejects.toThrow(/presence-bridge teams login --account svc-bob/);
  await expect(accounts().acquireToken('never')).rejects.toThrow(ServiceAccountSignInRequiredError);
});

test('a wrong TEAMS_TOKEN_ENCRYPTION_KEY cannot read the tokens; rotation keeps the old key readable', async () => {
  await expect(accounts(['another-secret-0123456789abcdef']).acquireToken('svc-1')).rejects.toThrow(TeamsVerificationError);
  await expect(accounts(['another-secret-0123456789abcdef', SECRET]).acquireToken('svc-1')).resolves.toMatch(/^user\./);
});

test('sealed secrets are bound to their document name and detect tampering', () => {
  const sealed = sealSecret('refresh-token-cache', [SECRET], 'teams.token-cache.a');
  expect(openSecret(sealed, [SECRET], 'teams.token-cache.a')).toBe('refresh-token-cache');
  expect(() => openSecret(sealed, [SECRET], 'teams.token-cache.b')).toThrow(TeamsVerificationError);
  const data = Buffer.from(sealed.data, 'base64');
  data[0] ^= 1;
  expect(() => openSecret({ ...sealed, data: data.toString('base64') }, [SECRET], 'teams.token-cache.a')).toThrow(TeamsVerificationError);
});

test('account names are validated before they become document names', async () => {
  await expect(accounts().login('../etc', () => undefined)).rejects.toThrow(InvalidInputError);
});
