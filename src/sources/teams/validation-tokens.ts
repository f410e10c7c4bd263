/**
 * Validation of the `validationTokens` Graph attaches to rich notifications, per "How to validate"
 * (https://learn.microsoft.com/graph/change-notifications-with-resource-data#how-to-validate):
 * every token must be (1) unexpired, (2) signed by the Microsoft identity platform, (3) issued for
 * our app (`aud`), and (4) requested by Microsoft Graph Change Tracking — `appid` when `ver` is 1.0,
 * `azp` when 2.0. On top of that the token must be for THIS tenant: `tid` equals the tenant id of
 * TEAMS_TENANT_ID (GUID, compared case-insensitively) and the issuer names that tenant. Without that
 * check a token Graph minted for our multi-tenant app in another tenant would vouch for items here.
 * The issuer is accepted in both the v1 (`https://sts.windows.net/{tid}/`) and v2
 * (`https://login.microsoftonline.com/{tid}/v2.0`) forms: the docs' sample token is v2 while the
 * official samples only check v1, and the .NET SDK accepts both
 * (microsoftgraph/msgraph-sdk-dotnet-core `ITokenValidableExtension.cs`, issue #317).
 *
 * Tokens are judged one by one: a batch can carry tokens for several apps and tenants sharing the
 * notification URL ("one token per app and tenant"), and a token that is not ours must not sink the
 * items that one of our tokens vouches for. The signing key comes from an injectable source
 * (signing-keys.ts in production: kept in the store, warmed by the maintainer).
 */
import type { JwtPayload } from 'jsonwebtoken';
import { TeamsSigningKeyUnavailableError, TeamsVerificationError } from './teams-errors';
import type { TenantIdSource } from './tenant-id';

/**
 * jsonwebtoken is loaded on the first token check, not at import: only rich Teams notifications need it,
 * and loading it (with semver, jws, lodash parts) costs about 15 ms of a webhook cold start (bench/README.md).
 */
let jsonwebtoken: typeof import('jsonwebtoken') | undefined;
function jwt(): typeof import('jsonwebtoken') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
  jsonwebtoken ??= require('jsonwebtoken') as typeof import('jsonwebtoken');
  return jsonwebtoken;
}

/** Returns the PEM public key for a JWT `kid`. Must be fast when cached; the caller bounds it by a timeout. */
export type SigningKeySource = (kid: string | undefined) => Promise<string>;

export interface ValidationTokenOptions {
  /** Accepted `aud` values: TEAMS_CLIENT_ID (several when apps share the endpoint). */
  readonly appIds: readonly string[];
  /** Accepted `azp`/`appid`: the Graph Change Tracking app id (teams-settings.ts). */
  readonly changeTrackingAppIds: readonly string[];
  readonly keySource: SigningKeySource;
  /** This tenant's id (tenant-id.ts): every token's `tid` must equal it. */
  readonly tenantId: TenantIdSource;
  /** Extra v2 issuer host besides login.microsoftonline.com (MICROSOFT_LOGIN_BASE_URL). */
  readonly loginBaseUrl?: string;
  /** Bound on one key lookup (a JWKS fetch on a cold cache), to protect the 3-second ack. */
  readonly keyTimeoutMs?: number;
  readonly clockToleranceSeconds?: number;
  readonly now?: () => number;
}

/** What a valid token proves: Graph sent this batch for our app in this tenant. */
export interface ValidatedToken {
  readonly tenantId: string;
}

/** One token's verdict: valid, a forgery or not ours (`invalid`), or not checkable right now (`unavailable`). */
export type TokenVerdict =
  | ({ readonly ok: true } & ValidatedToken)
  | { readonly ok: false; readonly kind: 'invalid'; readonly error: TeamsVerificationError }
  | { readonly ok: false; readonly kind: 'unavailable'; readonly error: Error };

/** How many passed tokens a validator remembers (one per app and tenant is the usual case). */
const MAX_CACHED_TOKENS = 256;

