/**
 * The periodic work (DESIGN.md "maintainer"): ensure sources, refresh definitions, re-enqueue what is
 * unfinished (pending after a crash, parked keys now due). Run by a timer locally and by the scheduled
 * maintainer Lambda on AWS. Per-system work (subscriptions, reconciliation) is added by the sources.
 */
import { describeError } from '../errors';
import { applyMessage } from '../queue/key-queue';
import type { BridgeParts } from './bridge';

export interface MaintenanceStep {
  readonly name: string;
  run(): Promise<string | void>;
}

export interface MaintenanceReport {
  readonly requeued: number;
  readonly steps: ReadonlyArray<{ name: string; ok: boolean; detail?: string }>;
}

/** Re-enqueues every unfinished key; returns how many. */
export async function requeueUnfinished(parts: Pick<BridgeParts, 'store' | 'queue' | 'now'>): Promise<number> {
  const keys = await parts.store.listUnfinished(new Date(parts.now()));
  if (keys.length > 0) await parts.queue.enqueue(keys.map(applyMessage));
  return keys.length;
}

/** Runs each step; one failing step does not stop the others (each is logged with what to check). */
export async function runMaintenance(parts: BridgeParts, extraSteps: readonly MaintenanceStep[] = []): Promise<MaintenanceReport> {
  const log = parts.logger.child({ component: 'maintainer' });
  const steps: MaintenanceStep[] = [
    { name: 'ensure-sources', run: async () => void (await parts.genesys.sources.ensureSources(parts.config.genesys.sourceNames)) },
    { name: 'refresh-definitions', run: async () => `${(await parts.genesys.definitions.list(true)).length} definitions` },
    ...extraSteps,
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
