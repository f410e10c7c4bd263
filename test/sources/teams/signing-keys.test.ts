/**
 * Microsoft's signing keys in the store (src/sources/teams/signing-keys.ts): the maintainer warms them,
 * a cold webhook (a new instance over the same store) checks tokens without fetching the JWKS, an
 * unknown kid triggers one refetch (then it is a forgery), and refetches for unknown kids are rate limited.
 */
import { silentLogger } from '../../../src/logger';
import { createSigningKeys, jwksToPem } from '../../../src/sources/teams/signing-keys';
import { createMsalNetworkClient } from '../../../src/sources/teams/msal-setup';
import { TeamsVerificationError } from '../../../src/sources/teams/teams-errors';
import type { DocumentStore } from '../../../src/store/state-store';
import { startMicrosoftStandIn, type MicrosoftStandIn } from '../../helpers/microsoft-stand-in';

/** Documents with versions, as the stores keep them. */
function memoryDocuments(): DocumentStore {
  const docs = new Map<string, { value: unknown; version: number }>();
  return {
    async getDocument<T>(name: string) {
      return docs.get(name) as { value: T; version: number } | undefined;
    },
    async putDocument<T>(name: string, value: T, expectedVersion?: number) {
      if (docs.get(name)?.version !== expectedVersion) return false;
      docs.set(name, { value, version: (expectedVersion ?? 0) + 1 });
      return true;
    },
  };
}

describe('stored signing keys', () => {
  let standIn: MicrosoftStandIn;
  let clock = 1_800_000_000_000;
  const now = () => clock;
  const jwksFetches = () => standIn.requests.filter((r) => r.path === '/common/discovery/v2.0/keys').length;

  beforeAll(async () => {
    standIn = await startMicrosoftStandIn();
  });
  afterAll(async () => {
    await standIn.close();
  });

  function keysOver(store: DocumentStore) {
    return createSigningKeys({
      store,
      jwksUri: standIn.jwksUrl,
      network: createMsalNetworkClient({ httpsAgent: standIn.httpsAgent }),
      now,
      logger: silentLogger,
      maxAgeMs: 60 * 60_000,
      minRefetchMs: 60_000,
    });
  }

  it('a cold webhook finds the keys the maintainer warmed, without fetching', async () => {
    const store = memoryDocuments();
    const before = jwksFetches();
    await keysOver(store).warm();
    expect(jwksFetches()).toBe(before + 1);
    const coldWebhook = keysOver(store);
    expect(await coldWebhook.keySource(standIn.signer.kid)).toBe(standIn.signer.publicKeyPem);
    expect(jwksFetches()).toBe(before + 1);
    // A warm maintainer run within half the keys' life fetches nothing.
    await keysOver(store).warm();
    expect(jwksFetches()).toBe(before + 1);
  });

  it('an unknown kid refetches once, then is a forgery; refetches are rate limited', async () => {
    const store = memoryDocuments();
    const keys = keysOver(store);
    await keys.warm();
    const before = jwksFetches();
    clock += 61_000;
    await expect(keys.keySource('not-microsofts')).rejects.toThrow(TeamsVerificationError);
    expect(jwksFetches()).toBe(before + 1);
    await expect(keys.keySource('another-forged-kid')).rejects.toThrow(TeamsVerificationError);
    expect(jwksFetches()).toBe(before + 1);
    expect(await keys.keySource(standIn.signer.kid)).toBe(standIn.signer.publicKeyPem);
  });

  it('an expired stored set is fetched again', async () => {
    const store = memoryDocuments();
    await keysOver(store).warm();
    const before = jwksFetches();
    clock += 2 * 60 * 60_000;
    expect(await keysOver(store).keySource(standIn.signer.kid)).toBe(standIn.signer.publicKeyPem);
    expect(jwksFetches()).toBe(before + 1);
  });

  it('converts the RSA signing keys of a JWKS to PEM and skips others', () => {
    expect(jwksToPem({ keys: [standIn.signer.jwk, { kty: 'EC', kid: 'ec' }, { kty: 'RSA', kid: 'enc', use: 'enc', n: 'x', e: 'AQAB' }] })).toEqual({
      [standIn.signer.kid]: standIn.signer.publicKeyPem,
    });
  });
});