/** Judges every token of a batch; one verdict per token, in order. Never rejects. */
export type ValidationTokenValidator = (tokens: ReadonlyArray<string | null>) => Promise<TokenVerdict[]>;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TeamsSigningKeyUnavailableError(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A key source's answer (error name SigningKeyNotFoundError) for a kid not in Microsoft's fresh key set: not Microsoft's token. */
function isUnknownKid(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'SigningKeyNotFoundError';
}

function lower(values: readonly string[]): Set<string> {
  return new Set(values.map((value) => value.trim().toLowerCase()));
}

/**
 * Creates a validator that checks every token of a batch: `invalid` for a bad token, `unavailable`
 * when the signing keys or this tenant's id cannot be had in time (the caller answers 503 if it needed it).
 */
export function createValidationTokenValidator(options: ValidationTokenOptions): ValidationTokenValidator {
  if (options.appIds.length === 0) throw new TeamsVerificationError('no app id configured to check validation tokens against (TEAMS_CLIENT_ID)');
  const callers = lower(options.changeTrackingAppIds);
  const now = options.now ?? Date.now;
  const keyTimeoutMs = options.keyTimeoutMs ?? 2000;
  const tolerance = options.clockToleranceSeconds ?? 300;
  const loginBase = options.loginBaseUrl?.replace(/\/+$/, '');
  const audiences = [...options.appIds] as [string, ...string[]];

  const issuersFor = (tenantId: string): string[] => {
    const issuers = [`https://sts.windows.net/${tenantId}/`, `https://login.microsoftonline.com/${tenantId}/v2.0`];
    if (loginBase) issuers.push(`${loginBase}/${tenantId}/v2.0`);
    return issuers;
  };

  const validateOne = async (token: string | null, index: number, ownTenant: string): Promise<ValidatedToken & { expiresAt: number }> => {
    const at = `validationTokens[${index}]`;
    if (typeof token !== 'string' || token.length === 0) {
      // Graph sends null when the Change Tracking service principal is blocked in the tenant
      // (docs/vendors.md#teams-null-validation-token).
      throw new TeamsVerificationError(`${at} is empty or null (is the Graph Change Tracking app allowed in the tenant?)`);
    }
    const decoded = jwt().decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') throw new TeamsVerificationError(`${at} is not a JWT`);
    if (decoded.header.alg !== 'RS256') throw new TeamsVerificationError(`${at} is not RS256-signed`);

    const publicKey = await withTimeout(options.keySource(decoded.header.kid), keyTimeoutMs, `${at}: signing key lookup`).catch((error: unknown) => {
      if (error instanceof TeamsSigningKeyUnavailableError || error instanceof TeamsVerificationError) throw error;
      const kid = decoded.header.kid ?? '';
      if (isUnknownKid(error)) throw new TeamsVerificationError(`${at}: no Microsoft signing key has kid "${kid}"`, { cause: error });
      // Network failure, JWKS rate limit: cannot decide now.
      throw new TeamsSigningKeyUnavailableError(`${at}: signing keys unavailable (${(error as Error)?.message ?? String(error)})`, { cause: error });
    });

    let payload: JwtPayload;
    try {
      payload = jwt().verify(token, publicKey, {
        algorithms: ['RS256'],
        audience: audiences,
        clockTolerance: tolerance,
        clockTimestamp: Math.floor(now() / 1000),
      }) as JwtPayload;
    } catch (error) {
      throw new TeamsVerificationError(`${at}: ${(error as Error).message}`, { cause: error });
    }
    if (typeof payload.exp !== 'number') throw new TeamsVerificationError(`${at} has no expiry`);

    const tenantId = typeof payload.tid === 'string' ? payload.tid : '';
    if (!tenantId) throw new TeamsVerificationError(`${at} has no tid claim`);
    if (tenantId.toLowerCase() !== ownTenant) {
      throw new TeamsVerificationError(`${at} is for tenant ${tenantId}, not this tenant (${ownTenant}, TEAMS_TENANT_ID)`);
    }
    if (typeof payload.iss !== 'string' || !issuersFor(tenantId).includes(payload.iss)) {
      throw new TeamsVerificationError(`${at}: issuer "${String(payload.iss)}" is not the Microsoft identity platform for tenant ${tenantId}`);
    }

    // `appid` in v1.0 tokens, `azp` in v2.0 tokens; without `ver`, whichever is present.
    const version = typeof payload.ver === 'string' ? payload.ver : undefined;
    const caller = version === '1.0' ? payload.appid : version === '2.0' ? payload.azp : (payload.azp ?? payload.appid);
    if (typeof caller !== 'string' || !callers.has(caller.toLowerCase())) {
      throw new TeamsVerificationError(`${at}: token was not requested by Microsoft Graph Change Tracking (caller "${String(caller)}")`);
    }
    return { tenantId: tenantId.toLowerCase(), expiresAt: payload.exp * 1000 };
  };

  // Graph sends the same token with every batch for up to an hour, so a burst of batches would repeat
  // one RS256 check per batch; a token that passed is trusted until its own `exp`. Only passes are kept,
  // keyed by the whole token string (the signature included), and the map is bounded.
  const passed = new Map<string, { readonly tenantId: string; readonly expiresAt: number; readonly ownTenant: string }>();
  const remember = (token: string, ownTenant: string, verdict: { tenantId: string; expiresAt: number }): void => {
    if (passed.size >= MAX_CACHED_TOKENS) passed.delete(passed.keys().next().value as string);
    passed.set(token, { tenantId: verdict.tenantId, expiresAt: verdict.expiresAt, ownTenant });
  };
  const judgeOne = async (token: string | null, index: number, ownTenant: string): Promise<TokenVerdict> => {
    const cached = typeof token === 'string' ? passed.get(token) : undefined;
    if (cached && cached.ownTenant === ownTenant && now() < cached.expiresAt) return { ok: true, tenantId: cached.tenantId };
    if (cached) passed.delete(token as string);
    try {
      const verdict = await validateOne(token, index, ownTenant);
      remember(token as string, ownTenant, verdict);
      return { ok: true, tenantId: verdict.tenantId };
    } catch (error) {
      if (error instanceof TeamsVerificationError) return { ok: false, kind: 'invalid', error };
      return { ok: false, kind: 'unavailable', error: error instanceof Error ? error : new Error(String(error)) };
    }
  };

  return async (tokens) => {
    let ownTenant: string;
    try {
      ownTenant = await options.tenantId();
    } catch (error) {
      const cause = error instanceof Error ? error : new Error(String(error));
      return tokens.map(() => ({ ok: false as const, kind: 'unavailable' as const, error: cause }));
    }
    // One check per distinct token in a batch (the first position names it in error messages).
    const byToken = new Map<string | null, Promise<TokenVerdict>>();
    return Promise.all(
      tokens.map((token, index) => {
        let verdict = byToken.get(token);
        if (!verdict) {
          verdict = judgeOne(token, index, ownTenant);
          byToken.set(token, verdict);
        }
        return verdict;
      }),
    );
  };
}
