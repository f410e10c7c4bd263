/**
 * This tenant's id (a GUID), which validation tokens must carry in `tid`. TEAMS_TENANT_ID may be the
 * GUID or a domain (`contoso.onmicrosoft.com`); a domain is resolved once from the tenant's OpenID
 * configuration, whose `issuer` is `https://login.microsoftonline.com/{tenant-guid}/v2.0`
 * (https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri).
 * The answer is cached for the life of the process; a failed lookup is not cached, so the next
 * notification (Graph retries after a 503) or the next warm-up tries again.
 */
import type { INetworkModule } from '@azure/msal-node';
import { ConfigError } from '../../errors';
import { TeamsSigningKeyUnavailableError } from './teams-errors';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GUID_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** True for a tenant GUID (any case). */
export function isTenantGuid(value: string): boolean {
  return GUID.test(value.trim());
}

/** Resolves to this tenant's GUID, lower-cased. */
export type TenantIdSource = () => Promise<string>;

export interface TenantIdResolverOptions {
  /** TEAMS_TENANT_ID: GUID or domain. */
  readonly tenant: string;
  /** MICROSOFT_LOGIN_BASE_URL. */
  readonly loginBaseUrl: string;
  /** Fetches the OpenID configuration (the MSAL network module, so it trusts the same CAs and has timeouts). */
  readonly network: Pick<INetworkModule, 'sendGetRequestAsync'>;
  /** Bound on the one lookup; it may run on the webhook path when nothing warmed the cache. */
  readonly timeoutMs?: number;
}

/** A GUID is answered at once; a domain is looked up on first use (concurrent callers share one lookup). */
export function createTenantIdResolver(options: TenantIdResolverOptions): TenantIdSource {
  const tenant = options.tenant.trim();
  if (isTenantGuid(tenant)) {
    const id = tenant.toLowerCase();
    return async () => id;
  }
  const url = `${options.loginBaseUrl.replace(/\/+$/, '')}/${encodeURIComponent(tenant)}/v2.0/.well-known/openid-configuration`;
  const timeoutMs = options.timeoutMs ?? 2000;
  let resolved: string | undefined;
  let pending: Promise<string> | undefined;

  const lookUp = async (): Promise<string> => {
    let response: { status: number; body: unknown };
    try {
      response = await options.network.sendGetRequestAsync<unknown>(url, undefined, timeoutMs);
    } catch (error) {
      throw new TeamsSigningKeyUnavailableError(
        `cannot resolve TEAMS_TENANT_ID "${tenant}" to a tenant id now (${url}: ${(error as Error)?.message ?? String(error)})`,
        { cause: error },
      );
    }
    const issuer = (response.body as { issuer?: unknown } | null)?.issuer;
    const guid = typeof issuer === 'string' ? GUID_IN_TEXT.exec(issuer)?.[0] : undefined;
    if (response.status >= 500 || response.status === 429) {
      throw new TeamsSigningKeyUnavailableError(`cannot resolve TEAMS_TENANT_ID "${tenant}" now: ${url} answered ${response.status}`);
    }
    if (response.status !== 200 || !guid) {
      // 400 "AADSTS90002: Tenant not found", or a document without a tenant-specific issuer (`common`).
      throw new ConfigError(
        `TEAMS_TENANT_ID "${tenant}" does not resolve to a tenant id: ${url} answered ${response.status}` +
          (typeof issuer === 'string' ? ` with issuer "${issuer}"` : '') +
          '; set TEAMS_TENANT_ID to the Directory (tenant) ID GUID of the app registration',
      );
    }
    return guid.toLowerCase();
  };

  return async () => {
    if (resolved) return resolved;
    pending ??= lookUp()
      .then((id) => {
        resolved = id;
        return id;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}
