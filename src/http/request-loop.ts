/**
 * The one outbound request loop of the bridge, used by the Genesys, Zoom and RingCentral REST clients
 * (the Microsoft Graph client keeps the Graph SDK's RetryHandler middleware, configured with the same
 * Retry-After parser and a park threshold in src/sources/teams/teams-rate-limit.ts). One attempt is:
 *
 *   1. take a slot: the policy's budget or rate limiter (`acquire`), and not before a Retry-After
 *      (after getting the bearer token, whose login takes a slot of its own);
 *   2. send with a timeout (cut to the time left before `deadline`, at least 1 s);
 *   3. classify the answer (the policy's `classify`);
 *   4. retryable: a rate limit waits what the vendor asked (Retry-After, else the policy's default) and
 *      shares that wait with every caller behind the same limit (`share`); a server error or a lost answer
 *      waits the one full-jitter backoff (./backoff.ts);
 *   5. 401: forget the token and log in again, once, without spending an attempt;
 *   6. a rate-limit wait longer than `parkAfterMs` is not slept on: the policy's `park` error is thrown
 *      (the caller parks the work until then instead of holding a worker hostage).
 *
 * Vendors differ only in their policy object (src/genesys/genesys-rate-limit.ts,
 * src/sources/zoom/zoom-rate-limit.ts, src/sources/ringcentral/ringcentral-rate-limit.ts); docs/architecture.md
 * "Outbound requests" lists their rules.
 */
import { backoffMs, type BackoffOptions } from './backoff';

/** One answer, or its absence (`status` 0, `error` says why: refused, reset, timed out, DNS). */
export interface LoopReply {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly data: unknown;
  readonly error?: unknown;
}

/** What the policy makes of an answer. */
export type Verdict =
  | { readonly kind: 'done' }
  /** The token was refused: log in again once. */
  | { readonly kind: 'unauthorized' }
  /** A rate limit: wait `waitMs` (Retry-After, or the vendor's default), everyone behind the limit with us. */
  | { readonly kind: 'rate-limited'; readonly waitMs: number }
  /** A server error or a lost answer: back off with jitter, at least `minWaitMs`. */
  | { readonly kind: 'retry'; readonly minWaitMs?: number }
  | { readonly kind: 'fail' };

export interface FailureContext {
  /** Attempts made, counting the last one. */
  readonly attempts: number;
  /** True when the token had already been renewed once for this request. */
  readonly reloggedIn: boolean;
  /** For a rate limit: how long the vendor asked to wait. */
  readonly retryAfterMs?: number;
}

/** A vendor's rules. Only `classify`, `park` and `fail` are required. */
export interface RequestPolicy {
  /** Attempts per request, counting the first. */
  readonly maxAttempts: number;
  readonly backoff?: BackoffOptions;
  /** A rate-limit wait longer than this throws `park(...)` instead of waiting; undefined: always wait. */
  readonly parkAfterMs?: number;
  classify(reply: LoopReply, attempt: number): Verdict;
  /** Sees every answer first (metrics, rate-limit headers). */
  observe?(reply: LoopReply): void;
  /**
   * Resolves when the next attempt may leave, not before `notBefore` (epoch ms; 0 for none). Default:
   * sleeps until `notBefore`. `lastStatus` is the previous attempt's status, for error messages.
   */
  acquire?(notBefore: number, lastStatus: number | undefined): Promise<void>;
  /** Makes everyone behind the same limit wait until `epochMs`; `retrying` is false on the last attempt. */
  share?(epochMs: number, retrying: boolean): Promise<void> | void;
  /** Logs a retry. */
  onRetry?(reply: LoopReply, attempt: number, waitMs: number, verdict: Verdict): void;
  /** The vendor's parked / too-long error for a wait longer than `parkAfterMs`. */
  park(reply: LoopReply, waitMs: number): Error;
  /** The vendor's typed error for an answer that is not retried (any more). */
  fail(reply: LoopReply, context: FailureContext): Error;
}

