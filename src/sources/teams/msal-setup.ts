/**
 * MSAL (app-only client credentials and device code) pointed at MICROSOFT_LOGIN_BASE_URL.
 *
 * - The authority is `{MICROSOFT_LOGIN_BASE_URL}/{tenant}`, so tests, sandboxes and sovereign setups
 *   reach MSAL itself, not only hand-written calls.
 * - `knownAuthorities` holds that host, so MSAL builds its cloud-discovery metadata from the host
 *   and never calls instance discovery on the real cloud (msal-node has no switch to disable it; an
 *   unknown option would be silently ignored). It still reads the
 *   authority's OpenID configuration (`{authority}/v2.0/.well-known/openid-configuration`).
 * - msal-node refuses `http://` authorities, so an http base fails here with a clear message.
 * - `createMsalNetworkClient` is MSAL's `system.networkClient`: node http(s) with a timeout on every
 *   call (MSAL's default fetch client has none on POST) and an optional agent, e.g. one that trusts
 *   a test CA; without an agent Node's CA store applies (including NODE_EXTRA_CA_CERTS).
 */
import http from 'node:http';
import https from 'node:https';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { ConfigError } from '../../errors';

/** The Graph resource for scopes; an identifier, not a host we call (GRAPH_API_BASE_URL is). */
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
export const GRAPH_APP_SCOPE = `${GRAPH_RESOURCE}/.default`;
/**
 * Delegated scopes for service accounts: presence subscriptions need Presence.Read.All
 * (docs/vendors.md#teams-delegated-subscriptions).
 */
export const SERVICE_ACCOUNT_SCOPES = [`${GRAPH_RESOURCE}/Presence.Read.All`, 'offline_access'] as const;

export interface MsalAuthorityOptions {
  readonly authority: string;
  readonly knownAuthorities: string[];
}

/** Authority and knownAuthorities for a tenant at MICROSOFT_LOGIN_BASE_URL. */
export function buildMsalAuthority(loginBaseUrl: string, tenantId: string): MsalAuthorityOptions {
  let url: URL;
  try {
    url = new URL(loginBaseUrl);
  } catch {
    throw new ConfigError(`MICROSOFT_LOGIN_BASE_URL must be an absolute https URL, got "${loginBaseUrl}"`);
  }
  if (url.protocol !== 'https:') {
    throw new ConfigError(`MICROSOFT_LOGIN_BASE_URL must use https (msal-node refuses other authorities), got "${loginBaseUrl}"`);
  }
  if (!/^[A-Za-z0-9.-]+$/.test(tenantId)) throw new ConfigError(`TEAMS_TENANT_ID must be a tenant id or domain, got "${tenantId}"`);
  const base = loginBaseUrl.replace(/\/+$/, '');
  return { authority: `${base}/${tenantId}`, knownAuthorities: [url.host] };
}

export interface MsalNetworkOptions {
  /** Agent for https calls (e.g. `new https.Agent({ ca })` trusting a test certificate). */
  readonly httpsAgent?: https.Agent;
}

/** A login request that takes longer has failed (MSAL retries or reports it). */
const LOGIN_REQUEST_TIMEOUT_MS = 15_000;

function request<T>(
  url: string,
  method: 'GET' | 'POST',
  options: NetworkRequestOptions | undefined,
  settings: MsalNetworkOptions,
  timeoutMs: number,
): Promise<NetworkResponse<T>> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const lib = target.protocol === 'https:' ? https : http;
    const body = method === 'POST' ? (options?.body ?? '') : undefined;
    const headers: Record<string, string> = { ...(options?.headers ?? {}) };
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const req = lib.request(
      target,
      { method, headers, timeout: timeoutMs, ...(target.protocol === 'https:' && settings.httpsAgent ? { agent: settings.httpsAgent } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : {};
          } catch {
            reject(new Error(`login endpoint ${target.host}${target.pathname} answered ${res.statusCode} with non-JSON`));
            return;
          }
          const responseHeaders: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) responseHeaders[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: res.statusCode ?? 0, headers: responseHeaders, body: parsed as T });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`login request to ${target.host} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** An MSAL network module with timeouts and an optional https agent. */
export function createMsalNetworkClient(settings: MsalNetworkOptions = {}): INetworkModule {
  return {
    sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions, timeout?: number) =>
      request<T>(url, 'GET', options, settings, timeout ?? LOGIN_REQUEST_TIMEOUT_MS),
    sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => request<T>(url, 'POST', options, settings, LOGIN_REQUEST_TIMEOUT_MS),
  };
}
