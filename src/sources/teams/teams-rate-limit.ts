/**
 * Microsoft Graph throttling: the rules of the Graph client's retry (src/sources/teams/graph-client.ts).
 *
 * Graph answers 429 (and 503/504 under load) with `Retry-After` in seconds and asks clients to wait that
 * long (https://learn.microsoft.com/graph/throttling, docs/vendors.md#teams-throttling). The
 * @microsoft/microsoft-graph-client `RetryHandler` middleware already does exactly that (429/503/504,
 * Retry-After honoured, its own backoff when absent, capped at 180 s per retry; src/middleware/RetryHandler.ts),
 * so it is kept rather than rewritten in src/http/request-loop.ts; its backoff without Retry-After is the
 * SDK's, not ./backoff.ts, because `getDelay` is private to the SDK. What is ours is the same rule the
 * outbound loop applies to every vendor: `Retry-After` is read by the one parser (src/http/retry-after.ts),
 * and a wait longer than the park threshold is not slept on: the request fails with Graph's 429/503
 * (GraphRequestError) and the background job (maintainer, task runner) retries later, so a Lambda run
 * cannot stall.
 */
import { RetryHandler, RetryHandlerOptions } from '@microsoft/microsoft-graph-client';
import { parseRetryAfter } from '../../http/retry-after';

export interface GraphRetrySettings {
  /** Base delay in seconds when Graph gives no Retry-After (SDK default 3). */
  readonly delaySeconds?: number;
  /** SDK default 3, cap 10. */
  readonly maxRetries?: number;
  /** Give up instead of sleeping when Retry-After asks for more than this. */
  readonly maxRetryAfterSeconds?: number;
}

/** Defaults for a background job: a few retries, and no wait longer than a minute. */
export const GRAPH_RETRY_DEFAULTS = { delaySeconds: 2, maxRetries: 4, maxRetryAfterSeconds: 60 } as const;

/** True when the wait Graph asks for (none: 0) is short enough to sleep on. */
export function isGraphWaitAffordable(response: Pick<Response, 'headers'> | undefined, maxRetryAfterMs: number, nowMs: number): boolean {
  const retryAfterMs = parseRetryAfter(response?.headers?.get('Retry-After'), nowMs) ?? 0;
  return retryAfterMs <= maxRetryAfterMs;
}

/** The SDK's RetryHandler with the bridge's throttling rules. */
export function createGraphRetryHandler(settings: GraphRetrySettings = {}, now: () => number = Date.now): RetryHandler {
  const maxRetryAfterMs = (settings.maxRetryAfterSeconds ?? GRAPH_RETRY_DEFAULTS.maxRetryAfterSeconds) * 1000;
  return new RetryHandler(
    new RetryHandlerOptions(
      settings.delaySeconds ?? GRAPH_RETRY_DEFAULTS.delaySeconds,
      settings.maxRetries ?? GRAPH_RETRY_DEFAULTS.maxRetries,
      (_delay, _attempt, _request, _options, response) => isGraphWaitAffordable(response, maxRetryAfterMs, now()),
    ),
  );
}