/** The bearer token: asked for before every attempt, forgotten once after a 401. */
export interface LoopCredentials {
  /** The `Authorization` header value. */
  authorize(): Promise<string>;
  /** Forgets `rejected` so the next `authorize` logs in again. */
  renew(rejected: string): Promise<void> | void;
}

export interface RequestLoopOptions {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Per-attempt timeout. */
  readonly timeoutMs: number;
  /** Epoch ms by which the caller must be done (undefined: no limit); read at every wait. */
  readonly deadline?: () => number | undefined;
}

/** What one attempt is given. */
export interface AttemptInput {
  readonly attempt: number;
  readonly timeoutMs: number;
  /** From `credentials.authorize()`, when the request has credentials. */
  readonly authorization?: string;
}

/** Sends the request once; never throws for a missing answer (returns `status` 0 instead). */
export type SendOnce = (input: AttemptInput) => Promise<LoopReply>;

/** A sleep that really waits. */
export function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Runs one request to completion: the answer the policy calls done, or the policy's error. */
export async function runRequestLoop(send: SendOnce, policy: RequestPolicy, options: RequestLoopOptions, credentials?: LoopCredentials): Promise<LoopReply> {
  const { now, sleep } = options;
  const random = options.random ?? Math.random;
  let notBefore = 0;
  let lastStatus: number | undefined;
  let reloggedIn = false;
  for (let attempt = 1; ; attempt += 1) {
    // The token first: a login takes its own slot, so a slot taken before it would be spent waiting
    // for the login, and every caller holding one would then send in the same instant.
    const authorization = credentials ? await credentials.authorize() : undefined;
    if (policy.acquire) await policy.acquire(notBefore, lastStatus);
    else if (notBefore > now()) await sleep(notBefore - now());
    const reply = await send({ attempt, timeoutMs: attemptTimeout(options), authorization });
    lastStatus = reply.status === 0 ? undefined : reply.status;
    policy.observe?.(reply);
    const verdict = policy.classify(reply, attempt);
    switch (verdict.kind) {
      case 'done':
        return reply;
      case 'unauthorized':
        if (!credentials || reloggedIn || authorization === undefined) throw policy.fail(reply, { attempts: attempt, reloggedIn });
        reloggedIn = true;
        await credentials.renew(authorization);
        // A refused token is not the request's fault: the attempt is not counted.
        attempt -= 1;
        continue;
      case 'rate-limited': {
        const waitMs = verdict.waitMs;
        if (policy.parkAfterMs !== undefined && waitMs > policy.parkAfterMs) throw policy.park(reply, waitMs);
        const retrying = attempt < policy.maxAttempts;
        notBefore = now() + waitMs;
        await policy.share?.(notBefore, retrying);
        if (!retrying) throw policy.fail(reply, { attempts: attempt, reloggedIn, retryAfterMs: waitMs });
        policy.onRetry?.(reply, attempt, waitMs, verdict);
        continue;
      }
      case 'retry': {
        const delay = Math.max(backoffMs(attempt, random, policy.backoff), verdict.minWaitMs ?? 0);
        if (attempt >= policy.maxAttempts || outlastsDeadline(options, delay)) {
          throw policy.fail(reply, { attempts: attempt, reloggedIn, retryAfterMs: verdict.minWaitMs });
        }
        policy.onRetry?.(reply, attempt, delay, verdict);
        await sleep(delay);
        continue;
      }
      case 'fail':
        throw policy.fail(reply, { attempts: attempt, reloggedIn });
    }
  }
}

/** True when sleeping `delayMs` would end past the deadline (the caller then gives up with its error). */
function outlastsDeadline(options: RequestLoopOptions, delayMs: number): boolean {
  const end = options.deadline?.();
  return end !== undefined && options.now() + delayMs > end;
}

/** The attempt's timeout: the configured one, cut to the time left before the deadline (at least 1 s). */
function attemptTimeout(options: RequestLoopOptions): number {
  const end = options.deadline?.();
  return end === undefined ? options.timeoutMs : Math.max(1000, Math.min(options.timeoutMs, end - options.now()));
}

/** Flattens response headers to lower-case names and string values. */
export function flattenHeaders(headers: Readonly<Record<string, unknown>> | undefined | null): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return flat;
}
