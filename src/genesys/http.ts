/**
 * Authenticated JSON requests to the Genesys Cloud Platform API (`{apiBaseUrl}/api/v2/...`).
 * Budget, retries, Retry-After, the bearer token and the one forced re-login on a 401 are the
 * transport's (the outbound loop, src/http/request-loop.ts). A second 401 right after a fresh login
 * means the credentials or region are wrong, and the error says so (`afterRelogin`).
 */
import type { TokenProvider } from './auth';
import type { HttpMethod } from './genesys-rate-limit';
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
}

/** Encodes one path segment (an id from outside). */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

/** The Genesys Platform API over the budgeted transport. */
export class GenesysHttp {
  private readonly apiBaseUrl: string;

  constructor(private readonly options: GenesysHttpOptions) {
    this.apiBaseUrl = options.apiBaseUrl.replace(/\/+$/, '');
  }

  /** Sends one request and returns the parsed body (undefined for 204). Throws GenesysApiError / GenesysParkedError. */
  async request<T>(request: GenesysRequest): Promise<T> {
    return (await this.exchange<T>(request)).data;
  }

  /** Like `request`, with status and headers. */
  async exchange<T>(request: GenesysRequest): Promise<TransportResponse<T>> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    return this.options.transport.send<T>(
      {
        method: request.method,
        url: `${this.apiBaseUrl}${request.path}${queryString(request.query)}`,
        path: request.path,
        headers,
        data: request.body === undefined ? undefined : JSON.stringify(request.body),
        idempotent: request.idempotent,
        permission: request.permission,
      },
      this.options.auth,
    );
  }

  /** Closes idle connections. */
  close(): void {
    this.options.transport.close();
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
