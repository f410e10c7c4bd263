import crypto, { randomUUID } from 'node:crypto';
import type { CountMetric, MetricDimensions, Metrics } from '../../../src/metrics/metrics';
import type { PresenceEvent } from '../../../src/presence';
import type { DecryptionKey } from '../../../src/sources/teams/decrypt';
import { createTeamsTaskRunner } from '../../../src/sources/teams/task-runner';
import { TEAMS_TASKS } from '../../../src/sources/teams/tasks';
import type { WebhookOutcome } from '../../../src/webhooks/types';
import { createValidationTokenValidator, type SigningKeySource } from '../../../src/sources/teams/validation-tokens';
import {
  createTeamsLifecycleWebhookSource,
  createTeamsWebhookSource,
  MAX_ITEMS_PER_POST,
  MAX_VALIDATION_TOKENS_PER_POST,
  type TeamsWebhookDeps,
} from '../../../src/sources/teams/webhook';
import {
  CHANGE_TRACKING_APP_ID,
  createTokenSigner,
  encryptLikeGraph,
  generateSelfSignedCertificate,
  makeTempDir,
  removeTempDir,
  validationTokenClaims,
  type SelfSignedCertificate,
  type TokenSigner,
} from '../../helpers/microsoft-stand-in';
import { inbound } from './support';

const APP_ID = randomUUID();
const TENANT = randomUUID();
const CLIENT_STATE = 'client-state-current';
const SUB_A = randomUUID();
const SUB_B = randomUUID();
const CERT_ID = 'cert-1';
const USERS = [randomUUID(), randomUUID(), randomUUID()];
const RECEIVED_AT = 1_750_000_000_000;

let dir: string;
let certificate: SelfSignedCertificate;
let signer: TokenSigner;

beforeAll(() => {
  dir = makeTempDir();
  certificate = generateSelfSignedCertificate(dir, 'encryption');
  signer = createTokenSigner();
});
afterAll(() => removeTempDir(dir));

const keySource: SigningKeySource = async (kid) => {
  if (kid === signer.kid) return signer.publicKeyPem;
  throw new Error(`unknown kid ${kid}`);
};

function deps(overrides: Partial<TeamsWebhookDeps> = {}): TeamsWebhookDeps {
  return {
    clientStates: [CLIENT_STATE, 'client-state-previous'],
    isKnownSubscription: (id) => id === SUB_A || id === SUB_B,
    decryptionKeys: [{ certificateId: CERT_ID, privateKeyPem: certificate.keyPem }],
    validateTokens: createValidationTokenValidator({
      appIds: [APP_ID],
      tenantId: async () => TENANT,
      changeTrackingAppIds: [CHANGE_TRACKING_APP_ID],
      keySource,
    }),
    ...overrides,
  };
}

function richItem(subscriptionId: string, userId: string, availability: string, activity: string): Record<string, unknown> {
  return {
    subscriptionId,
    clientState: CLIENT_STATE,
    changeType: 'updated',
    tenantId: TENANT,
    resource: `communications/presences/${userId}`,
    subscriptionExpirationDateTime: '2030-01-01T00:00:00.0000000Z',
    resourceData: { '@odata.id': `users/${userId}/presence`, '@odata.type': '#microsoft.graph.presence', id: userId },
    encryptedContent: encryptLikeGraph(
      { '@odata.id': `users/${userId}/presence`, '@odata.type': '#microsoft.graph.presence', id: userId, availability, activity },
      certificate.certPem,
      CERT_ID,
    ),
  };
}

function token(claims: Record<string, unknown> = {}, by: TokenSigner = signer): string {
  return by.sign({ ...validationTokenClaims({ appId: APP_ID, tenantId: TENANT }), ...claims });
}

function richBatch(): { value: Array<Record<string, unknown>>; validationTokens: Array<string | null> } {
  return {
    value: [richItem(SUB_A, USERS[0], 'Busy', 'InAMeeting'), richItem(SUB_B, USERS[1], 'Away', 'Away'), richItem(SUB_A, USERS[2], 'Available', 'Available')],
    validationTokens: [token()],
  };
}

/**
 * Runs an outcome's `decrypt-presence` tasks through the worker's task runner, the way the queue does
 * after the 202: the settled outcome carries the events they recorded instead of those tasks, and
 * `rejected` counts the items dropped for their dataSignature (EventsRejected, reason `signature`).
 */
