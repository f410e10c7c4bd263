/**
 * Authenticated JSON requests to the Genesys Cloud Platform API (`{apiBaseUrl}/api/v2/...`).
 * Budget, retries and Retry-After are the transport's; this layer adds the bearer token and, on a
 * 401, one forced re-login and one more try (a token can be revoked or expire early). A second 401
 * right after a fresh login means the credentials or region are wrong, and the error says so.
 */
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import type { TokenProvider } from './auth';
import { GenesysApiError } from './errors';
import type { HttpMethod } from './retry-policy';
import type { GenesysTransport, TransportResponse } from './transport';

export type QueryValue = string | number | boolean | undefined | readonly string[];

export interface GenesysRequest {
  readonly method: Exclude<HttpMethod, 'HEAD' | 'OPTIONS'>;
  /** Path from the API root, e.g. `/api/v2/presence/sources`; ids already URI-encoded. */
  readonly path: string;
  /** Arrays are sent comma-separated, as Genesys bulk parameters expect (`id=a,b,c`). */
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly body?: unknown;
  /** Overrides the method's idempotency for retries (a search POST, a create made safe by 409-adoption). */
  readonly idempotent?: boolean;
  /** The permission the endpoint needs; a 403 names it (docs/vendors.md#genesys-presence-permission). */
  readonly permission?: string;
}

export interface GenesysHttpOptions {
  readonly apiBaseUrl: string;
  readonly transport: GenesysTransport;
  readonly auth: TokenProvider;
  readonly logger?: Logger;
}

/** Encodes one path segment (an id from outside). */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

/** The Genesys Platform API over the budgeted transport. */
export class GenesysHttp {
  private readonly apiBaseUrl: string;
  private readonly logger: Logger;

  constructor(private readonly options: GenesysHttpOptions) {
    this.apiBaseUrl = options.apiBaseUrl.replace(/\/+$/, '');
    this.logger = options.logger ?? silentLogger;
  }

  /** Sends one request and returns the parsed body (undefined for 204). Throws GenesysApiError / GenesysParkedError. */
  async request<T>(request: GenesysRequest): Promise<T> {
    return (await this.exchange<T>(request)).data;
  }

  /** Like `request`, with status and headers. */
  async exchange<T>(request: GenesysRequest): Promise<TransportResponse<T>> {
    const token = await this.options.auth.getToken();
    try {
      return await this.send<T>(request, token);
    } catch (error) {
      if (!(error instanceof GenesysApiError) || error.status !== 401) throw error;
      this.logger.info('Genesys refused the token; logging in again', { method: request.method, path: request.path });
      this.options.auth.invalidate(token);
      const fresh = await this.options.auth.getToken();
      try {
        return await this.send<T>(request, fresh);
      } catch (second) {
        if (second instanceof GenesysApiError && second.status === 401) throw second.withDetails({ afterRelogin: true });
        throw second;
      }
    }
  }

  /** Closes idle connections. */
  close(): void {
    this.options.transport.close();
  }

  private send<T>(request: GenesysRequest, token: string): Promise<TransportResponse<T>> {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    return this.options.transport.send<T>({
      method: request.method,
      url: `${this.apiBaseUrl}${request.path}${queryString(request.query)}`,
      path: request.path,
      headers,
      data: request.body === undefined ? undefined : JSON.stringify(request.body),
      idempotent: request.idempotent,
      permission: request.permission,
    });
  }
}

function queryString(query: GenesysRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    params.append(name, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
