/**
 * API Gateway HTTP API (payload v2) adapter: converts only. Bodies arrive as strings, base64-encoded
 * when `isBase64Encoded` is true; decode to bytes before anything verifies them (docs/vendors.md#aws-platform-behaviours).
 */
import { MAX_BODY_BYTES } from '../handle-webhook';
import type { InboundRequest, OutboundResponse } from '../types';

/** The fields of an API Gateway HTTP API v2 event the bridge reads. */
export interface HttpApiEvent {
  readonly rawPath?: string;
  readonly rawQueryString?: string;
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: { readonly http?: { readonly method?: string; readonly path?: string } };
}

export interface HttpApiResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Converts an HTTP API v2 event into the core's InboundRequest. */
export function toInboundRequest(event: HttpApiEvent, receivedAt: number): InboundRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  // rawQueryString keeps the validationToken exactly as sent; URLSearchParams decodes it once.
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(event.rawQueryString ?? '')) {
    if (!(name in query)) query[name] = value;
  }
  const body = event.body === undefined ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  return {
    method: (event.requestContext?.http?.method ?? 'POST').toUpperCase(),
    path: event.rawPath ?? event.requestContext?.http?.path ?? '/',
    query,
    headers,
    body,
    receivedAt,
  };
}

export function toHttpApiResult(response: OutboundResponse): HttpApiResult {
  return { statusCode: response.status, headers: { ...response.headers }, body: response.body };
}

/** Wraps the core into a Lambda handler for the webhook routes, `GET /healthz` and `GET /status` (when given). */
export function createHttpApiHandler(
  handle: (request: InboundRequest) => Promise<OutboundResponse>,
  now: () => number = Date.now,
  health?: () => Promise<OutboundResponse>,
  status?: (request: InboundRequest) => Promise<OutboundResponse>,
): (event: HttpApiEvent) => Promise<HttpApiResult> {
  return async (event) => {
    const request = toInboundRequest(event, now());
    if (request.method === 'GET' && request.path === '/healthz') {
      if (health) return toHttpApiResult(await health());
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"ok"}' };
    }
    if (status && (request.method === 'GET' || request.method === 'HEAD') && (request.path === '/status' || request.path === '/status.json')) {
      return toHttpApiResult(await status(request));
    }
    if (request.body.length > MAX_BODY_BYTES) {
      return { statusCode: 413, headers: { 'content-type': 'application/json' }, body: '{"error":"body larger than 1 MiB"}' };
    }
    return toHttpApiResult(await handle(request));
  };
}
