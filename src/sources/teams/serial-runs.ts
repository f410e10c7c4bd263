/**
 * Teams maintenance runs one at a time in a process. Two overlapping runs would each list an account's
 * subscriptions, each find none, and each create one: Graph would then deliver every change twice until
 * the next run deleted the extra (https://learn.microsoft.com/en-us/graph/api/subscription-post-subscriptions).
 * Locally the timer, the Teams poller and the control route's run after a sign-in can all ask at once.
 *
 * A call made while a run is going waits for it and then runs itself, so it sees what that run stored.
 * Listeners hear every finished run's result: the sign-in route uses them to report what a run that
 * overlapped the sign-in did for the new account.
 */
export interface SerialRuns<Options, Result> {
  run(options?: Options): Promise<Result>;
  /** Calls `listener` with each run's result from now on; returns the unsubscribe function. */
  onFinished(listener: (result: Result) => void): () => void;
}

export function serialRuns<Options, Result>(run: (options?: Options) => Promise<Result>): SerialRuns<Options, Result> {
  let tail: Promise<unknown> = Promise.resolve();
  const listeners = new Set<(result: Result) => void>();
  return {
    run(options) {
      const next = tail.then(
        () => run(options),
        () => run(options),
      );
      tail = next.catch(() => undefined);
      return next.then((result) => {
        for (const listener of listeners) listener(result);
        return result;
      });
    },
    onFinished(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
