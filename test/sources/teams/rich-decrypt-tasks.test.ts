/**
 * Rich notifications off the acknowledgement path (docs/teams.md "Decryption in the worker"): the webhook
 * authenticates the batch and queues its items still encrypted as `decrypt-presence` tasks; the worker's
 * task runner checks each dataSignature, decrypts and records.
 */
import crypto, { randomUUID } from 'node:crypto';
import type { CountMetric, MetricDimensions, Metrics } from '../../../src/metrics/metrics';
import type { PresenceEvent } from '../../../src/presence';
import { SQS_MAX_BATCH_BYTES } from '../../../src/queue/sqs';
import { createTeamsTaskRunner } from '../../../src/sources/teams/task-runner';
import { MAX_DECRYPT_TASK_BYTES, MAX_ITEMS_PER_DECRYPT_TASK, TEAMS_TASKS, type TeamsTaskMessage } from '../../../src/sources/teams/tasks';
import { createValidationTokenValidator, type SigningKeySource } from '../../../src/sources/teams/validation-tokens';
import { createTeamsWebhookSource, type TeamsWebhookDeps } from '../../../src/sources/teams/webhook';
import type { WebhookOutcome } from '../../../src/webhooks/types';
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
const CLIENT_STATE = 'rich-client-state';
const SUBSCRIPTION = randomUUID();
const CERT_ID = 'cert-rich';
const RECEIVED_AT = 1_760_000_000_000;

let dir: string;
let certificate: SelfSignedCertificate;
let signer: TokenSigner;

beforeAll(() => {
  dir = makeTempDir();
  certificate = generateSelfSignedCertificate(dir, 'encryption');
  signer = createTokenSigner();
});
afterAll(() => removeTempDir(dir));

