/**
 * `GET /status` and `GET /status.json`, the same on every adapter (like `/healthz`, health.ts): access
 * check, query parsing, the report, then HTML or JSON (JSON at `/status.json` or with
 * `Accept: application/json`). Every answer, refusals included, is private and uncacheable, and the
 * HTML may load nothing and run nothing (Content-Security-Policy).
 */
import { describeError } from '../errors';
import type { Logger } from '../logger';
import type { InboundRequest, OutboundResponse } from '../webhooks/types';
import { renderStatusHtml } from './render-status-html';
import { decideStatusAccess, type StatusAccessPolicy } from './status-access';
import { parseStatusQuery } from './status-query';
import { collectStatusReport, type StatusReportDeps } from './status-report';

export const STATUS_PATHS = ['/status', '/status.json'] as const;

export interface StatusPageDeps extends StatusReportDeps {
  readonly access: StatusAccessPolicy;
  readonly logger?: Logger;
}

/** The request as the status page sees it: the core's request plus the TCP peer where there is one. */
export type StatusRequest = Pick<InboundRequest, 'method' | 'path' | 'query' | 'headers'> & { readonly remoteAddress?: string };

export const STATUS_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'private, no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  vary: 'Accept, Authorization',
};

function answer(status: number, contentType: string, body: string, extra: Record<string, string> = {}): OutboundResponse {
  return { status, headers: { ...STATUS_SECURITY_HEADERS, 'content-type': contentType, ...extra }, body };
}

function jsonAnswer(status: number, body: unknown, extra: Record<string, string> = {}): OutboundResponse {
  return answer(status, 'application/json; charset=utf-8', JSON.stringify(body), extra);
}

function wantsJson(request: StatusRequest): boolean {
  return request.path.endsWith('.json') || /\bapplication\/json\b/i.test(request.headers.accept ?? '');
}

/** Answers `GET /status` and `GET /status.json`. */
export async function serveStatusPage(request: StatusRequest, deps: StatusPageDeps): Promise<OutboundResponse> {
  const decision = decideStatusAccess(deps.access, request);
  if (!decision.allowed) {
    deps.logger?.warn('status page refused', { status: decision.status, reason: decision.reason });
    if (decision.status === 404) return jsonAnswer(404, { error: 'not found' });
    if (decision.status === 401) {
      return jsonAnswer(401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer realm="presence-bridge status"' });
    }
    return jsonAnswer(403, { error: decision.reason });
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return jsonAnswer(405, { error: 'use GET' }, { allow: 'GET, HEAD' });
  }
  const parsed = parseStatusQuery(request.query);
  if (!parsed.ok) return jsonAnswer(400, { error: parsed.error });
  let report;
  try {
    report = await collectStatusReport(deps, parsed.query);
  } catch (error) {
    deps.logger?.error('status page: could not read the state', { error: describeError(error) });
    return jsonAnswer(503, { error: 'the state could not be read; see the log' });
  }
  if (wantsJson(request)) return jsonAnswer(200, report);
  return answer(200, 'text/html; charset=utf-8', renderStatusHtml(report));
}
