/**
 * Validation tokens must be for THIS tenant (TEAMS_TENANT_ID), given as a GUID or as a domain that is
 * resolved once from the tenant's OpenID configuration, served by the Microsoft stand-in.
 */
import { randomUUID } from 'node:crypto';
import type { PresenceEvent } from '../../../src/presence';
import { TEAMS_DOCUMENTS } from '../../../src/sources/teams/documents';
import { createMsalNetworkClient } from '../../../src/sources/teams/msal-setup';
import { createTeamsRuntime } from '../../../src/sources/teams/runtime';
import { TEAMS_TASKS } from '../../../src/sources/teams/tasks';
import { readTeamsSettings } from '../../../src/sources/teams/teams-settings';
import { createTenantIdResolver } from '../../../src/sources/teams/tenant-id';
import { createValidationTokenValidator, type TokenVerdict } from '../../../src/sources/teams/validation-tokens';
import {
  CHANGE_TRACKING_APP_ID,
  encryptLikeGraph,
  generateSelfSignedCertificate,
  makeTempDir,
  removeTempDir,
  startMicrosoftStandIn,
  validationTokenClaims,
  type MicrosoftStandIn,
} from '../../helpers/microsoft-stand-in';
import { createMemoryDocumentStore, inbound } from './support';

let standIn: MicrosoftStandIn;

beforeAll(async () => {
  standIn = await startMicrosoftStandIn();
});
afterAll(async () => standIn.close());

function resolverFor(tenant: string) {
  return createTenantIdResolver({
    tenant,
    loginBaseUrl: standIn.loginBaseUrl,
    network: createMsalNetworkClient({ httpsAgent: standIn.httpsAgent }),
  });
}

function validatorFor(tenant: string) {
  return createValidationTokenValidator({
    appIds: [standIn.clientId],
    tenantId: resolverFor(tenant),
    changeTrackingAppIds: [CHANGE_TRACKING_APP_ID],
    keySource: async () => standIn.signer.publicKeyPem,
  });
}

const tokenOf = (tenantId: string): string => standIn.signer.sign(validationTokenClaims({ appId: standIn.clientId, tenantId }));

const openIdReads = (): number => standIn.requests.filter((request) => request.path.endsWith('/.well-known/openid-configuration')).length;

describe('validation tokens are checked against this tenant', () => {
  test('a token of another tenant is rejected, even though its issuer matches its own tid', async () => {
    const other = randomUUID();
    const [verdict] = await validatorFor(standIn.tenantId)([tokenOf(other)]);
    expect(verdict).toMatchObject({ ok: false, kind: 'invalid' });
    expect((verdict as Extract<TokenVerdict, { ok: false }>).error.message).toMatch(new RegExp(`for tenant ${other}, not this tenant`));
  });

  test('own tenant given as the GUID (any case) is accepted without a lookup', async () => {
    const before = openIdReads();
    expect(await validatorFor(standIn.tenantId.toUpperCase())([tokenOf(standIn.tenantId)])).toEqual([{ ok: true, tenantId: standIn.tenantId }]);
    expect(openIdReads()).toBe(before);
  });

  test('own tenant given as a domain is resolved once from its OpenID configuration, then cached', async () => {
    const before = openIdReads();
    const validate = validatorFor(standIn.tenantDomain);
    expect(await validate([tokenOf(standIn.tenantId)])).toEqual([{ ok: true, tenantId: standIn.tenantId }]);
    expect(await validate([tokenOf(standIn.tenantId), tokenOf(randomUUID())])).toEqual([
      { ok: true, tenantId: standIn.tenantId },
      expect.objectContaining({ ok: false, kind: 'invalid' }),
    ]);
    expect(openIdReads()).toBe(before + 1);
  });

  test('a domain that does not resolve makes tokens uncheckable (503 upstream), with a message naming the variable', async () => {
    const [verdict] = await validatorFor('nobody.onmicrosoft.com')([tokenOf(standIn.tenantId)]);
    expect(verdict).toMatchObject({ ok: false, kind: 'unavailable' });
    expect((verdict as Extract<TokenVerdict, { ok: false }>).error.message).toMatch(/TEAMS_TENANT_ID "nobody.onmicrosoft.com".*Directory \(tenant\) ID/);
  });

  test('an unreachable login endpoint is not cached: the next call tries again', async () => {
    const resolve = resolverFor(standIn.tenantDomain);
    standIn.failNext('GET', `/${standIn.tenantDomain}/`, 503);
    await expect(resolve()).rejects.toThrow(/answered 503/);
    await expect(resolve()).resolves.toBe(standIn.tenantId);
  });
});

describe('the runtime wires the tenant check into the webhook (TEAMS_TENANT_ID as a domain)', () => {
  test('a rich notification with a token of this tenant is accepted, one of another tenant refused', async () => {
    const dir = makeTempDir();
    try {
      const certificate = generateSelfSignedCertificate(dir, 'encryption');
      const store = createMemoryDocumentStore();
      const subscriptionId = randomUUID();
      const recorded: PresenceEvent[] = [];
      await store.putDocument(TEAMS_DOCUMENTS.subscriptions, { accounts: { 'svc-1': { subscriptionId } } });
      const runtime = createTeamsRuntime({
        config: {
          tenantId: standIn.tenantDomain,
          clientId: standIn.clientId,
          clientStates: ['tenant-test-state'],
          encryptionPrivateKey: certificate.keyPem,
          encryptionCertificate: certificate.certPem,
          encryptionCertificateId: 'cert-1',
          graphApiBaseUrl: standIn.graphBaseUrl,
          microsoftLoginBaseUrl: standIn.loginBaseUrl,
        },
        settings: readTeamsSettings({ TEAMS_MODE: 'polling' }),
        store,
        recordEvents: async (events) => void recorded.push(...events),
        msalNetworkClient: createMsalNetworkClient({ httpsAgent: standIn.httpsAgent }),
        keySource: async () => standIn.signer.publicKeyPem,
      });
      const [webhook] = runtime.createWebhookSources();
      const userId = randomUUID();
      const body = (tenantId: string) => ({
        value: [
          {
            subscriptionId,
            clientState: 'tenant-test-state',
            changeType: 'updated',
            tenantId,
            resource: `communications/presences/${userId}`,
            encryptedContent: encryptLikeGraph(
              { id: userId, availability: 'Busy', activity: 'InACall', sequenceNumber: '0001' },
              certificate.certPem,
              'cert-1',
            ),
          },
        ],
        validationTokens: [tokenOf(tenantId)],
      });
      const accepted = await webhook.handle(inbound('/webhooks/teams', body(standIn.tenantId), { receivedAt: 1_000 }));
      expect(accepted).toMatchObject({ kind: 'accepted', events: [], tasks: [{ task: TEAMS_TASKS.decryptPresence }] });
      // The worker's runner (same runtime, same key) decrypts it, keeping receipt time and sequenceNumber.
      for (const task of accepted.kind === 'accepted' ? (accepted.tasks ?? []) : []) {
        if (task.kind === 'task') expect(await runtime.taskRunner(task)).toEqual({ kind: 'done' });
      }
      expect(recorded).toMatchObject([{ externalUserId: userId, values: { availability: 'Busy', activity: 'InACall' }, order: 1_000, sequence: '0001' }]);
      expect(await webhook.handle(inbound('/webhooks/teams', body(randomUUID())))).toMatchObject({
        kind: 'rejected',
        status: 401,
        reason: expect.stringMatching(/not this tenant/),
      });
    } finally {
      removeTempDir(dir);
    }
  });
});
