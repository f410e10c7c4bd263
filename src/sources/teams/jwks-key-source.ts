/**
 * Production signing-key source for validation tokens: jwks-rsa with caching and rate limiting.
 * Keys rotate daily and "caching is fine" (https://learn.microsoft.com/graph/change-notifications-with-resource-data#how-to-validate),
 * so after the first fetch the webhook path never waits on the network; a cold-cache fetch is
 * bounded by `timeoutMs` here and again by the validator.
 *
 * jwks-rsa is loaded lazily on first use: it pulls in `jose`, which is ESM-only, and loading it at
 * import time would make every module that imports the Teams webhook unloadable in CommonJS test
 * runners that cannot require ESM (jest 29).
 */
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { JwksClient } from 'jwks-rsa';
import type { SigningKeySource } from './validation-tokens';

/** Microsoft's common v2.0 keys, the JWKS the JS sample uses (docs/vendors.md#teams-validation-tokens). */
export const DEFAULT_GRAPH_JWKS_URL = 'https://login.microsoftonline.com/common/discovery/v2.0/keys';

export interface JwksKeySourceOptions {
  /** GRAPH_JWKS_URL, or the default. */
  readonly jwksUri?: string;
  readonly timeoutMs?: number;
  /** How long fetched keys are trusted before a refetch (default 12 h, below the daily rotation). */
  readonly cacheMaxAgeMs?: number;
  readonly requestAgent?: HttpAgent | HttpsAgent;
}

/** Creates a cached JWKS key source (kid → PEM). */
export function createJwksKeySource(options: JwksKeySourceOptions = {}): SigningKeySource {
  let client: JwksClient | undefined;
  const getClient = (): JwksClient => {
    if (!client) {
      const jwksRsa = require('jwks-rsa') as typeof import('jwks-rsa');
      client = jwksRsa({
        jwksUri: options.jwksUri ?? DEFAULT_GRAPH_JWKS_URL,
        cache: true,
        cacheMaxEntries: 20,
        cacheMaxAge: options.cacheMaxAgeMs ?? 12 * 60 * 60 * 1000,
        // An unknown kid (forged token) must not turn into a JWKS request per notification.
        rateLimit: true,
        jwksRequestsPerMinute: 10,
        timeout: options.timeoutMs ?? 2000,
        ...(options.requestAgent ? { requestAgent: options.requestAgent } : {}),
      });
    }
    return client;
  };
  return async (kid) => {
    const key = await getClient().getSigningKey(kid);
    return key.getPublicKey();
  };
}
