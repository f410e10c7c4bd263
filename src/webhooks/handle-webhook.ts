/**
 * The transport-neutral webhook core: pick source → verify/handshake/normalize (the source) →
 * record desired state → enqueue → status. Never calls Genesys: vendors expect an answer within seconds,
 * so the slow work is queued.
 */
import { describeError } from '../errors';
import type { Logger } from '../logger';
import { noopMetrics } from '../metrics/metrics';
import { recordEvents, type RecordDeps } from './record-events';
import { classifyRejection } from './rejection-reason';
import type { InboundRequest, OutboundResponse, WebhookSource } from './types';

/** Bodies over 1 MiB get 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface WebhookCoreDeps extends RecordDeps {
  readonly sources: readonly WebhookSource[];
  readonly logger: Logger;
}

const GENERIC_AUTH_ERRORS: Readonly<Partial<Record<number, string>>> = {
  401: 'unauthorized: the request could not be verified',
  403: 'forbidden',
};

function json(status: number, body: unknown, headers: Record<string, string> = {}): OutboundResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** Handles one webhook request. Only a failure to record yields 5xx, so the sender retries. */
export async function handleWebhook(request: InboundRequest, deps: WebhookCoreDeps): Promise<OutboundResponse> {
  const source = deps.sources.find((candidate) => candidate.path === request.path);
  if (!source) return json(404, { error: `no webhook at ${request.path}` });
  const metrics = deps.metrics ?? noopMetrics;
  const refuse = (): void => metrics.count('EventsRejected', { system: source.system, reason: 'malformed' });
  if (request.method !== 'POST') {
    refuse();
    return json(405, { error: 'use POST' }, { allow: 'POST' });
  }
  if (request.body.length > MAX_BODY_BYTES) {
    refuse();
    return json(413, { error: 'body larger than 1 MiB' });
  }

  const log = deps.logger.child({ system: source.system });
  let outcome;
  try {
    outcome = await source.handle(request);
  } catch (error) {
    // A source must not throw on bad input; if it does, treat the input as malformed rather than crash.
    log.error('webhook source failed', { error: describeError(error) });
    refuse();
    return json(400, { error: 'request could not be processed' });
  }

  switch (outcome.kind) {
    case 'handshake':
      log.info('webhook handshake answered');
      return outcome.response;
    case 'rejected':
      log.warn('webhook rejected', { status: outcome.status, reason: outcome.reason });
      metrics.count('EventsRejected', { system: source.system, reason: classifyRejection(outcome.status, outcome.reasonClass) });
      // A caller that failed authentication learns nothing about why (which secret, which tenant or
      // account was expected); the reason is in the log for the operator.
      return json(outcome.status, { error: GENERIC_AUTH_ERRORS[outcome.status] ?? outcome.reason });
    case 'ignored':
      log.debug('webhook ignored', { reason: outcome.reason, ...(outcome.dropped ? { dropped: outcome.dropped } : {}) });
      return json(outcome.ackStatus ?? 200, { status: 'ignored' });
    case 'accepted': {
      try {
        const summary = await recordEvents(outcome.events, deps, outcome.tasks);
        log.info('webhook recorded', {
          events: outcome.events.length,
          tasks: outcome.tasks?.length ?? 0,
          ...(outcome.dropped ? { dropped: outcome.dropped } : {}),
          ...summary,
        });
      } catch (error) {
        log.error('failed to record webhook events; asking the sender to retry', { error: describeError(error) });
        metrics.count('WebhookRecordFailures', { system: source.system });
        return json(503, { error: 'could not record the event; please retry' });
      }
      return json(outcome.ackStatus ?? 200, { status: 'accepted' });
    }
  }
}
