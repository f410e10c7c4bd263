/**
 * Polling mode's loop for long-running processes (`npm start`): run, wait TEAMS_POLL_INTERVAL_SECONDS
 * after the run finished, run again — runs never overlap, so a slow Graph cannot pile them up.
 * On AWS the same run is triggered by the maintainer schedule instead.
 */
import { describeError } from '../../errors';
import { silentLogger, type Logger } from '../../logger';

export interface PollingLoop {
  /** Stops the loop; resolves when a run in progress has finished. */
  stop(): Promise<void>;
}

export function startTeamsPolling(options: { readonly intervalMs: number; readonly run: () => Promise<unknown>; readonly logger?: Logger }): PollingLoop {
  const log = options.logger ?? silentLogger;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;

  const tick = (): void => {
    timer = undefined;
    current = options
      .run()
      .then(
        () => undefined,
        (error: unknown) => log.error('Teams polling run failed', { error: describeError(error) }),
      )
      .finally(() => {
        current = undefined;
        if (!stopped) {
          timer = setTimeout(tick, options.intervalMs);
          timer.unref();
        }
      });
  };
  tick();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
