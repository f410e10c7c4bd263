/**
 * The local runtime's background work over an assembled bridge: the in-process worker (after finishing
 * what a previous run left pending), the maintenance timer, and the vendors' own-interval pollers (Teams
 * polling mode). On AWS the same work is the worker and maintainer Lambda functions.
 */
import { describeError } from '../errors';
import { startTeamsPolling } from '../sources/teams/polling';
import { processMessage } from '../webhooks/worker';
import type { AssembledBridge } from './assemble-bridge';
import type { LocalPlatform } from './local-platform';
import { requeueUnfinished, runMaintenance } from './maintenance';

export interface LocalWork {
  /** Runs the periodic maintenance now (tests and the timer). */
  maintain(): Promise<void>;
  /** Stops the timer and the pollers (the queue stops with the platform). */
  stop(): Promise<void>;
}

/** How often the local bridge runs its maintenance (sources, definitions, subscriptions, directories). */
const MAINTENANCE_INTERVAL_MS = 60_000;

export async function startLocalWork(bridge: AssembledBridge, local: LocalPlatform): Promise<LocalWork> {
  const { parts } = bridge;
  const { queue, durableTasks } = local;
  const logger = parts.logger;
  // Finish what a previous run left pending before taking new work.
  queue.start(durableTasks.wrap((message) => processMessage(message, bridge.worker)));
  const requeued = await requeueUnfinished(parts);
  const tasks = await durableTasks.pending();
  if (tasks.length > 0) await queue.enqueue(tasks);
  if (requeued + tasks.length > 0) {
    logger.info('resuming unfinished work from the previous run', { keys: requeued, tasks: tasks.length });
  }

  const maintain = async (): Promise<void> => void (await runMaintenance(parts, bridge.maintenanceSteps));
  const pollers = bridge.pollers.map((poller) => startTeamsPolling({ intervalMs: poller.intervalMs, run: () => poller.run(), logger }));
  maintain().catch((error) => logger.error('startup maintenance failed', { error: describeError(error) }));
  const timer = setInterval(() => void maintain().catch(() => undefined), MAINTENANCE_INTERVAL_MS);
  timer.unref();
  return {
    maintain,
    async stop() {
      clearInterval(timer);
      for (const poller of pollers) await poller.stop();
    },
  };
}
