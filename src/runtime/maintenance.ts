/**
 * The periodic work of the maintainer (docs/architecture.md): ensure sources, refresh definitions, re-enqueue
 * what is unfinished (pending after a crash, parked keys now due). Run by a timer locally and by the
 * scheduled maintainer Lambda on AWS. Per-system work (subscriptions, reconciliation) is added by the
 * sources.
 */
import { describeError } from '../errors';
import { applyMessage } from '../queue/key-queue';
import { QUEUED_GRACE_MS } from '../webhooks/apply-claim';
import type { BridgeParts } from './bridge';
import { feedMetricsStep } from './feed-metrics';

export interface MaintenanceStep {
  readonly name: string;
  run(): Promise<string | void>;
}

export interface MaintenanceReport {
  readonly requeued: number;
  readonly steps: ReadonlyArray<{ name: string; ok: boolean; detail?: string }>;
}

/** How many queued marks are written at once after a requeue. */
const MARK_CONCURRENCY = 25;

/**
 * Re-enqueues every unfinished key that is not known to be queued already; returns how many. Each
 * requeued key is marked queued (`StateStore.markQueued`), and the worker renews the mark while it keeps
 * retrying the message, so during an outage every run does not add one more message per key. A key
 * whose message is gone (done, or moved to the dead-letter queue) is listed again once its mark passes.
 */
export async function requeueUnfinished(parts: Pick<BridgeParts, 'store' | 'queue' | 'now'>): Promise<number> {
  const keys = await parts.store.listUnfinished(new Date(parts.now()));
  if (keys.length === 0) return 0;
  await parts.queue.enqueue(keys.map(applyMessage));
  const until = parts.now() + QUEUED_GRACE_MS;
  for (let i = 0; i < keys.length; i += MARK_CONCURRENCY) {
    // A failed mark costs at most one duplicate message on the next run; the requeue itself succeeded.
    await Promise.all(keys.slice(i, i + MARK_CONCURRENCY).map((key) => parts.store.markQueued(key, until).catch(() => undefined)));
  }
  return keys.length;
}

/** Runs each step; one failing step does not stop the others (each is logged with what to check). */
export async function runMaintenance(parts: BridgeParts, extraSteps: readonly MaintenanceStep[] = []): Promise<MaintenanceReport> {
  const log = parts.logger.child({ component: 'maintainer' });
  const steps: MaintenanceStep[] = [
    { name: 'ensure-sources', run: async () => void (await parts.genesys.sources.ensureSources(parts.config.genesys.sourceNames)) },
    { name: 'refresh-definitions', run: async () => `${(await parts.genesys.definitions.list(true)).length} definitions` },
    ...extraSteps,
    ...feedMetricsStep(parts),
  ];
  const results: Array<{ name: string; ok: boolean; detail?: string }> = [];
  for (const step of steps) {
    try {
      const detail = await step.run();
      results.push({ name: step.name, ok: true, detail: detail ?? undefined });
    } catch (error) {
      log.error('maintenance step failed', { step: step.name, error: describeError(error) });
      results.push({ name: step.name, ok: false, detail: describeError(error) });
    }
  }
  const requeued = await requeueUnfinished(parts);
  log.info('maintenance done', { requeued, steps: results });
  return { requeued, steps: results };
}
