/**
 * jwks-rsa 4 requires `jose` 6, which is ESM-only; jest 29 runs CommonJS and cannot load it. This
 * shim provides the two functions jwks-rsa calls (`importJWK`, `exportSPKI`) with node:crypto, so the
 * REAL jwks-rsa (fetch, cache, rate limit, timeout) runs in tests (mapped in jest.config.js).
 * Production loads the real jose: Node ≥ 20.19 can `require()` ES modules, and esbuild bundles convert them.
 */
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

export async function importJWK(jwk: JsonWebKey): Promise<KeyObject> {
  const { ext: _ext, ...key } = jwk as JsonWebKey & { ext?: unknown };
  return createPublicKey({ key, format: 'jwk' });
}

export async function exportSPKI(key: KeyObject): Promise<string> {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}
