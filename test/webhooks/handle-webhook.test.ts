/**
 * The core's status mapping: a failure to record answers 5xx (so the sender retries) and enqueues
 * nothing; unknown routes and methods are refused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, silentLogger } from '../../src/logger';
import { DEFAULT_PRESENCE_MAPPING } from '../../src/presence';
import type { QueueMessage } from '../../src/queue/key-queue';
import { openEmbeddedStore } from '../../src/store/embedded';
import { handleWebhook, MAX_BODY_BYTES, type WebhookCoreDeps } from '../../src/webhooks/handle-webhook';
import type { InboundRequest, WebhookSource } from '../../src/webhooks/types';

const source: WebhookSource = {
  system: 'zoom',
  path: '/webhooks/zoom',
  handle: () => ({
    kind: 'accepted',
    events: [{ system: 'zoom', externalUserId: 'u1', email: 'a@example.com', values: { presence_status: 'Away' }, order: 1 }],
  }),
};

const request = (overrides: Partial<InboundRequest> = {}): InboundRequest => ({
  method: 'POST',
  path: '/webhooks/zoom',
  query: {},
  headers: {},
  body: Buffer.from('{}'),
  receivedAt: Date.now(),
  ...overrides,
});

/** The core over a fresh embedded store; what is enqueued lands in `queued`. */
async function depsWith(queued: QueueMessage[], sources: WebhookSource[] = [source]): Promise<WebhookCoreDeps> {
  return {
    sources,
    store: await openEmbeddedStore(fs.mkdtempSync(path.join(os.tmpdir(), 'core-'))),
    queue: { enqueue: async (messages) => void queued.push(...messages) },
    mapping: DEFAULT_PRESENCE_MAPPING,
    now: Date.now,
    logger: silentLogger,
  };
}

async function depsWithClosedStore(queued: QueueMessage[]): Promise<WebhookCoreDeps> {
  const deps = await depsWith(queued);
  await deps.store.close(); // every write now fails, as a full disk or a lost DynamoDB connection would
  return deps;
}

describe('handleWebhook', () => {
  it('answers 503 and enqueues nothing when the event cannot be recorded', async () => {
    const queued: QueueMessage[] = [];
    const response = await handleWebhook(request(), await depsWithClosedStore(queued));
    expect(response.status).toBe(503);
    expect(queued).toEqual([]);
  });

  it('answers 404 for an unknown path and 405 for a GET', async () => {
    const deps = await depsWithClosedStore([]);
    expect((await handleWebhook(request({ path: '/webhooks/slack' }), deps)).status).toBe(404);
    expect((await handleWebhook(request({ method: 'GET' }), deps)).status).toBe(405);
  });

  it('records a verified event whose value names an Object.prototype member as skip, not a 5xx', async () => {
    const poison: WebhookSource = {
      ...source,
      handle: () => ({
        kind: 'accepted',
        events: [{ system: 'zoom', externalUserId: 'u2', values: { presence_status: 'constructor' }, order: 1 }],
      }),
    };
    const deps = await depsWith([], [poison]);
    expect((await handleWebhook(request(), deps)).status).toBe(200);
    expect((await deps.store.get({ system: 'zoom', externalUserId: 'u2' }))?.desired).toMatchObject({ target: null, message: 'Constructor' });
    await deps.store.close();
  });

  it('takes a body of exactly 1 MiB and refuses one byte more with 413', async () => {
    const deps = await depsWith([]);
    expect((await handleWebhook(request({ body: Buffer.alloc(MAX_BODY_BYTES, 0x20) }), deps)).status).toBe(200);
    expect((await handleWebhook(request({ body: Buffer.alloc(MAX_BODY_BYTES + 1, 0x20) }), deps)).status).toBe(413);
    expect(MAX_BODY_BYTES).toBe(1024 * 1024);
    await deps.store.close();
  });

  it.each([
    [401, 'signature v0=… does not match any of 2 ZOOM_WEBHOOK_SECRET_TOKEN values'],
    [403, 'token is for tenant 11111111-2222-3333-4444-555555555555, not this tenant'],
  ] as const)('answers a failed authentication (%i) with a generic body; the reason goes to the log only', async (status, reason) => {
    const lines: string[] = [];
    const refusing: WebhookSource = { ...source, handle: () => ({ kind: 'rejected', status, reason }) };
    const deps = { ...(await depsWith([], [refusing])), logger: createLogger('warn', (line) => lines.push(line)) };
    const response = await handleWebhook(request(), deps);
    expect(response.status).toBe(status);
    expect(response.body).not.toContain(reason.slice(0, 12));
    expect(JSON.parse(response.body).error).toMatch(/^(unauthorized|forbidden)/);
    expect(lines.join('\n')).toContain(reason);
    await deps.store.close();
  });

  it('keeps the reason in a 400 answer, for a sender that authenticated but sent something malformed', async () => {
    const malformed: WebhookSource = { ...source, handle: () => ({ kind: 'rejected', status: 400, reason: 'payload.object.presence_status is missing' }) };
    const deps = await depsWith([], [malformed]);
    expect(JSON.parse((await handleWebhook(request(), deps)).body)).toEqual({ error: 'payload.object.presence_status is missing' });
    await deps.store.close();
  });
});
