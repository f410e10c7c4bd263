/**
 * Microsoft Graph client for background work (maintainer, task runner, CLI) — never the webhook path.
 *
 * Built on @microsoft/microsoft-graph-client with an explicit middleware chain:
 *   BearerToken → RetryHandler → AttemptTimeout → HTTPMessageHandler
 * - BearerToken replaces the SDK's AuthenticationHandler, which only attaches tokens to https Graph
 *   hosts or `customHosts` (src/GraphRequestUtil.ts `isValidEndpoint`); this client only ever talks
 *   to GRAPH_API_BASE_URL (next links are checked in `relativeGraphPath`), so it always attaches.
 * - RetryHandler (429/503/504, Retry-After honoured; src/middleware/RetryHandler.ts) is configured
 *   by teams-rate-limit.ts for a background job: a few retries, and no retry when Graph asks to wait
 *   longer than the job can afford, read by the bridge's one Retry-After parser.
 * - AttemptTimeout aborts one HTTP attempt that hangs; it sits after RetryHandler so each retry gets
 *   its own budget.
 * App-only tokens come from msal-node's ConfidentialClientApplication (client credentials).
 */
import { Client, HTTPMessageHandler, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { ConfidentialClientApplication, type INetworkModule } from '@azure/msal-node';
import { ConfigError } from '../../errors';
import { buildMsalAuthority, GRAPH_APP_SCOPE } from './msal-setup';
import { GraphRequestError } from './teams-errors';
import { createGraphRetryHandler, type GraphRetrySettings } from './teams-rate-limit';

export type { GraphRetrySettings };

/**
 * Returns a bearer token for Graph (app-only or a service account's delegated token).
 * `forceRefresh` skips any cached token (after Graph answered 401 to the cached one).
 */
export type AccessTokenProvider = (options?: { readonly forceRefresh?: boolean }) => Promise<string>;

export interface GraphClientOptions {
  /** GRAPH_API_BASE_URL, e.g. `https://graph.microsoft.com/v1.0`. */
  readonly baseUrl: string;
  readonly getAccessToken: AccessTokenProvider;
  readonly retry?: GraphRetrySettings;
}

/** Per HTTP attempt: a hanging attempt is aborted and, like a 504, not waited on forever. */
const GRAPH_ATTEMPT_TIMEOUT_MS = 30_000;

function setHeader(context: Context, name: string, value: string): void {
  const options = (context.options ??= {});
  if (typeof Request !== 'undefined' && context.request instanceof Request) {
    context.request.headers.set(name, value);
    return;
  }
  if (options.headers instanceof Headers) options.headers.set(name, value);
  else options.headers = { ...((options.headers as Record<string, string> | undefined) ?? {}), [name]: value };
}

/**
 * Attaches the bearer token; on a 401 (token revoked or expired early, e.g. continuous access
 * evaluation) asks once for a fresh token and repeats the request, so a revoked refresh token
 * surfaces as "sign in again" rather than as a bare 401.
 */
class BearerTokenHandler implements Middleware {
  private next?: Middleware;
  constructor(private readonly getAccessToken: AccessTokenProvider) {}
  async execute(context: Context): Promise<void> {
    setHeader(context, 'Authorization', `Bearer ${await this.getAccessToken()}`);
    await this.next!.execute(context);
    if (context.response?.status === 401) {
      setHeader(context, 'Authorization', `Bearer ${await this.getAccessToken({ forceRefresh: true })}`);
      await this.next!.execute(context);
    }
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

class AttemptTimeoutHandler implements Middleware {
  private next?: Middleware;
  constructor(private readonly timeoutMs: number) {}
  async execute(context: Context): Promise<void> {
    const options = (context.options ??= {});
    (options as { signal?: AbortSignal }).signal = AbortSignal.timeout(this.timeoutMs);
    await this.next!.execute(context);
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

/** Creates a Graph client for GRAPH_API_BASE_URL with the background-job middleware chain. */
export function createGraphClient(options: GraphClientOptions): Client {
  const middleware: Middleware[] = [
    new BearerTokenHandler(options.getAccessToken),
    createGraphRetryHandler(options.retry),
    new AttemptTimeoutHandler(GRAPH_ATTEMPT_TIMEOUT_MS),
    new HTTPMessageHandler(),
  ];
  // The whole base (with its version segment) is the host part; an empty version keeps it intact.
  return Client.initWithMiddleware({ baseUrl: options.baseUrl.replace(/\/+$/, ''), defaultVersion: '', middleware });
}

/**
 * Turns an `@odata.nextLink` into a path relative to GRAPH_API_BASE_URL, refusing links to any other
 * place: the bearer token must never be sent elsewhere.
 */
export function relativeGraphPath(baseUrl: string, link: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  if (!link.toLowerCase().startsWith(`${base.toLowerCase()}/`)) {
    throw new GraphRequestError(`Graph returned a next link outside GRAPH_API_BASE_URL (${base}): refusing to follow it`, undefined);
  }
  return link.slice(base.length);
}

/** The HTTP status of a Graph SDK error, if it had a response. */
export function graphErrorStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status > 0 ? status : undefined;
}

/** Wraps a Graph SDK error with what was being done; keeps the status for callers to branch on. */
export function toGraphRequestError(error: unknown, what: string): GraphRequestError {
  if (error instanceof GraphRequestError) return error;
  const status = graphErrorStatus(error);
  const detail = (error as Error | null)?.message ?? String(error);
  return new GraphRequestError(`${what} failed${status ? ` (HTTP ${status})` : ''}: ${detail}`, status, { cause: error });
}

export interface AppTokenOptions {
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** MICROSOFT_LOGIN_BASE_URL. */
  readonly loginBaseUrl: string;
  readonly networkClient?: INetworkModule;
}

/**
 * App-only tokens (client credentials) for reading presence and users. MSAL keeps the token in its
 * in-memory cache and only asks the login endpoint again near expiry.
 */
export function createAppTokenProvider(options: AppTokenOptions): AccessTokenProvider {
  const missing = [
    ['TEAMS_TENANT_ID', options.tenantId],
    ['TEAMS_CLIENT_ID', options.clientId],
    ['TEAMS_CLIENT_SECRET', options.clientSecret],
  ].filter(([, value]) => !value);
  if (missing.length > 0) {
    throw new ConfigError(`${missing.map(([name]) => name).join(', ')} must be set to read Teams presence from Microsoft Graph`);
  }
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: options.clientId!,
      clientSecret: options.clientSecret!,
      ...buildMsalAuthority(options.loginBaseUrl, options.tenantId!),
    },
    system: options.networkClient ? { networkClient: options.networkClient } : undefined,
  });
  return async (request) => {
    const result = await app.acquireTokenByClientCredential({ scopes: [GRAPH_APP_SCOPE], skipCache: request?.forceRefresh === true });
    if (!result?.accessToken) throw new GraphRequestError('the login endpoint returned no app-only access token', undefined);
    return result.accessToken;
  };
}
