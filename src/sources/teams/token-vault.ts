/**
 * Encrypted storage of service-account token caches (MSAL's serialized cache: refresh, access and
 * id tokens) in the DocumentStore. AES-256-GCM with a key derived by scrypt from
 * TEAMS_TOKEN_ENCRYPTION_KEY and a random per-write salt; the document name is bound in as
 * additional authenticated data, so a ciphertext copied to another account's document fails to open.
 * Several secrets allow rotation: the first encrypts, every one is tried to decrypt.
 * Refresh tokens are what keep delegated presence subscriptions alive without a person in the loop
 * (docs/vendors.md#teams-delegated-subscriptions: one interactive sign-in, then refresh-token reuse
 * through the MSAL cache).
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import { ConfigError } from '../../errors';
import type { DocumentStore } from '../../store/state-store';
import { TEAMS_DOCUMENTS, updateDocument } from './documents';
import { TeamsVerificationError } from './teams-errors';

/** What is stored: nothing in it is secret without the key. */
export interface SealedSecret {
  readonly v: 1;
  readonly alg: 'A256GCM';
  readonly kdf: 'scrypt-N16384-r8-p1';
  readonly salt: string;
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

/** Derived keys by (secret, salt): scrypt is deliberately slow, and a cache is read far more often than written. */
const derived = new Map<string, Buffer>();

function deriveKey(secret: string, salt: Buffer): Buffer {
  const id = `${salt.toString('base64')}\u0000${secret}`;
  let key = derived.get(id);
  if (!key) {
    key = scryptSync(secret, salt, 32, SCRYPT);
    if (derived.size >= 64) derived.delete(derived.keys().next().value as string);
    derived.set(id, key);
  }
  return key;
}

/** Encrypts `plaintext` with the first secret; `context` (e.g. the document name) is authenticated. */
export function sealSecret(plaintext: string, secrets: readonly string[], context: string): SealedSecret {
  if (secrets.length === 0) throw new ConfigError('TEAMS_TOKEN_ENCRYPTION_KEY must be set to store service-account tokens');
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(secrets[0], salt), iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    v: 1,
    alg: 'A256GCM',
    kdf: 'scrypt-N16384-r8-p1',
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

/** Decrypts with whichever configured secret sealed it; throws when none does (wrong key or tampering). */
export function openSecret(sealed: SealedSecret, secrets: readonly string[], context: string): string {
  if (secrets.length === 0) throw new ConfigError('TEAMS_TOKEN_ENCRYPTION_KEY must be set to read stored service-account tokens');
  if (sealed.v !== 1 || sealed.alg !== 'A256GCM') throw new TeamsVerificationError(`unsupported sealed secret format in ${context}`);
  const salt = Buffer.from(sealed.salt, 'base64');
  for (const secret of secrets) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', deriveKey(secret, salt), Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      // Not this secret; try the next (rotation).
    }
  }
  throw new TeamsVerificationError(
    `${context} cannot be decrypted with any TEAMS_TOKEN_ENCRYPTION_KEY value (was the key changed without keeping the old one?)`,
  );
}

export interface TokenVault {
  /** The decrypted MSAL cache of an account, or undefined when none is stored. */
  read(account: string): Promise<string | undefined>;
  write(account: string, serializedCache: string): Promise<void>;
  /** Forgets an account's tokens. */
  clear(account: string): Promise<void>;
  /** An MSAL cache plugin that loads and saves this account's cache through the vault. */
  cachePlugin(account: string): ICachePlugin;
}

type StoredCache = { readonly sealed: SealedSecret | null; readonly updatedAt: string };

export function createTokenVault(options: { readonly store: DocumentStore; readonly secrets: readonly string[]; readonly now?: () => number }): TokenVault {
  const now = options.now ?? Date.now;
  const vault: TokenVault = {
    async read(account) {
      const name = TEAMS_DOCUMENTS.tokenCache(account);
      const stored = await options.store.getDocument<StoredCache>(name);
      if (!stored?.value.sealed) return undefined;
      return openSecret(stored.value.sealed, options.secrets, name);
    },
    async write(account, serializedCache) {
      const name = TEAMS_DOCUMENTS.tokenCache(account);
      const sealed = sealSecret(serializedCache, options.secrets, name);
      await updateDocument<StoredCache>(options.store, name, () => ({ sealed, updatedAt: new Date(now()).toISOString() }));
    },
    async clear(account) {
      const name = TEAMS_DOCUMENTS.tokenCache(account);
      await updateDocument<StoredCache>(options.store, name, () => ({ sealed: null, updatedAt: new Date(now()).toISOString() }));
    },
    cachePlugin(account) {
      return {
        async beforeCacheAccess(context: TokenCacheContext) {
          const cache = await vault.read(account);
          if (cache) context.tokenCache.deserialize(cache);
        },
        async afterCacheAccess(context: TokenCacheContext) {
          if (context.cacheHasChanged) await vault.write(account, context.tokenCache.serialize());
        },
      };
    },
  };
  return vault;
}
