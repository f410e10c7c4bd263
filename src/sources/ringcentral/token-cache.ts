/**
 * The RingCentral access-token cache.
 *
 * Token requests fall in the Auth group: 5 per user per minute
 * (https://developers.ringcentral.com/guide/basics/rate-limits). A Lambda fleet that logged in on every cold
 * start, or a burst of callers that each logged in, would exhaust it and then be penalised for a minute.
 * So the token is kept until shortly before `expires_in` runs out (RingCentral's example says 7199 s where
 * the docs say 1 h: the returned value is used as is, https://developers.ringcentral.com/guide/authentication/jwt-flow),
 * concurrent callers share one in-flight login (src/http/token-cache.ts), and the token is optionally stored in a DocumentStore so
 * other processes reuse it.
 *
 * A stored token is encrypted (AES-256-GCM) with a key derived from the app credentials, which every process
 * that may use the token already has: reading the table alone does not yield a usable token, and a
 * credential rotation makes the old entry unreadable, which simply causes one new login.
 */
import crypto from 'node:crypto';
import { createTokenCache } from '../../http/token-cache';
import type { DocumentStore } from '../../store/state-store';

/** Name of the document holding the shared, encrypted token. */
export const RINGCENTRAL_TOKEN_DOCUMENT = 'ringcentral-token';

/** What a login yields. */
export interface RingCentralLoginResult {
  readonly accessToken: string;
  readonly expiresInSeconds: number;
}

export interface RingCentralTokenProvider {
  /** A valid access token: cached, shared in flight, read from the store, or a new login. */
  get(): Promise<string>;
  /** Forgets `token` (after RingCentral refused it with 401), here and in the store. */
  invalidate(token: string): Promise<void>;
}

export interface RingCentralTokenProviderOptions {
  readonly login: () => Promise<RingCentralLoginResult>;
  /** Where to share the token between processes (optional). */
  readonly documents?: DocumentStore;
  /** Secret material the stored token is encrypted with (the app credentials). */
  readonly keyMaterial: string;
  readonly now?: () => number;
}

/** Renew this long before expiry (at most half the lifetime). */
const REFRESH_MARGIN_MS = 60_000;

interface CachedToken {
  readonly accessToken: string;
  /** When to stop using it: expiry minus the margin. */
  readonly refreshAt: number;
}

/** The stored form: only ciphertext and the refresh time. */
interface StoredToken {
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
  readonly refreshAt: number;
}

function deriveKey(keyMaterial: string): Buffer {
  return crypto.createHash('sha256').update('presence-bridge/ringcentral-token/v1\0').update(keyMaterial).digest();
}

function encrypt(key: Buffer, token: CachedToken): StoredToken {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(token.accessToken, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64'), refreshAt: token.refreshAt };
}

function decrypt(key: Buffer, stored: StoredToken): CachedToken | undefined {
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(stored.iv, 'base64'));
    decipher.setAuthTag(Buffer.from(stored.tag, 'base64'));
    const accessToken = Buffer.concat([decipher.update(Buffer.from(stored.data, 'base64')), decipher.final()]).toString('utf8');
    return { accessToken, refreshAt: stored.refreshAt };
  } catch {
    // Other credentials (rotation) or a damaged entry: not ours to use; a new login replaces it.
    return undefined;
  }
}

/** Creates the cache. */
export function createRingCentralTokenProvider(options: RingCentralTokenProviderOptions): RingCentralTokenProvider {
  const now = options.now ?? Date.now;
  const name = RINGCENTRAL_TOKEN_DOCUMENT;
  const key = deriveKey(options.keyMaterial);
  const documents = options.documents;

  const readStored = async (): Promise<{ token?: CachedToken; version?: number }> => {
    if (!documents) return {};
    try {
      const doc = await documents.getDocument<StoredToken>(name);
      if (!doc) return {};
      return { token: decrypt(key, doc.value), version: doc.version };
    } catch {
      // The shared copy is an optimisation; a store hiccup must not stop a login.
      return {};
    }
  };

  const obtain = async (): Promise<{ value: string; refreshAt: number }> => {
    const stored = await readStored();
    if (stored.token !== undefined && now() < stored.token.refreshAt) {
      return { value: stored.token.accessToken, refreshAt: stored.token.refreshAt };
    }
    const obtainedAt = now();
    const result = await options.login();
    const lifetimeMs = result.expiresInSeconds * 1000;
    const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);
    const token: CachedToken = { accessToken: result.accessToken, refreshAt: obtainedAt + lifetimeMs - margin };
    if (documents) {
      // A conflict means another process stored its token meanwhile; both are valid, ours stays in memory.
      await documents.putDocument(name, encrypt(key, token), stored.version).catch(() => false);
    }
    return { value: result.accessToken, refreshAt: token.refreshAt };
  };

  const cache = createTokenCache(obtain, now);

  return {
    get: () => cache.get(),
    async invalidate(token) {
      cache.invalidate(token);
      if (!documents) return;
      const stored = await readStored();
      if (stored.token?.accessToken === token && stored.version !== undefined) {
        await documents.putDocument(name, encrypt(key, { accessToken: '', refreshAt: 0 }), stored.version).catch(() => false);
      }
    },
  };
}