async function settle(
  outcome: WebhookOutcome,
  keys: readonly DecryptionKey[] = deps().decryptionKeys ?? [],
): Promise<{ outcome: WebhookOutcome; rejected: number }> {
  if (outcome.kind !== 'accepted') return { outcome, rejected: 0 };
  let rejected = 0;
  const metrics: Metrics = {
    count: (name: CountMetric, dimensions?: MetricDimensions, value = 1) => {
      if (name === 'EventsRejected' && dimensions?.system === 'teams' && dimensions.reason === 'signature') rejected += value;
    },
    gauge: () => undefined,
    timing: () => undefined,
  };
  const events: PresenceEvent[] = [...outcome.events];
  const runner = createTeamsTaskRunner({
    readPresences: async () => Promise.reject(new Error('no Graph read expected')),
    recordEvents: async (recorded) => void events.push(...recorded),
    decryptionKeys: keys,
    metrics,
  });
  const tasks = [];
  for (const task of outcome.tasks ?? []) {
    if (task.kind === 'task' && task.task === TEAMS_TASKS.decryptPresence) expect(await runner(task)).toEqual({ kind: 'done' });
    else tasks.push(task);
  }
  return { outcome: { ...outcome, events, tasks }, rejected };
}

describe('POST /webhooks/teams — rich notifications', () => {
  test('a batch of several users and subscriptions is decrypted and normalized whole, acked 202', async () => {
    const source = createTeamsWebhookSource(deps());
    const acked = await source.handle(inbound('/webhooks/teams', richBatch(), { receivedAt: RECEIVED_AT }));
    // At the ack: nothing decrypted yet, one durable decrypt task carrying the three authenticated items.
    expect(acked).toMatchObject({
      kind: 'accepted',
      ackStatus: 202,
      events: [],
      tasks: [{ kind: 'task', system: 'teams', task: TEAMS_TASKS.decryptPresence }],
    });
    const { outcome } = await settle(acked);
    expect(outcome).toEqual({
      kind: 'accepted',
      ackStatus: 202,
      tasks: [],
      events: [
        { system: 'teams', externalUserId: USERS[0], values: { availability: 'Busy', activity: 'InAMeeting' }, order: RECEIVED_AT, tiebreak: 0 },
        { system: 'teams', externalUserId: USERS[1], values: { availability: 'Away', activity: 'Away' }, order: RECEIVED_AT, tiebreak: 1 },
        { system: 'teams', externalUserId: USERS[2], values: { availability: 'Available', activity: 'Available' }, order: RECEIVED_AT, tiebreak: 2 },
      ],
    });
  });

  test('a v1 validation token (sts.windows.net issuer, appid claim) is accepted too', async () => {
    const batch = richBatch();
    const { azp: _azp, ...claims } = validationTokenClaims({ appId: APP_ID, tenantId: TENANT });
    batch.validationTokens = [signer.sign({ ...claims, iss: `https://sts.windows.net/${TENANT}/`, ver: '1.0', appid: CHANGE_TRACKING_APP_ID })];
    const outcome = await createTeamsWebhookSource(deps()).handle(inbound('/webhooks/teams', batch));
    expect(outcome).toMatchObject({ kind: 'accepted' });
  });

  test('the previous clientState still works during rotation', async () => {
    const batch = richBatch();
    for (const item of batch.value) item.clientState = 'client-state-previous';
    expect(await createTeamsWebhookSource(deps()).handle(inbound('/webhooks/teams', batch))).toMatchObject({ kind: 'accepted' });
  });

  const foreign = (): TokenSigner => createTokenSigner(signer.kid);
  const otherTenant = randomUUID();
  // Breaks that hit every item (or the batch's only token): nothing passes, so the old 4xx stays.
  const rejections: Array<[string, (batch: ReturnType<typeof richBatch>) => void, number, RegExp]> = [
    [
      'wrong clientState on every item',
      (b) => {
        for (const item of b.value) item.clientState = 'guess';
      },
      403,
      /clientState/,
    ],
    [
      'missing clientState on every item',
      (b) => {
        for (const item of b.value) delete item.clientState;
      },
      403,
      /clientState/,
    ],
    [
      'unknown subscription id on every item',
      (b) => {
        for (const item of b.value) item.subscriptionId = randomUUID();
      },
      403,
      /unknown subscription/,
    ],
    [
      'JWT signed by a foreign key (same kid)',
      (b) => {
        b.validationTokens = [token({}, foreign())];
      },
      401,
      /invalid signature/,
    ],
    [
      'JWT with wrong aud',
      (b) => {
        b.validationTokens = [token({ aud: randomUUID() })];
      },
      401,
      /audience/,
    ],
    [
      'JWT with wrong azp',
      (b) => {
        b.validationTokens = [token({ azp: randomUUID() })];
      },
      401,
      /Change Tracking/,
    ],
    [
      'v1 JWT with wrong appid',
      (b) => {
        b.validationTokens = [token({ ver: '1.0', azp: undefined, appid: randomUUID(), iss: `https://sts.windows.net/${TENANT}/` })];
      },
      401,
      /Change Tracking/,
    ],
    [
      'expired JWT',
      (b) => {
        b.validationTokens = [token({ exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 90000 })];
      },
      401,
      /expired/,
    ],
    [
      'JWT from another issuer',
      (b) => {
        b.validationTokens = [token({ iss: `https://evil.example/${TENANT}/v2.0` })];
      },
      401,
      /issuer/,
    ],
    [
      'JWT of another tenant (items claim it too)',
      (b) => {
        b.validationTokens = [token({ tid: otherTenant, iss: `https://login.microsoftonline.com/${otherTenant}/v2.0` })];
        for (const item of b.value) item.tenantId = otherTenant;
      },
      401,
      /not this tenant/,
    ],
    [
      'JWT of another tenant (items claim ours)',
      (b) => {
        b.validationTokens = [token({ tid: otherTenant, iss: `https://login.microsoftonline.com/${otherTenant}/v2.0` })];
      },
      401,
      /not this tenant/,
    ],
    [
      'items of another tenant next to a token of ours',
      (b) => {
        for (const item of b.value) item.tenantId = otherTenant;
      },
      401,
      /no valid validation token for tenant/,
    ],
    [
      'null validation token',
      (b) => {
        b.validationTokens = [null];
      },
      401,
      /null/,
    ],
    [
      'no validation tokens',
      (b) => {
        b.validationTokens = [];
      },
      401,
      /without validationTokens/,
    ],
    [
      'HS256 token',
      (b) => {
        b.validationTokens = [require('jsonwebtoken').sign(validationTokenClaims({ appId: APP_ID, tenantId: TENANT }), 'secret')];
      },
      401,
      /RS256/,
    ],
  ];

  test.each(rejections)('%s → rejected, nothing accepted', async (_name, breakIt, status, reason) => {
    const batch = richBatch();
    breakIt(batch);
    const outcome = await createTeamsWebhookSource(deps()).handle(inbound('/webhooks/teams', batch));
    // The metric's class (EventsRejected): an unknown subscription is told apart from a failed verification.
    const reasonClass = /unknown subscription/.test(reason.source) ? 'unknown-subscription' : 'signature';
    expect(outcome).toEqual({ kind: 'rejected', status, reason: expect.stringMatching(reason), reasonClass });
  });

  // Breaks that hit ONE item of three: that item is dropped and counted, the other two are recorded (202).
  const oneBadItem: Array<[string, number, (batch: ReturnType<typeof richBatch>) => void]> = [
    [
      'wrong clientState',
      2,
      (b) => {
        b.value[2].clientState = 'guess';
      },
    ],
    [
      'missing clientState',
      0,
      (b) => {
        delete b.value[0].clientState;
      },
    ],
    [
      'unknown subscription id',
      1,
      (b) => {
        b.value[1].subscriptionId = randomUUID();
      },
    ],
    [
      'tenant no token vouches for',
      0,
      (b) => {
        b.value[0].tenantId = randomUUID();
      },
    ],
  ];

  test.each(oneBadItem)('one item with a %s is dropped; the others are accepted (202)', async (_name, bad, breakIt) => {
    const batch = richBatch();
    breakIt(batch);
    const outcome = await createTeamsWebhookSource(deps()).handle(inbound('/webhooks/teams', batch, { receivedAt: RECEIVED_AT }));
    expect(outcome).toMatchObject({ kind: 'accepted', ackStatus: 202, dropped: 1 });
    const { outcome: settled } = await settle(outcome);
    const users = (settled as unknown as { events: Array<{ externalUserId: string }> }).events.map((event) => event.externalUserId);
    expect(users).toEqual(USERS.filter((_, index) => index !== bad));
  });

  // Breaks of ONE item's ciphertext: the batch is authentic, so it is acknowledged whole (202); the worker
  // checks the dataSignature, drops that item (logged, counted) and records the other two.
  const oneTamperedItem: Array<[string, number, (batch: ReturnType<typeof richBatch>) => void]> = [
    [
      'tampered dataSignature',
      1,
      (b) => {
        const content = b.value[1].encryptedContent as Record<string, string>;
        const signature = Buffer.from(content.dataSignature, 'base64');
        signature[0] ^= 1;
        content.dataSignature = signature.toString('base64');
      },
    ],
    [
      'tampered data',
      2,
      (b) => {
        const content = b.value[2].encryptedContent as Record<string, string>;
        const data = Buffer.from(content.data, 'base64');
        data[data.length - 1] ^= 1;
        content.data = data.toString('base64');
      },
    ],
  ];

  test.each(oneTamperedItem)('one item with a %s is acked, then dropped by the worker; the others are recorded', async (_name, bad, breakIt) => {
    const batch = richBatch();
    breakIt(batch);
    const acked = await createTeamsWebhookSource(deps()).handle(inbound('/webhooks/teams', batch, { receivedAt: RECEIVED_AT }));
    expect(acked).toMatchObject({ kind: 'accepted', ackStatus: 202, events: [] });
    expect(acked).not.toHaveProperty('dropped');
    const { outcome, rejected } = await settle(acked);
    const users = (outcome as unknown as { events: Array<{ externalUserId: string }> }).events.map((event) => event.externalUserId);
    expect(users).toEqual(USERS.filter((_, index) => index !== bad));
    expect(rejected).toBe(1);
  });

  test('a tampered dataSignature on every item: acked 202 (the batch is authentic), nothing recorded by the worker', async () => {
    const batch = richBatch();
    for (const item of batch.value) {
      const content = item.encryptedContent as Record<string, string>;
      const signature = Buffer.from(content.dataSignature, 'base64');
      signature[0] ^= 1;
      content.dataSignature = signature.toString('base64');
    }
    const acked = await createTeamsWebhookSource(deps()).handle(inbound('/webhooks/teams', batch));
    expect(acked).toMatchObject({ kind: 'accepted', ackStatus: 202, events: [] });
    const { outcome, rejected } = await settle(acked);
    expect(outcome).toMatchObject({ kind: 'accepted', events: [], tasks: [] });
    expect(rejected).toBe(3);
  });

  test('one good and one foreign token: the good one vouches for the items', async () => {
    const batch = richBatch();
    batch.validationTokens = [token({ aud: randomUUID() }), token()];
    const acked = await createTeamsWebhookSource(deps()).handle(inbound('/webhooks/teams', batch));
    expect(acked).not.toHaveProperty('dropped');
    const { outcome } = await settle(acked);
    expect(outcome).toMatchObject({ kind: 'accepted', events: [{}, {}, {}] });
  });

  test("a mixed batch (another app's subscription with its own clientState and token) keeps our items, logs one warn line and tells only our subscriptions", async () => {
    const batch = richBatch();
    const otherApp = randomUUID();
    const foreignItem: Record<string, unknown> = { ...richItem(randomUUID(), randomUUID(), 'Busy', 'Busy'), clientState: 'other-app-state' };
    batch.value.splice(1, 0, foreignItem);
    batch.validationTokens = [token({ aud: otherApp }), token()];
    const warnings: Array<[string, Record<string, unknown> | undefined]> = [];
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      error: () => undefined,
      warn: (message: string, fields?: Record<string, unknown>) => warnings.push([message, fields]),
      child() {
        return this;
      },
    };
    const told: string[][] = [];
    const outcome = await createTeamsWebhookSource(deps({ logger: logger as never, onVerifiedNotifications: (ids) => told.push([...ids]) })).handle(
      inbound('/webhooks/teams', batch, { receivedAt: RECEIVED_AT }),
    );
    expect(outcome).toMatchObject({ kind: 'accepted', ackStatus: 202, dropped: 1 });
    const { outcome: settled } = await settle(outcome);
    expect((settled as unknown as { events: Array<{ externalUserId: string; tiebreak: number }> }).events.map((e) => [e.externalUserId, e.tiebreak])).toEqual([
      [USERS[0], 0],
      [USERS[1], 2],
      [USERS[2], 3],
    ]);
    expect(warnings).toEqual([
      [
        expect.stringMatching(/dropped/),
        expect.objectContaining({ passed: 3, dropped: 1, reasons: { clientState: 1 }, subscriptionIds: [foreignItem.subscriptionId] }),
      ],
    ]);
    expect(told).toEqual([[SUB_A, SUB_B]]);
  });

  test('clientState is checked before any validation token or decryption work', async () => {
    const validateTokens = jest.fn(deps().validateTokens!);
    const decipher = jest.spyOn(crypto, 'createDecipheriv');
    const privateDecrypt = jest.spyOn(crypto, 'privateDecrypt');
    try {
      const batch = richBatch();
      for (const item of batch.value) item.clientState = 'forged';
      expect(await createTeamsWebhookSource(deps({ validateTokens })).handle(inbound('/webhooks/teams', batch))).toMatchObject({
        kind: 'rejected',
        status: 403,
      });
      expect(validateTokens).not.toHaveBeenCalled();
      expect(decipher).not.toHaveBeenCalled();
      expect(privateDecrypt).not.toHaveBeenCalled();
    } finally {
      decipher.mockRestore();
      privateDecrypt.mockRestore();
    }
  });

  test('keys unavailable answer 503 only when an item needs the token; a basic item next to it is not held up otherwise', async () => {
    const unavailable = createValidationTokenValidator({
      appIds: [APP_ID],
      tenantId: async () => Promise.reject(new Error('login.microsoftonline.com unreachable')),
      changeTrackingAppIds: [CHANGE_TRACKING_APP_ID],
      keySource,
    });
    expect(await createTeamsWebhookSource(deps({ validateTokens: unavailable })).handle(inbound('/webhooks/teams', richBatch()))).toMatchObject({
      kind: 'rejected',
      status: 503,
    });
    const basic = {
      value: [{ subscriptionId: SUB_A, clientState: CLIENT_STATE, changeType: 'updated', resource: `communications/presences/${USERS[0]}` }],
      validationTokens: [token()],
    };
    expect(await createTeamsWebhookSource(deps({ validateTokens: unavailable })).handle(inbound('/webhooks/teams', basic))).toMatchObject({ kind: 'accepted' });
  });

  test('no RSA or AES work before the 202; in the worker the dataSignature is checked before any AES decryption', async () => {
    const decipher = jest.spyOn(crypto, 'createDecipheriv');
    const privateDecrypt = jest.spyOn(crypto, 'privateDecrypt');
    try {
      const batch = richBatch();
      batch.value = [batch.value[0]];
      (batch.value[0].encryptedContent as Record<string, string>).dataSignature = Buffer.alloc(32).toString('base64');
      const acked = await createTeamsWebhookSource(deps()).handle(inbound('/webhooks/teams', batch));
      expect(acked).toMatchObject({ kind: 'accepted', ackStatus: 202 });
      expect(privateDecrypt).not.toHaveBeenCalled();
      expect(await settle(acked)).toMatchObject({ outcome: { events: [] }, rejected: 1 });
      expect(decipher).not.toHaveBeenCalled();
      // The spy does see decryption when the signature is right.
      expect((await settle(await createTeamsWebhookSource(deps()).handle(inbound('/webhooks/teams', richBatch())))).outcome).toMatchObject({
        kind: 'accepted',
        events: [{}, {}, {}],
      });
      expect(decipher).toHaveBeenCalled();
    } finally {
      decipher.mockRestore();
      privateDecrypt.mockRestore();
    }
  });

  test('a cold JWKS that never answers is bounded by the key timeout and answered 503 (Graph retries)', async () => {
    const validateTokens = createValidationTokenValidator({
      appIds: [APP_ID],
      tenantId: async () => TENANT,
      changeTrackingAppIds: [CHANGE_TRACKING_APP_ID],
      keySource: () => new Promise<string>(() => undefined),
      keyTimeoutMs: 200,
    });
    const started = Date.now();
    const outcome = await createTeamsWebhookSource(deps({ validateTokens })).handle(inbound('/webhooks/teams', richBatch()));
    expect(outcome).toMatchObject({ kind: 'rejected', status: 503 });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  test('an unknown kid (SigningKeyNotFoundError from a key source) is a forgery: 401', async () => {
    const notFound = Object.assign(new Error('Unable to find a signing key that matches "x"'), { name: 'SigningKeyNotFoundError' });
    const validateTokens = createValidationTokenValidator({
      appIds: [APP_ID],
      tenantId: async () => TENANT,
      changeTrackingAppIds: [CHANGE_TRACKING_APP_ID],
      keySource: async () => Promise.reject(notFound),
    });
    expect(await createTeamsWebhookSource(deps({ validateTokens })).handle(inbound('/webhooks/teams', richBatch()))).toMatchObject({
      kind: 'rejected',
      status: 401,
    });
  });

  test('a store failure while checking subscription ids is a 503, not a verdict on the sender', async () => {
    const outcome = await createTeamsWebhookSource(deps({ isKnownSubscription: async () => Promise.reject(new Error('disk gone')) })).handle(
      inbound('/webhooks/teams', richBatch()),
    );
    expect(outcome).toMatchObject({ kind: 'rejected', status: 503 });
  });

  test('rich notifications without a configured validator are refused with 503 (Graph retries)', async () => {
    const outcome = await createTeamsWebhookSource(deps({ validateTokens: undefined })).handle(inbound('/webhooks/teams', richBatch()));
    expect(outcome).toMatchObject({ kind: 'rejected', status: 503 });
  });

  test('an unknown encryptionCertificateId falls back to reading that user from Graph', async () => {
    const batch = richBatch();
    (batch.value[1].encryptedContent as Record<string, string>).encryptionCertificateId = 'retired-cert';
    const { outcome } = await settle(await createTeamsWebhookSource(deps()).handle(inbound('/webhooks/teams', batch)));
    expect(outcome).toMatchObject({
      kind: 'accepted',
      events: [expect.objectContaining({ externalUserId: USERS[0] }), expect.objectContaining({ externalUserId: USERS[2] })],
      tasks: [{ kind: 'task', system: 'teams', task: TEAMS_TASKS.readPresence, data: { userIds: USERS[1] } }],
    });
  });
});

describe('POST /webhooks/teams — basic notifications and malformed input', () => {
  test('basic notifications become one read-presence task (no Graph call on the webhook path)', async () => {
    const value = USERS.map((userId, index) => ({
      subscriptionId: index === 1 ? SUB_B : SUB_A,
      clientState: CLIENT_STATE,
      changeType: 'updated',
      tenantId: TENANT,
      // Id forms vary: resource with and without a leading slash, resourceData.id.
      resource: index === 0 ? `/communications/presences/${userId}` : `communications/presences/${userId}`,
      resourceData: index === 2 ? { '@odata.type': '#Microsoft.Graph.presence', id: userId.toUpperCase() } : undefined,
    }));
    const outcome = await createTeamsWebhookSource(deps()).handle(inbound('/webhooks/teams', { value }));
    expect(outcome).toEqual({
      kind: 'accepted',
      ackStatus: 202,
      events: [],
      tasks: [{ kind: 'task', system: 'teams', task: 'read-presence', data: { userIds: USERS.join(',') } }],
    });
  });

  test.each([
    ['not JSON', '{"value": ['],
    ['no value array', { notifications: [] }],
    ['item without subscriptionId', { value: [{ clientState: CLIENT_STATE }] }],
    [
      'encryptedContent without dataSignature',
      { value: [{ subscriptionId: SUB_A, clientState: CLIENT_STATE, encryptedContent: { data: 'AA==', dataKey: 'AA==' } }] },
    ],
  ])('%s → 400', async (_name, body) => {
    expect(await createTeamsWebhookSource(deps()).handle(inbound('/webhooks/teams', body))).toMatchObject({ kind: 'rejected', status: 400 });
  });

  test('an empty batch is acknowledged and ignored', async () => {
    expect(await createTeamsWebhookSource(deps()).handle(inbound('/webhooks/teams', { value: [] }))).toEqual({
      kind: 'ignored',
      reason: expect.any(String),
      ackStatus: 202,
    });
  });
});

describe('POST /webhooks/teams/lifecycle', () => {
  const item = (subscriptionId: string, lifecycleEvent: string, clientState = CLIENT_STATE): Record<string, unknown> => ({
    subscriptionId,
    subscriptionExpirationDateTime: '2030-01-01T00:00:00.0000000Z',
    tenantId: TENANT,
    clientState,
    lifecycleEvent,
  });

  test('a batch of lifecycle events becomes tasks for the runner', async () => {
    const source = createTeamsLifecycleWebhookSource(deps());
    const outcome = await source.handle(
      inbound('/webhooks/teams/lifecycle', {
        value: [item(SUB_A, 'reauthorizationRequired'), item(SUB_B, 'subscriptionRemoved'), item(SUB_A, 'missed'), item(SUB_B, 'ReauthorizationRequired')],
      }),
    );
    expect(outcome).toEqual({
      kind: 'accepted',
      events: [],
      ackStatus: 202,
      tasks: [
        { kind: 'task', system: 'teams', task: 'reauthorize', data: { subscriptionId: SUB_A } },
        { kind: 'task', system: 'teams', task: 'recreate-subscription', data: { subscriptionId: SUB_B } },
        { kind: 'task', system: 'teams', task: 'read-presence', data: { subscriptionId: SUB_A } },
        { kind: 'task', system: 'teams', task: 'reauthorize', data: { subscriptionId: SUB_B } },
      ],
    });
  });

  test('wrong clientState → 403; unknown subscription → 403', async () => {
    const source = createTeamsLifecycleWebhookSource(deps());
    expect(await source.handle(inbound('/webhooks/teams/lifecycle', { value: [item(SUB_A, 'missed', 'nope')] }))).toMatchObject({
      kind: 'rejected',
      status: 403,
    });
    expect(await source.handle(inbound('/webhooks/teams/lifecycle', { value: [item(randomUUID(), 'missed')] }))).toMatchObject({
      kind: 'rejected',
      status: 403,
    });
  });

  test('a mixed lifecycle batch keeps the events of our subscriptions and drops the others', async () => {
    const source = createTeamsLifecycleWebhookSource(deps());
    const outcome = await source.handle(
      inbound('/webhooks/teams/lifecycle', {
        value: [item(randomUUID(), 'reauthorizationRequired', 'other-app'), item(SUB_A, 'reauthorizationRequired'), item(randomUUID(), 'missed')],
      }),
    );
    expect(outcome).toEqual({
      kind: 'accepted',
      events: [],
      ackStatus: 202,
      dropped: 2,
      tasks: [{ kind: 'task', system: 'teams', task: 'reauthorize', data: { subscriptionId: SUB_A } }],
    });
  });
});

describe('caps on one POST', () => {
  const basicItem = (i: number) => ({
    subscriptionId: SUB_A,
    clientState: CLIENT_STATE,
    changeType: 'updated',
    resource: `communications/presences/${USERS[i % USERS.length]}`,
  });

  test(`${MAX_ITEMS_PER_POST} items are taken; one more is refused with 413 before any item is judged`, async () => {
    let lookups = 0;
    const counting = deps({ isKnownSubscription: (id) => (lookups++, id === SUB_A) });
    const atCap = { value: Array.from({ length: MAX_ITEMS_PER_POST }, (_, i) => basicItem(i)) };
    expect(await createTeamsWebhookSource(counting).handle(inbound('/webhooks/teams', atCap))).toMatchObject({ kind: 'accepted' });

    lookups = 0;
    const over = { value: Array.from({ length: MAX_ITEMS_PER_POST + 1 }, (_, i) => basicItem(i)) };
    for (const path of ['/webhooks/teams', '/webhooks/teams/lifecycle'] as const) {
      const source = path === '/webhooks/teams' ? createTeamsWebhookSource(counting) : createTeamsLifecycleWebhookSource(counting);
      expect(await source.handle(inbound(path, over))).toMatchObject({ kind: 'rejected', status: 413 });
    }
    expect(lookups).toBe(0);
  });

  test(`more than ${MAX_VALIDATION_TOKENS_PER_POST} validation tokens are refused with 413 before any is checked`, async () => {
    const batch = richBatch();
    batch.validationTokens = Array.from({ length: MAX_VALIDATION_TOKENS_PER_POST + 1 }, () => token());
    expect(await createTeamsWebhookSource(deps()).handle(inbound('/webhooks/teams', batch))).toMatchObject({ kind: 'rejected', status: 413 });
  });
});
