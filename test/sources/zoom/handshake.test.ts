import { buildZoomUrlValidationResponse, computeZoomEncryptedToken } from '../../../src/sources/zoom/handshake';
import { createZoomWebhookSource } from '../../../src/sources/zoom/webhook';
import { fixtureBytes, inbound, NOW_MS, signedRequest, zoomConfig } from './helpers';

/**
 * Known answer computed independently with
 *   printf '%s' 'qgg8vlvZRS6UYooatFL8Aw' | openssl dgst -sha256 -hmac 'presence-bridge-known-answer-secret'
 * (Zoom's documented plainToken; Zoom does not publish the secret behind its own example answer).
 */
const KAT = {
  secret: 'presence-bridge-known-answer-secret',
  plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
  encryptedToken: '5a57a1e164adec20319acdfcffafcc45fa3fb50657d2022f2470655052edd879',
};

describe('Zoom endpoint.url_validation', () => {
  it('computes the known-answer encryptedToken', () => {
    expect(computeZoomEncryptedToken(KAT.secret, KAT.plainToken)).toBe(KAT.encryptedToken);
  });

  it('answers 200 JSON with the same keys as Zoom documents', () => {
    const response = buildZoomUrlValidationResponse(KAT.secret, KAT.plainToken);
    const documented = JSON.parse(fixtureBytes('crc-response.json').toString('utf8'));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(Object.keys(JSON.parse(response.body)).sort()).toEqual(Object.keys(documented).sort());
    expect(JSON.parse(response.body)).toEqual({ plainToken: KAT.plainToken, encryptedToken: KAT.encryptedToken });
  });

  it('answers the documented CRC request when it is signed', async () => {
    const source = createZoomWebhookSource(zoomConfig({ webhookSecretTokens: [KAT.secret] }), () => NOW_MS);
    const outcome = await source.handle(signedRequest(fixtureBytes('crc-request.json'), { secret: KAT.secret }));
    expect(outcome).toEqual({ kind: 'handshake', response: buildZoomUrlValidationResponse(KAT.secret, KAT.plainToken) });
  });

  it('refuses an unsigned CRC request with 401 and does not reveal an encryptedToken', async () => {
    const source = createZoomWebhookSource(zoomConfig({ webhookSecretTokens: [KAT.secret] }), () => NOW_MS);
    const outcome = await source.handle(inbound(fixtureBytes('crc-request.json'), { 'content-type': 'application/json' }));
    expect(outcome).toMatchObject({ kind: 'rejected', status: 401 });
  });

  it('refuses a CRC request signed with another secret', async () => {
    const source = createZoomWebhookSource(zoomConfig({ webhookSecretTokens: [KAT.secret] }), () => NOW_MS);
    const outcome = await source.handle(signedRequest(fixtureBytes('crc-request.json'), { secret: 'someone-else' }));
    expect(outcome).toMatchObject({ kind: 'rejected', status: 401 });
  });

  it.each([
    ['the first', 'secret-new'],
    ['the second', 'secret-old'],
  ])('during a rotation answers with the secret Zoom signed with (%s listed)', async (_label, zoomSecret) => {
    const source = createZoomWebhookSource(zoomConfig({ webhookSecretTokens: ['secret-new', 'secret-old'] }), () => NOW_MS);
    const outcome = await source.handle(signedRequest(fixtureBytes('crc-request.json'), { secret: zoomSecret }));
    expect(outcome.kind).toBe('handshake');
    if (outcome.kind !== 'handshake') return;
    expect(JSON.parse(outcome.response.body).encryptedToken).toBe(computeZoomEncryptedToken(zoomSecret, KAT.plainToken));
  });

  it.each([
    ['a number', { plainToken: 12345 }],
    ['an empty string', { plainToken: '' }],
    ['missing', {}],
    ['too long', { plainToken: 'x'.repeat(257) }],
    ['with control characters', { plainToken: 'abc\u0000def' }],
  ])('rejects a signed CRC request whose plainToken is %s with 400', async (_label, payload) => {
    const source = createZoomWebhookSource(zoomConfig(), () => NOW_MS);
    const body = JSON.stringify({ payload, event_ts: 1654503849680, event: 'endpoint.url_validation' });
    const outcome = await source.handle(signedRequest(body));
    expect(outcome).toMatchObject({ kind: 'rejected', status: 400 });
  });
});
