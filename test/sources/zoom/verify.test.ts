import fc from 'fast-check';
import {
  computeZoomSignature,
  signZoomRequest,
  verifyZoomSignature,
  ZOOM_MAX_FUTURE_SKEW_SECONDS,
  type VerifyZoomSignatureInput,
} from '../../../src/sources/zoom/verify';
import { fixtureBytes, NOW_MS, NOW_SECONDS, SECRET } from './helpers';

/**
 * Known-answer vector, computed independently of this code with
 *   printf '%s' 'v0:1654503849:<body>' | openssl dgst -sha256 -hmac 'presence-bridge-known-answer-secret'
 * over Zoom's documented CRC body. Any change to the algorithm (prefix, separator, encoding) breaks it.
 */
const KAT = {
  secret: 'presence-bridge-known-answer-secret',
  timestamp: '1654503849',
  body: '{ "payload": { "plainToken": "qgg8vlvZRS6UYooatFL8Aw" }, "event_ts": 1654503849680, "event": "endpoint.url_validation" }',
  signature: 'v0=bc2483a3bb0d3cae3aedab88f715d8c96735d8a66981e8b751aa3dc0a9407b74',
};

function input(overrides: Partial<VerifyZoomSignatureInput> & { body: Buffer }): VerifyZoomSignatureInput {
  return {
    secrets: [SECRET],
    headers: signZoomRequest(SECRET, overrides.body, NOW_SECONDS) as unknown as Record<string, string>,
    nowMs: NOW_MS,
    toleranceSeconds: 300,
    ...overrides,
  };
}

const body = fixtureBytes('presence-date-underscore.json');

describe('Zoom signature: known answer', () => {
  it('computes the hardcoded vector', () => {
    expect(computeZoomSignature(KAT.secret, KAT.timestamp, Buffer.from(KAT.body, 'utf8'))).toBe(KAT.signature);
  });

  it('signs with the same algorithm it verifies', () => {
    const headers = signZoomRequest(KAT.secret, Buffer.from(KAT.body, 'utf8'), Number(KAT.timestamp));
    expect(headers).toEqual({ 'x-zm-request-timestamp': KAT.timestamp, 'x-zm-signature': KAT.signature });
  });

  it('accepts the vector as a request', () => {
    const result = verifyZoomSignature({
      secrets: [KAT.secret],
      headers: { 'x-zm-request-timestamp': KAT.timestamp, 'x-zm-signature': KAT.signature },
      body: Buffer.from(KAT.body, 'utf8'),
      nowMs: Number(KAT.timestamp) * 1000 + 1234,
      toleranceSeconds: 300,
    });
    expect(result).toEqual({ ok: true, secretIndex: 0 });
  });
});

