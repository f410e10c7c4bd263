/**
 * The end of the current Lambda invocation, as the Genesys transport and the worker's claim lease need
 * it. Lambda runs one invocation at a time per container, so one holder per container is enough; the
 * handler sets it from the context at the start of each invocation
 * (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html, `getRemainingTimeInMillis`).
 */

/** Kept back from the remaining time to record outcomes and delay retried messages before Lambda stops. */
export const FINISH_RESERVE_MS = 5_000;
/**
 * A claim outlives the deadline by this much: Lambda stops the invocation at its timeout, but a PATCH
 * already sent can still land at Genesys shortly after.
 */
export const CLAIM_LEASE_MARGIN_MS = 30_000;

/** The part of the Lambda context used here. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

export interface InvocationDeadline {
  /** Epoch ms by which the invocation must be done, or undefined outside an invocation. */
  get(): number | undefined;
  /** Starts an invocation: the deadline is its remaining time minus FINISH_RESERVE_MS. No context: none. */
  start(context: LambdaContextLike | undefined): void;
  /** Ends the invocation. */
  clear(): void;
}

export function createInvocationDeadline(now: () => number = Date.now): InvocationDeadline {
  let deadline: number | undefined;
  return {
    get: () => deadline,
    start(context) {
      // Lambda always passes it; a caller with a bare object (a test, a local invoke) gets no deadline.
      const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
      deadline = remaining === undefined || !Number.isFinite(remaining) ? undefined : now() + remaining - FINISH_RESERVE_MS;
    },
    clear() {
      deadline = undefined;
    },
  };
}

/** The claim lease for a worker pass: to the deadline plus a margin, or undefined (the default) outside one. */
export function claimLeaseFor(deadline: InvocationDeadline, now: () => number): number | undefined {
  const end = deadline.get();
  return end === undefined ? undefined : Math.max(1000, end - now() + CLAIM_LEASE_MARGIN_MS);
}