function deps(keySource: SigningKeySource = async () => signer.publicKeyPem, overrides: Partial<TeamsWebhookDeps> = {}): TeamsWebhookDeps {
  return {
    clientStates: [CLIENT_STATE],
    isKnownSubscription: (id) => id === SUBSCRIPTION,
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

function richItem(userId: string, index: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subscriptionId: SUBSCRIPTION,
    clientState: CLIENT_STATE,
    changeType: 'updated',
    tenantId: TENANT,
    resource: `communications/presences/${userId}`,
    resourceData: { id: userId },
    encryptedContent: encryptLikeGraph(
      { id: userId, availability: 'Busy', activity: 'InACall', sequenceNumber: String(1000 + index), ...extra },
      certificate.certPem,
      CERT_ID,
    ),
  };
}

function batchOf(users: readonly string[], extra: Record<string, unknown> = {}): { value: Array<Record<string, unknown>>; validationTokens: string[] } {
  return {
    value: users.map((user, index) => richItem(user, index, extra)),
    validationTokens: [signer.sign(validationTokenClaims({ appId: APP_ID, tenantId: TENANT }))],
  };
}

function decryptTasks(outcome: WebhookOutcome): TeamsTaskMessage[] {
  if (outcome.kind !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(outcome)}`);
  return (outcome.tasks ?? []).filter((task): task is TeamsTaskMessage => task.kind === 'task' && task.task === TEAMS_TASKS.decryptPresence);
}

function runnerRecording(): { run: ReturnType<typeof createTeamsTaskRunner>; events: PresenceEvent[]; rejected: () => number } {
  const events: PresenceEvent[] = [];
  let rejected = 0;
  const metrics: Metrics = {
    count: (name: CountMetric, dimensions?: MetricDimensions, value = 1) => {
      if (name === 'EventsRejected' && dimensions?.system === 'teams' && dimensions.reason === 'signature') rejected += value;
    },
    gauge: () => undefined,
    timing: () => undefined,
  };
  const run = createTeamsTaskRunner({
    readPresences: async () => Promise.reject(new Error('no Graph read expected')),
    recordEvents: async (recorded) => void events.push(...recorded),
    decryptionKeys: [{ certificateId: CERT_ID, privateKeyPem: certificate.keyPem }],
    metrics,
  });
  return { run, events, rejected: () => rejected };
}

const USERS = Array.from({ length: 100 }, () => randomUUID());

describe('a 100-item rich batch', () => {
  test('is acknowledged with decrypt tasks only: no event and no RSA work before the 202', async () => {
    const privateDecrypt = jest.spyOn(crypto, 'privateDecrypt');
    try {
      const outcome = await createTeamsWebhookSource(deps()).handle(inbound('/webhooks/teams', batchOf(USERS), { receivedAt: RECEIVED_AT }));
      expect(outcome).toMatchObject({ kind: 'accepted', ackStatus: 202, events: [] });
      expect(outcome).not.toHaveProperty('dropped');
      const tasks = decryptTasks(outcome);
      expect(tasks).toHaveLength(100 / MAX_ITEMS_PER_DECRYPT_TASK);
      expect(outcome.kind === 'accepted' && outcome.tasks).toHaveLength(tasks.length);
      const items = tasks.flatMap((task) => JSON.parse(task.data.items) as Array<{ index: number; subscriptionId: string; userId: string }>);
      expect(items.map((item) => [item.index, item.userId, item.subscriptionId])).toEqual(USERS.map((user, index) => [index, user, SUBSCRIPTION]));
      for (const task of tasks) expect(task.data.receivedAt).toBe(String(RECEIVED_AT));
      expect(privateDecrypt).not.toHaveBeenCalled();
    } finally {
      privateDecrypt.mockRestore();
    }
  });

  test('the task runner decrypts and records all 100, ordered as the ack path did (receipt time, position, sequenceNumber)', async () => {
    const outcome = await createTeamsWebhookSource(deps()).handle(inbound('/webhooks/teams', batchOf(USERS), { receivedAt: RECEIVED_AT }));
    const { run, events, rejected } = runnerRecording();
    for (const task of decryptTasks(outcome)) expect(await run(task)).toEqual({ kind: 'done' });
    expect(events).toEqual(
      USERS.map((user, index) => ({
        system: 'teams',
        externalUserId: user,
        values: { availability: 'Busy', activity: 'InACall' },
        order: RECEIVED_AT,
        tiebreak: index,
        sequence: String(1000 + index),
      })),
    );
    expect(rejected()).toBe(0);
  });

  test('an item with a tampered dataSignature is dropped by the runner (counted), the other 99 are recorded', async () => {
    const batch = batchOf(USERS);
    const content = batch.value[42].encryptedContent as Record<string, string>;
    const signature = Buffer.from(content.dataSignature, 'base64');
    signature[5] ^= 1;
    content.dataSignature = signature.toString('base64');
    const outcome = await createTeamsWebhookSource(deps()).handle(inbound('/webhooks/teams', batch, { receivedAt: RECEIVED_AT }));
    expect(outcome).toMatchObject({ kind: 'accepted', ackStatus: 202 });
    const { run, events, rejected } = runnerRecording();
    for (const task of decryptTasks(outcome)) expect(await run(task)).toEqual({ kind: 'done' });
    expect(events.map((event) => event.externalUserId)).toEqual(USERS.filter((_, index) => index !== 42));
    expect(rejected()).toBe(1);
  });

  test("100 large items: every task stays under the size bound and SQS's 256 KiB; an item over the bound is dropped at the ack", async () => {
    // About 30 KiB of resource each (a presence is a few hundred bytes; this is the worst case the bound guards).
    const padding = 'p'.repeat(30 * 1024);
    const outcome = await createTeamsWebhookSource(deps()).handle(inbound('/webhooks/teams', batchOf(USERS, { padding }), { receivedAt: RECEIVED_AT }));
    const tasks = decryptTasks(outcome);
    expect(tasks.length).toBeGreaterThan(100 / MAX_ITEMS_PER_DECRYPT_TASK);
    for (const task of tasks) {
      const bytes = Buffer.byteLength(JSON.stringify(task), 'utf8');
      expect(bytes).toBeLessThan(MAX_DECRYPT_TASK_BYTES + 1024);
      expect(bytes).toBeLessThan(SQS_MAX_BATCH_BYTES);
    }
    expect(tasks.flatMap((task) => JSON.parse(task.data.items) as unknown[])).toHaveLength(100);

    const huge = batchOf(USERS.slice(0, 2));
    huge.value[1] = richItem(USERS[1], 1, { padding: 'p'.repeat(MAX_DECRYPT_TASK_BYTES) });
    const partial = await createTeamsWebhookSource(deps()).handle(inbound('/webhooks/teams', huge, { receivedAt: RECEIVED_AT }));
    expect(partial).toMatchObject({ kind: 'accepted', ackStatus: 202, dropped: 1 });
    expect(
      decryptTasks(partial)
        .flatMap((task) => JSON.parse(task.data.items) as Array<{ userId: string }>)
        .map((item) => item.userId),
    ).toEqual([USERS[0]]);
  });
});

describe('validation tokens on a burst of batches', () => {
  test('one JWT check per distinct token: repeated in a batch or across batches, it is checked once while unexpired', async () => {
    const keySource = jest.fn<Promise<string>, [string | undefined]>(async () => signer.publicKeyPem);
    const source = createTeamsWebhookSource(deps(keySource));
    const batch = batchOf(USERS.slice(0, 3));
    batch.validationTokens = [batch.validationTokens[0], batch.validationTokens[0]];
    for (let i = 0; i < 5; i += 1) expect(await source.handle(inbound('/webhooks/teams', batch))).toMatchObject({ kind: 'accepted' });
    expect(keySource).toHaveBeenCalledTimes(1);
    // A different token is checked on its own, and a forged one is still refused.
    const other = batchOf(USERS.slice(0, 1));
    expect(await source.handle(inbound('/webhooks/teams', other))).toMatchObject({ kind: 'accepted' });
    expect(keySource).toHaveBeenCalledTimes(2);
    const forged = batchOf(USERS.slice(0, 1));
    forged.validationTokens = [createTokenSigner(signer.kid).sign(validationTokenClaims({ appId: APP_ID, tenantId: TENANT }))];
    expect(await source.handle(inbound('/webhooks/teams', forged))).toMatchObject({ kind: 'rejected', status: 401 });
  });

  test('a cached token is checked again once it has expired', async () => {
    let clock = Date.now();
    const keySource = jest.fn<Promise<string>, [string | undefined]>(async () => signer.publicKeyPem);
    const validateTokens = createValidationTokenValidator({
      appIds: [APP_ID],
      tenantId: async () => TENANT,
      changeTrackingAppIds: [CHANGE_TRACKING_APP_ID],
      keySource,
      clockToleranceSeconds: 0,
      now: () => clock,
    });
    const token = signer.sign({ ...validationTokenClaims({ appId: APP_ID, tenantId: TENANT }), exp: Math.floor(clock / 1000) + 60 });
    expect(await validateTokens([token])).toMatchObject([{ ok: true }]);
    expect(await validateTokens([token])).toMatchObject([{ ok: true }]);
    expect(keySource).toHaveBeenCalledTimes(1);
    clock += 61_000;
    expect(await validateTokens([token])).toMatchObject([{ ok: false, kind: 'invalid' }]);
    expect(keySource).toHaveBeenCalledTimes(2);
  });
});