describe('verifyZoomSignature', () => {
  it('accepts a fixture signed with the production signer', () => {
    expect(verifyZoomSignature(input({ body }))).toEqual({ ok: true, secretIndex: 0 });
  });

  it.each([
    ['the first', 0],
    ['the second', 1],
    ['the third', 2],
  ])('accepts a request signed with %s of several rotated secrets', (_label, index) => {
    const secrets = ['secret-new', 'secret-current', 'secret-old'];
    const headers = signZoomRequest(secrets[index], body, NOW_SECONDS) as unknown as Record<string, string>;
    expect(verifyZoomSignature(input({ body, secrets, headers }))).toEqual({ ok: true, secretIndex: index });
  });

  it('rejects a wrong secret', () => {
    const headers = signZoomRequest('not-the-secret', body, NOW_SECONDS) as unknown as Record<string, string>;
    expect(verifyZoomSignature(input({ body, headers }))).toMatchObject({ ok: false, code: 'signature_mismatch' });
  });

  it('rejects a body with one byte changed', () => {
    const headers = signZoomRequest(SECRET, body, NOW_SECONDS) as unknown as Record<string, string>;
    const tampered = Buffer.from(body);
    tampered[tampered.indexOf('Away')] = 'B'.charCodeAt(0);
    expect(verifyZoomSignature(input({ body: tampered, headers }))).toMatchObject({ ok: false, code: 'signature_mismatch' });
  });

  it('rejects a missing signature header', () => {
    const headers = { 'x-zm-request-timestamp': String(NOW_SECONDS) };
    expect(verifyZoomSignature(input({ body, headers }))).toMatchObject({ ok: false, code: 'missing_signature' });
  });

  it('rejects a missing timestamp header', () => {
    const { 'x-zm-signature': signature } = signZoomRequest(SECRET, body, NOW_SECONDS);
    expect(verifyZoomSignature(input({ body, headers: { 'x-zm-signature': signature } }))).toMatchObject({
      ok: false,
      code: 'missing_timestamp',
    });
  });

  it('does not accept the legacy authorization verification token', () => {
    const headers = { authorization: SECRET, 'x-zm-request-timestamp': String(NOW_SECONDS) };
    expect(verifyZoomSignature(input({ body, headers }))).toMatchObject({ ok: false, code: 'missing_signature' });
  });

  it.each([
    ['stale', NOW_SECONDS - 301],
    ['future', NOW_SECONDS + 301],
  ])('rejects a %s timestamp even when correctly signed', (_label, timestampSeconds) => {
    const headers = signZoomRequest(SECRET, body, timestampSeconds) as unknown as Record<string, string>;
    expect(verifyZoomSignature(input({ body, headers }))).toMatchObject({ ok: false, code: 'stale_timestamp' });
  });

  it.each([NOW_SECONDS - 300, NOW_SECONDS + 300])('accepts a timestamp exactly at the tolerance (%s)', (timestampSeconds) => {
    const headers = signZoomRequest(SECRET, body, timestampSeconds) as unknown as Record<string, string>;
    expect(verifyZoomSignature(input({ body, headers }))).toEqual({ ok: true, secretIndex: 0 });
  });

  describe('a long tolerance (Zoom retries up to ~85 minutes later) widens only the past side', () => {
    const long = (timestampSeconds: number) =>
      verifyZoomSignature(
        input({ body, toleranceSeconds: 7200, headers: signZoomRequest(SECRET, body, timestampSeconds) as unknown as Record<string, string> }),
      );

    it('accepts a timestamp 90 minutes old, and one exactly at the tolerance', () => {
      expect(long(NOW_SECONDS - 90 * 60)).toEqual({ ok: true, secretIndex: 0 });
      expect(long(NOW_SECONDS - 7200)).toEqual({ ok: true, secretIndex: 0 });
    });

    it('rejects one a second older than the tolerance', () => {
      expect(long(NOW_SECONDS - 7201)).toMatchObject({ ok: false, code: 'stale_timestamp', reason: expect.stringContaining('7201 s old') });
    });

    it(`accepts only ${ZOOM_MAX_FUTURE_SKEW_SECONDS} s of clock skew into the future`, () => {
      expect(long(NOW_SECONDS + ZOOM_MAX_FUTURE_SKEW_SECONDS)).toEqual({ ok: true, secretIndex: 0 });
      expect(long(NOW_SECONDS + ZOOM_MAX_FUTURE_SKEW_SECONDS + 1)).toMatchObject({
        ok: false,
        code: 'stale_timestamp',
        reason: expect.stringContaining('in the future'),
      });
      expect(long(NOW_SECONDS + 3600)).toMatchObject({ ok: false, code: 'stale_timestamp' });
    });

    it('never accepts more future skew than the tolerance itself', () => {
      const short = (timestampSeconds: number) =>
        verifyZoomSignature(
          input({ body, toleranceSeconds: 60, headers: signZoomRequest(SECRET, body, timestampSeconds) as unknown as Record<string, string> }),
        );
      expect(short(NOW_SECONDS + 60).ok).toBe(true);
      expect(short(NOW_SECONDS + 61).ok).toBe(false);
    });
  });

  it.each(['abc', `${NOW_SECONDS}.5`, `-${NOW_SECONDS}`, ` ${NOW_SECONDS}`, '1.711512e9', `+${NOW_SECONDS}`, `${NOW_MS}000000`])(
    'rejects the non-integer-seconds timestamp %p even when signed over it',
    (timestamp) => {
      const headers = { 'x-zm-request-timestamp': timestamp, 'x-zm-signature': computeZoomSignature(SECRET, timestamp, body) };
      const result = verifyZoomSignature(input({ body, headers }));
      expect(result.ok).toBe(false);
      expect(result).toMatchObject({ code: expect.stringMatching(/malformed_timestamp|stale_timestamp/) });
    },
  );

  it('rejects a signature in upper-case hex (not what Zoom sends)', () => {
    const headers = signZoomRequest(SECRET, body, NOW_SECONDS);
    const upper = { ...headers, 'x-zm-signature': 'v0=' + headers['x-zm-signature'].slice(3).toUpperCase() };
    expect(verifyZoomSignature(input({ body, headers: upper }))).toMatchObject({ ok: false, code: 'malformed_signature' });
  });

  it('rejects everything when no secret is configured', () => {
    expect(verifyZoomSignature(input({ body, secrets: [] }))).toMatchObject({ ok: false, code: 'no_secret_configured' });
  });

  it('finds headers whatever their case', () => {
    const signed = signZoomRequest(SECRET, body, NOW_SECONDS);
    const headers = { 'X-Zm-Request-Timestamp': signed['x-zm-request-timestamp'], 'X-ZM-Signature': signed['x-zm-signature'] };
    expect(verifyZoomSignature(input({ body, headers }))).toEqual({ ok: true, secretIndex: 0 });
  });
});

