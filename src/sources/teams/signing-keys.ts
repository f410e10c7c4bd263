/**
 * Microsoft's signing keys for validation tokens, kept in the store so a cold webhook does not fetch
 * the JWKS before answering. The maintainer warms them (`warm`, every run, refetching when half their
 * life is gone); the webhook reads the stored set once per container and fetches only for a `kid` it
 * does not know (keys rotate: "caching is fine", refresh on an unknown key,
 * https://learn.microsoft.com/graph/change-notifications-with-resource-data#how-to-validate), at most
 * once per `minRefetchMs`, so forged kids cannot turn into a JWKS request per notification.
 * The JWKS is fetched with the MSAL network module (the same CAs and timeouts as the tenant lookup) and
 * its RSA keys converted to PEM with node:crypto; nothing else is needed on the webhook path.
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { INetworkModule } from '@azure/msal-node';
import { describeError } from '../../errors';
import type { Logger } from '../../logger';
import type { DocumentStore } from '../../store/state-store';
import { TEAMS_DOCUMENTS } from './documents';
import { TeamsSigningKeyUnavailableError, TeamsVerificationError } from './teams-errors';
import type { SigningKeySource } from './validation-tokens';

/** Microsoft's common v2.0 keys, the JWKS the JS sample uses (docs/vendors.md#teams-validation-tokens). */
export const DEFAULT_GRAPH_JWKS_URL = 'https://login.microsoftonline.com/common/discovery/v2.0/keys';

/** What the store keeps: kid → PEM, and until when the set is trusted. */
export interface StoredSigningKeys {
  readonly fetchedAt: number;
  readonly expiresAt: number;
  readonly keys: Readonly<Record<string, string>>;
}

export interface SigningKeysOptions {
  readonly store: DocumentStore;
  /** GRAPH_JWKS_URL, or the default. */
  readonly jwksUri?: string;
  readonly network: Pick<INetworkModule, 'sendGetRequestAsync'>;
  readonly timeoutMs?: number;
  /** How long a fetched set is trusted (default 12 h, below Microsoft's daily rotation). */
  readonly maxAgeMs?: number;
  /** Least time between two fetches for unknown kids (default 60 s). */
  readonly minRefetchMs?: number;
  readonly now: () => number;
  readonly logger: Logger;
}

export interface SigningKeys {
  /** For the validator: the PEM for a kid; an unknown kid after a fresh fetch is a forgery. */
  readonly keySource: SigningKeySource;
  /** Fetches and stores the set when it is missing or past half its life (the maintainer's step). */
  warm(): Promise<void>;
}

/** RSA keys of a JWKS document as kid → PEM (SPKI); other keys are skipped. */
export function jwksToPem(document: unknown): Record<string, string> {
  const keys = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new TeamsSigningKeyUnavailableError('the JWKS document has no "keys" array');
  const pems: Record<string, string> = {};
  for (const jwk of keys as Array<JsonWebKey & { kid?: unknown; use?: unknown }>) {
    if (jwk?.kty !== 'RSA' || typeof jwk.kid !== 'string' || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
    try {
      pems[jwk.kid] = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' })
        .export({ type: 'spki', format: 'pem' })
        .toString();
    } catch {
      // A malformed key is not usable for any token; the others still are.
    }
  }
  return pems;
}

export function createSigningKeys(options: SigningKeysOptions): SigningKeys {
  const jwksUri = options.jwksUri ?? DEFAULT_GRAPH_JWKS_URL;
  const maxAgeMs = options.maxAgeMs ?? 12 * 60 * 60 * 1000;
  const minRefetchMs = options.minRefetchMs ?? 60_000;
  let current: StoredSigningKeys | undefined;
  let loadedFromStore = false;
  let lastFetchAt = Number.NEGATIVE_INFINITY;
  let fetching: Promise<StoredSigningKeys> | undefined;

  const fresh = (set: StoredSigningKeys | undefined): set is StoredSigningKeys => set !== undefined && set.expiresAt > options.now();

  async function fetchAndStore(): Promise<StoredSigningKeys> {
    lastFetchAt = options.now();
    let response: { status: number; body: unknown };
    try {
      response = await options.network.sendGetRequestAsync<unknown>(jwksUri, undefined, options.timeoutMs ?? 2000);
    } catch (error) {
      throw new TeamsSigningKeyUnavailableError(`cannot fetch Microsoft's signing keys from ${jwksUri}: ${describeError(error)}`, { cause: error });
    }
    if (response.status !== 200) throw new TeamsSigningKeyUnavailableError(`${jwksUri} answered ${response.status} for Microsoft's signing keys`);
    const fetchedAt = options.now();
    const set: StoredSigningKeys = { fetchedAt, expiresAt: fetchedAt + maxAgeMs, keys: jwksToPem(response.body) };
    current = set;
    // Shared with every other container; a concurrent writer stored an equally fresh set.
    const stored = await options.store.getDocument<StoredSigningKeys>(TEAMS_DOCUMENTS.signingKeys).catch(() => undefined);
    await options.store.putDocument(TEAMS_DOCUMENTS.signingKeys, set, stored?.version).catch((error: unknown) => {
      options.logger.warn('could not store Microsoft signing keys; each container fetches its own', { error: describeError(error) });
    });
    return set;
  }

  /** One fetch at a time; callers share it. */
  function refetch(): Promise<StoredSigningKeys> {
    fetching ??= fetchAndStore().finally(() => {
      fetching = undefined;
    });
    return fetching;
  }

  async function loadStored(): Promise<void> {
    if (loadedFromStore && fresh(current)) return;
    loadedFromStore = true;
    const stored = await options.store.getDocument<StoredSigningKeys>(TEAMS_DOCUMENTS.signingKeys);
    if (stored && (!current || stored.value.fetchedAt > current.fetchedAt)) current = stored.value;
  }

  return {
    async keySource(kid) {
      if (!kid) throw new TeamsVerificationError('the validation token names no signing key (kid)');
      if (fresh(current) && current.keys[kid]) return current.keys[kid];
      await loadStored();
      if (fresh(current) && current.keys[kid]) return current.keys[kid];
      // Unknown kid or an expired set: fetch, unless a fetch just happened (then the kid is not Microsoft's).
      if (!fresh(current) || options.now() - lastFetchAt >= minRefetchMs) await refetch();
      const pem = current?.keys[kid];
      if (pem) return pem;
      throw new TeamsVerificationError(`no Microsoft signing key has kid "${kid}"`);
    },
    async warm() {
      await loadStored().catch(() => undefined);
      if (current && current.fetchedAt + maxAgeMs / 2 > options.now()) return;
      await refetch();
    },
  };
}
