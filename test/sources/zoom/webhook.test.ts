import { loadConfig } from '../../../src/config';
import { createZoomWebhookSource, ZOOM_WEBHOOK_PATH } from '../../../src/sources/zoom/webhook';
import { signZoomRequest } from '../../../src/sources/zoom/verify';
import { fixtureBytes, inbound, NOW_MS, NOW_SECONDS, SECRET, signedRequest, zoomConfig } from './helpers';

const source = createZoomWebhookSource(zoomConfig(), () => NOW_MS);

/** The documented example as the bridge normalizes it (date_time 2019-11-26T20:13:57Z). */
const documentedEvent = {
  system: 'zoom',
  externalUserId: 'abcD3ojfdbjfg',
  email: 'jchill@example.com',
  values: { presence_status: 'Away' },
  order: Date.UTC(2019, 10, 26, 20, 13, 57),
  tiebreak: 1626230691572,
};

function presenceBody(object: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    event: 'user.presence_status_updated',
    event_ts: 1626230691572,
    payload: { account_id: 'AAAAAABBBB', object },
    ...extra,
  });
}

describe('Zoom webhook source', () => {
  it('serves /webhooks/zoom for the zoom system', () => {
    expect(source.path).toBe(ZOOM_WEBHOOK_PATH);
    expect(source.path).toBe('/webhooks/zoom');
    expect(source.system).toBe('zoom');
  });

  it('answers 503 naming ZOOM_WEBHOOK_SECRET_TOKEN when no secret is configured', async () => {
    const unconfigured = createZoomWebhookSource(zoomConfig({ webhookSecretTokens: [] }), () => NOW_MS);
    const outcome = await unconfigured.handle(signedRequest(fixtureBytes('presence-date-underscore.json')));
    expect(outcome).toMatchObject({ kind: 'rejected', status: 503 });
    expect(outcome.kind === 'rejected' && outcome.reason).toMatch(/ZOOM_WEBHOOK_SECRET_TOKEN/);
  });

  describe('accepts documented and captured presence events', () => {
    it.each(['presence-date-underscore.json', 'presence-date-hyphen.json', 'presence-without-app.json'])('%s', async (name) => {
      const outcome = await source.handle(signedRequest(fixtureBytes(name)));
      expect(outcome).toEqual({ kind: 'accepted', events: [documentedEvent] });
    });

    it('the real capture (ha-zoom-automation#57, redacted with …)', async () => {
      const outcome = await source.handle(signedRequest(fixtureBytes('presence-real-capture.json')));
      expect(outcome).toEqual({
        kind: 'accepted',
        events: [
          {
            system: 'zoom',
            externalUserId: '…',
            email: '…',
            values: { presence_status: 'Available' },
            order: Date.parse('2022-04-22T19:15:10Z'),
            tiebreak: 1650654910524,
          },
        ],
      });
    });
  });

  it('takes the injected clock for the timestamp check', async () => {
    const later = createZoomWebhookSource(zoomConfig(), () => NOW_MS + 301_000);
    const outcome = await later.handle(signedRequest(fixtureBytes('presence-date-underscore.json')));
    expect(outcome).toMatchObject({ kind: 'rejected', status: 401 });
  });

  describe("timestamp tolerance (ZOOM_SIGNATURE_TOLERANCE_SECONDS) covers Zoom's retries", () => {
    const configured = (env: Record<string, string> = {}) =>
      createZoomWebhookSource(loadConfig({ ZOOM_WEBHOOK_SECRET_TOKEN: SECRET, ...env }).zoom, () => NOW_MS);
    const aged = (seconds: number) => signedRequest(fixtureBytes('presence-date-underscore.json'), { timestampSeconds: NOW_SECONDS - seconds });

    it('accepts by default a signed event 90 minutes old (a retry that kept its first timestamp)', async () => {
      expect(await configured().handle(aged(90 * 60))).toEqual({ kind: 'accepted', events: [documentedEvent] });
    });

    it('rejects by default with 401 one older than the tolerance', async () => {
      expect(await configured().handle(aged(7201))).toMatchObject({ kind: 'rejected', status: 401 });
    });

    it('rejects by default with 401 one from more than 5 minutes in the future', async () => {
      expect(await configured().handle(aged(-301))).toMatchObject({ kind: 'rejected', status: 401 });
    });

    it('honours an override', async () => {
      const short = configured({ ZOOM_SIGNATURE_TOLERANCE_SECONDS: '600' });
      expect(await short.handle(aged(599))).toMatchObject({ kind: 'accepted' });
      expect(await short.handle(aged(90 * 60))).toMatchObject({ kind: 'rejected', status: 401 });
    });
  });

  it('accepts event_ts as a numeric string', async () => {
    const body = presenceBody(
      { date_time: '2019-11-26T20:13:57Z', email: 'A@B.example', id: 'X1', presence_status: 'In_Meeting' },
      { event_ts: '1626230691572' },
    );
    const outcome = await source.handle(signedRequest(body));
    expect(outcome).toMatchObject({ kind: 'accepted', events: [{ tiebreak: 1626230691572, email: 'a@b.example' }] });
  });

  it('ignores (2xx) other Zoom events so Zoom keeps the subscription enabled', async () => {
    const body = JSON.stringify({ event: 'user.signed_in', event_ts: 1760681197150, payload: { object: { id: 'x' } } });
    const outcome = await source.handle(signedRequest(body));
    expect(outcome).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('user.signed_in') });
  });

  describe('rejects with 401 and never parses', () => {
    it('a bad signature', async () => {
      const request = signedRequest(fixtureBytes('presence-date-underscore.json'), { secret: 'wrong' });
      expect(await source.handle(request)).toMatchObject({ kind: 'rejected', status: 401 });
    });

    it('a missing signature', async () => {
      const request = inbound(fixtureBytes('presence-date-underscore.json'), { 'x-zm-request-timestamp': String(NOW_SECONDS) });
      expect(await source.handle(request)).toMatchObject({ kind: 'rejected', status: 401 });
    });

    it('a stale timestamp', async () => {
      const request = signedRequest(fixtureBytes('presence-date-underscore.json'), { timestampSeconds: NOW_SECONDS - 3600 });
      expect(await source.handle(request)).toMatchObject({ kind: 'rejected', status: 401 });
    });

    it('malformed JSON that is not signed (401, not 400)', async () => {
      const request = inbound(Buffer.from('{not json'), { 'x-zm-request-timestamp': String(NOW_SECONDS), 'x-zm-signature': 'v0=00' });
      expect(await source.handle(request)).toMatchObject({ kind: 'rejected', status: 401 });
    });
  });

  describe('rejects signed but malformed input with 400', () => {
    it.each<[string, string | Buffer]>([
      ['truncated JSON', '{"event":"user.presence_status_updated",'],
      ['an empty body', ''],
      ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
      ['a JSON array', '[]'],
      ['no event name', '{"payload":{}}'],
      ['a presence event without presence_status', presenceBody({ date_time: '2019-11-26T20:13:57Z', id: 'x' })],
      ['a presence event without user id', presenceBody({ date_time: '2019-11-26T20:13:57Z', presence_status: 'Away' })],
      ['a presence event with a numeric status', presenceBody({ date_time: '2019-11-26T20:13:57Z', id: 'x', presence_status: 7 })],
      ['a presence event with a user id containing a newline', presenceBody({ date_time: '2019-11-26T20:13:57Z', id: 'a\nb', presence_status: 'Away' })],
      [
        'a presence event with neither date_time nor event_ts',
        JSON.stringify({ event: 'user.presence_status_updated', payload: { object: { id: 'x', presence_status: 'Away' } } }),
      ],
      ['a presence event without payload', JSON.stringify({ event: 'user.presence_status_updated', event_ts: 1 })],
    ])('%s', async (_label, body) => {
      const outcome = await source.handle(signedRequest(body));
      expect(outcome).toMatchObject({ kind: 'rejected', status: 400 });
    });
  });

  it('signs what it verifies: a request built from signZoomRequest headers alone is accepted', async () => {
    const body = fixtureBytes('presence-without-app.json');
    const headers = { ...signZoomRequest(SECRET, body, NOW_SECONDS) };
    expect(await source.handle(inbound(body, headers))).toMatchObject({ kind: 'accepted' });
  });
});