describe('raw bytes, never re-serialized JSON', () => {
  // Each body parses to the same value as the compact form, but its bytes differ from JSON.stringify's.
  const variants: Array<[string, string]> = [
    ['extra spaces and line breaks', '{\n  "event" :  "user.presence_status_updated" ,\n  "event_ts": 1626230691572 }'],
    // JSON.stringify moves integer-like keys first, so this order does not survive a round trip.
    ['a key order JSON.stringify changes', '{"event":"user.presence_status_updated","2":"second","1":"first"}'],
    ['unicode escapes', '{"event":"user.presence_status_updated","note":"caf\\u00e9 \\u2026"}'],
    ['numbers written differently', '{"event":"user.presence_status_updated","event_ts":1.626230691572e12,"n":1.0}'],
  ];

  it.each(variants)('verifies a body with %s', (_label, text) => {
    const raw = Buffer.from(text, 'utf8');
    expect(JSON.stringify(JSON.parse(text))).not.toBe(text);
    expect(verifyZoomSignature(input({ body: raw }))).toEqual({ ok: true, secretIndex: 0 });
  });

  it.each(variants)('does not accept a signature over the re-serialized form of a body with %s', (_label, text) => {
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(text)), 'utf8');
    const headers = signZoomRequest(SECRET, reserialized, NOW_SECONDS) as unknown as Record<string, string>;
    expect(verifyZoomSignature(input({ body: Buffer.from(text, 'utf8'), headers })).ok).toBe(false);
  });
});

describe('property: any single-byte mutation is rejected', () => {
  const target = fc.constantFrom('body' as const, 'signature' as const, 'timestamp' as const);

  it('rejects a mutated body, signature or timestamp', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 256 }), target, fc.nat(), fc.integer({ min: 1, max: 255 }), (bytes, where, position, delta) => {
        const original = Buffer.from(bytes);
        const headers = signZoomRequest(SECRET, original, NOW_SECONDS);
        let mutatedBody = original;
        let timestamp = headers['x-zm-request-timestamp'];
        let signature = headers['x-zm-signature'];
        // XOR with a non-zero delta: the byte always changes.
        const mutate = (text: string): string => {
          const buffer = Buffer.from(text, 'latin1');
          const at = position % buffer.length;
          buffer[at] = buffer[at] ^ delta;
          return buffer.toString('latin1');
        };
        if (where === 'body') {
          mutatedBody = Buffer.from(original);
          const at = position % mutatedBody.length;
          mutatedBody[at] = mutatedBody[at] ^ delta;
        } else if (where === 'signature') {
          signature = mutate(signature);
        } else {
          timestamp = mutate(timestamp);
        }
        const result = verifyZoomSignature({
          secrets: [SECRET],
          headers: { 'x-zm-request-timestamp': timestamp, 'x-zm-signature': signature },
          body: mutatedBody,
          nowMs: NOW_MS,
          toleranceSeconds: 300,
        });
        return result.ok === false;
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts every unmutated body (the property is not vacuous)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        const original = Buffer.from(bytes);
        const headers = signZoomRequest(SECRET, original, NOW_SECONDS) as unknown as Record<string, string>;
        return verifyZoomSignature(input({ body: original, headers })).ok;
      }),
    );
  });
});
