/**
 * One cached access token with single-flight renewal: however many callers ask at once, one login is in
 * flight; a token is used until `refreshAt` (its expiry minus a margin, so none expires in flight); a token
 * the vendor refused is forgotten (`invalidate`) and the next caller logs in again. Used by the Zoom and
 * RingCentral and Genesys clients (Graph's is MSAL's own cache).
 */

export interface CachedToken {
  readonly value: string;
  /** Epoch ms after which a new token is obtained. */
  readonly refreshAt: number;
}

export interface TokenCache {
  /** A valid token: the cached one, or the result of the one login in flight. */
  get(): Promise<string>;
  /**
   * Forgets `token` when it is still the cached one (after the vendor answered 401 to it), so many
   * requests refused at once cause a single re-login; without `token`, forgets whatever is cached.
   */
  invalidate(token?: string): void;
}

/** `obtain` logs in (or reads a shared copy) and says until when the token may be used. */
export function createTokenCache(obtain: () => Promise<CachedToken>, now: () => number = Date.now): TokenCache {
  let cached: CachedToken | undefined;
  let inFlight: Promise<string> | undefined;
  return {
    get() {
      if (cached && now() < cached.refreshAt) return Promise.resolve(cached.value);
      inFlight ??= obtain()
        .then((token) => {
          cached = token;
          return token.value;
        })
        .finally(() => {
          inFlight = undefined;
        });
      return inFlight;
    },
    invalidate(token) {
      if (token === undefined || cached?.value === token) cached = undefined;
    },
  };
}
