/** Shared arrangements for the Zoom tests: fixtures as raw bytes, signed requests, a config. */
import fs from 'node:fs';
import path from 'node:path';
import type { ZoomConfig } from '../../../src/config';
import { signZoomRequest } from '../../../src/sources/zoom/verify';
import type { InboundRequest } from '../../../src/webhooks/types';

export const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'zoom');

/** A fixture's exact bytes, as Zoom would put them on the wire. */
export function fixtureBytes(name: string): Buffer {
  return fs.readFileSync(path.join(FIXTURES, name));
}

export const SECRET = 'test-secret-token-1';
/** 2024-03-27T04:00:00Z, a fixed "now" for every webhook test. */
export const NOW_MS = 1_711_512_000_000;
export const NOW_SECONDS = NOW_MS / 1000;

export function zoomConfig(overrides: Partial<ZoomConfig> = {}): ZoomConfig {
  return {
    webhookSecretTokens: [SECRET],
    signatureToleranceSeconds: 300,
    allowedAccountIds: [],
    apiBaseUrl: 'http://127.0.0.1:1/v2',
    oauthBaseUrl: 'http://127.0.0.1:1',
    ...overrides,
  };
}

export function inbound(body: Buffer, headers: Record<string, string>): InboundRequest {
  return { method: 'POST', path: '/webhooks/zoom', query: {}, headers, body, receivedAt: NOW_MS };
}

/** A request signed with the production signer, as Zoom would send it. */
export function signedRequest(
  body: Buffer | string,
  options: { secret?: string; timestampSeconds?: number; extraHeaders?: Record<string, string> } = {},
): InboundRequest {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const headers = signZoomRequest(options.secret ?? SECRET, bytes, options.timestampSeconds ?? NOW_SECONDS);
  return inbound(bytes, {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'Zoom Marketplace/1.0a',
    ...headers,
    ...options.extraHeaders,
  });
}
