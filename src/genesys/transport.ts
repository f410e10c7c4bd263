/**
 * One budgeted, retried HTTP exchange with Genesys Cloud (API or login host), through the outbound loop
 * (src/http/request-loop.ts) with the Genesys policy (`genesys-rate-limit.ts`): budget slot, timeout,
 * Retry-After shared through the budget (`holdUntil`), parking, full-jitter backoff, and, when the caller
 * passes its token provider (`http.ts` does; the login in `auth.ts` does not), one re-login on 401.
 *
 * With a `deadline` (the worker Lambda's invocation end), no wait outlasts it: a Retry-After or budget
 * slot beyond it parks the work (GenesysParkedError), a backoff beyond it gives up with the retryable
 * error, and an attempt's timeout is cut to the time left. Otherwise Lambda would kill the invocation
 * mid-sleep and the whole batch, finished keys included, would come back after the visibility timeout
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).
 */
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import type { BackoffOptions } from '../http/backoff';
import { flattenHeaders, realSleep, runRequestLoop, type LoopCredentials } from '../http/request-loop';
import { silentLogger, type Logger } from '../logger';
import { noopMetrics, type Metrics } from '../metrics/metrics';
import type { TokenProvider } from './auth';
import { createGenesysRequestPolicy, DEFAULT_MAX_ATTEMPTS, PARK_THRESHOLD_MS, requestIdOf, type HttpMethod } from './genesys-rate-limit';
import type { RequestBudget } from './request-budget';

export interface TransportRequest {
  readonly method: HttpMethod;
  /** Absolute URL, query included. */
  readonly url: string;
  /** Path for errors and logs (no host, no query). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly data?: unknown;
  /** Overrides the method's idempotency for retries (see genesys-rate-limit.ts). */
  readonly idempotent?: boolean;
  /** Permission the endpoint needs; named in a 403's message. */
  readonly permission?: string;
}

export interface TransportResponse<T> {
  readonly status: number;
  readonly data: T;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** `inin-correlation-id` of the answer. */
  readonly requestId?: string;
}

export interface RetrySettings {
  readonly maxAttempts?: number;
  readonly backoff?: BackoffOptions;
}

/** Per-attempt timeout. */
const ATTEMPT_TIMEOUT_MS = 30_000;

export interface TransportOptions {
  readonly budget: RequestBudget;
  readonly logger?: Logger;
  /** Must be the same clock as the budget's. */
  readonly now?: () => number;
  readonly random?: () => number;
  readonly retry?: RetrySettings;
  /** Epoch ms by which the current caller must be done (undefined: no limit); read at every wait. */
  readonly deadline?: () => number | undefined;
  /** Counts 429s and 403s (README "What to watch"); nothing when absent. */
  readonly metrics?: Metrics;
}

/** Sends requests to Genesys within the budget, with retries. */
export interface GenesysTransport {
  /** With `auth`, adds its bearer token and logs in again once after a 401. */
  send<T>(request: TransportRequest, auth?: TokenProvider): Promise<TransportResponse<T>>;
  /** Closes idle keep-alive connections. */
  close(): void;
}

/** Creates the transport, with keep-alive agents so a burst of writes reuses connections. */
export function createTransport(options: TransportOptions): GenesysTransport {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const maxAttempts = options.retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const deadline = (): number | undefined => options.deadline?.();
  const metrics = options.metrics ?? noopMetrics;
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 50 });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 50 });
  const client: AxiosInstance = axios.create({
    httpAgent,
    httpsAgent,
    maxRedirects: 0,
    // Every status is an answer to inspect here, not an exception.
    validateStatus: () => true,
  });

  async function send<T>(request: TransportRequest, auth?: TokenProvider): Promise<TransportResponse<T>> {
    const { method, path } = request;
    const policy = createGenesysRequestPolicy({
      request,
      budget: options.budget,
      maxAttempts,
      backoff: options.retry?.backoff,
      // Retry-After above this parks (GenesysParkedError) instead of waiting.
      parkAfterMs: PARK_THRESHOLD_MS,
      now,
      sleep: realSleep,
      deadline,
      logger,
      metrics,
    });
    const credentials: LoopCredentials | undefined = auth && {
      authorize: async () => `Bearer ${await auth.getToken()}`,
      renew: (rejected) => {
        logger.info('Genesys refused the token; logging in again', { method, path });
        auth.invalidate(rejected.slice('Bearer '.length));
      },
    };
    const reply = await runRequestLoop(
      async ({ timeoutMs: attemptTimeoutMs, authorization }) => {
        const headers = authorization === undefined ? request.headers : { ...request.headers, Authorization: authorization };
        try {
          const response = await client.request({ method, url: request.url, headers, data: request.data, timeout: attemptTimeoutMs });
          return { status: response.status, headers: flattenHeaders(response.headers), data: response.data };
        } catch (error) {
          // No response at all: refused, reset, timed out, DNS.
          return { status: 0, headers: {}, data: undefined, error };
        }
      },
      policy,
      { now, sleep: realSleep, random, timeoutMs: ATTEMPT_TIMEOUT_MS, deadline },
      credentials,
    );
    return { status: reply.status, data: reply.data as T, headers: reply.headers, requestId: requestIdOf(reply) };
  }

  return {
    send,
    close(): void {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
