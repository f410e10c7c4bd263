/**
 * ZOOM_ACCOUNT_ID as an allow-list: a verified event from an account not listed is refused with 403 and
 * changes nothing; the URL validation challenge (which names no account) is always answered.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config';
import { createLogger } from '../../../src/logger';
import { DEFAULT_PRESENCE_MAPPING } from '../../../src/presence';
import type { QueueMessage } from '../../../src/queue/key-queue';
import { isZoomAccountAllowed, readZoomAccountId } from '../../../src/sources/zoom/account-allow-list';
import { computeZoomEncryptedToken } from '../../../src/sources/zoom/handshake';
import { createZoomWebhookSource } from '../../../src/sources/zoom/webhook';
import { openEmbeddedStore, type EmbeddedStateStore } from '../../../src/store/embedded';
import { handleWebhook, type WebhookCoreDeps } from '../../../src/webhooks/handle-webhook';
import { fixtureBytes, NOW_MS, SECRET, signedRequest } from './helpers';

/** The documented example's account is `AAAAAABBBB`. */
const presence = () => signedRequest(fixtureBytes('presence-date-underscore.json'));

describe('isZoomAccountAllowed / readZoomAccountId', () => {
  it('allows everything when no list is configured', () => {
    expect(isZoomAccountAllowed([], 'any')).toBe(true);
    expect(isZoomAccountAllowed([], undefined)).toBe(true);
  });

  it('compares exactly, like Zoom ids (case-sensitive)', () => {
    expect(isZoomAccountAllowed(['AAAAAABBBB', 'other'], 'AAAAAABBBB')).toBe(true);
    expect(isZoomAccountAllowed(['AAAAAABBBB'], 'aaaaaabbbb')).toBe(false);
    expect(isZoomAccountAllowed(['AAAAAABBBB'], undefined)).toBe(false);
  });

  it('reads payload.account_id only when it is a non-empty string', () => {
    expect(readZoomAccountId({ payload: { account_id: 'X1' } })).toBe('X1');
    expect(readZoomAccountId({ payload: { account_id: '' } })).toBeUndefined();
    expect(readZoomAccountId({ payload: { account_id: 7 } })).toBeUndefined();
    expect(readZoomAccountId({ payload: null })).toBeUndefined();
    expect(readZoomAccountId([])).toBeUndefined();
  });
});

describe('ZOOM_ACCOUNT_ID allow-list on the Zoom route', () => {
  let store: EmbeddedStateStore;
  let queued: QueueMessage[];
  let logLines: Array<Record<string, unknown>>;

  beforeEach(async () => {
    store = await openEmbeddedStore(fs.mkdtempSync(path.join(os.tmpdir(), 'zoom-accounts-')));
    queued = [];
    logLines = [];
  });
  afterEach(() => store.close());

  function deps(zoomAccountId?: string): WebhookCoreDeps {
    const env = { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET, ...(zoomAccountId === undefined ? {} : { ZOOM_ACCOUNT_ID: zoomAccountId }) };
    const logger = createLogger('debug', (line) => logLines.push(JSON.parse(line)));
    return {
      sources: [createZoomWebhookSource(loadConfig(env).zoom, () => NOW_MS, logger)],
      store,
      queue: { enqueue: async (messages) => void queued.push(...messages) },
      mapping: DEFAULT_PRESENCE_MAPPING,
      now: () => NOW_MS,
      logger,
    };
  }

  it('accepts an event from a listed account (any position in the list)', async () => {
    const response = await handleWebhook(presence(), deps('acct-first, AAAAAABBBB'));
    expect(response.status).toBe(200);
    expect((await store.list({ system: 'zoom' })).map((r) => r.key.externalUserId)).toEqual(['abcD3ojfdbjfg']);
    expect(queued).toHaveLength(1);
  });

  it('keeps the first value as the Server-to-Server OAuth account', () => {
    const { zoom } = loadConfig({ ZOOM_ACCOUNT_ID: 'acct-first, AAAAAABBBB' });
    expect(zoom.accountId).toBe('acct-first');
    expect(zoom.allowedAccountIds).toEqual(['acct-first', 'AAAAAABBBB']);
  });

  it.each([
    ['an unlisted account', 'acct-other'],
    ['the listed account in another case', 'aaaaaabbbb'],
  ])('refuses %s with 403: generic answer, detail in the log, nothing recorded or enqueued', async (_label, configured) => {
    const response = await handleWebhook(presence(), deps(configured));
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toEqual({ error: 'forbidden' }); // the reason (ZOOM_ACCOUNT_REFUSED) goes to the log only
    expect(response.body).not.toContain('AAAAAABBBB');
    expect(await store.list()).toEqual([]);
    expect(queued).toEqual([]);
    expect(logLines).toContainEqual(
      expect.objectContaining({ level: 'warn', accountId: 'AAAAAABBBB', allowed: [configured], message: expect.stringContaining('ZOOM_ACCOUNT_ID') }),
    );
  });

  it('refuses an event that names no account when a list is configured', async () => {
    const body = JSON.stringify({
      event: 'user.presence_status_updated',
      event_ts: NOW_MS,
      payload: { object: { id: 'U1', email: 'a@example.com', presence_status: 'Away', date_time: '2024-03-27T04:00:00Z' } },
    });
    expect((await handleWebhook(signedRequest(body), deps('AAAAAABBBB'))).status).toBe(403);
    expect(await store.list()).toEqual([]);
  });

  it('refuses other events from an unlisted account too (not 2xx "ignored")', async () => {
    const body = JSON.stringify({ event: 'user.signed_in', event_ts: NOW_MS, payload: { account_id: 'acct-other', object: { id: 'x' } } });
    expect((await handleWebhook(signedRequest(body), deps('AAAAAABBBB'))).status).toBe(403);
  });

  it('checks nothing when ZOOM_ACCOUNT_ID is unset', async () => {
    expect((await handleWebhook(presence(), deps())).status).toBe(200);
    expect(await store.list({ system: 'zoom' })).toHaveLength(1);
  });

  it('still answers the URL validation challenge, which names no account', async () => {
    const response = await handleWebhook(signedRequest(fixtureBytes('crc-request.json')), deps('acct-other'));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
      encryptedToken: computeZoomEncryptedToken(SECRET, 'qgg8vlvZRS6UYooatFL8Aw'),
    });
  });

  it('verifies the signature first: an unsigned request from an unlisted account is 401, not 403', async () => {
    const request = signedRequest(fixtureBytes('presence-date-underscore.json'), { secret: 'wrong' });
    expect((await handleWebhook(request, deps('acct-other'))).status).toBe(401);
  });
});
