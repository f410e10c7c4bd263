/**
 * One assembly for every runtime: from the configuration, a runtime's Platform and the list of vendor
 * modules (src/sources/index.ts) it builds the webhook path, the worker, the maintenance steps (the vendors'
 * own, then the unmatched retry), the status page and what CLI commands act on. The local server
 * (server.ts), the Lambda functions (src/lambda/*) and the CLI (cli.ts) all start here; they differ only in
 * the Platform they pass (docs/architecture.md, "Layers").
 */
import type { BridgeConfig } from '../config';
import type { MetricsSnapshot } from '../metrics/memory-metrics';
import { loadPresenceMapping } from '../presence';
import { VENDOR_MODULES } from '../sources';
import type { RecordEvents, VendorModule, VendorParts } from '../sources/vendor-module';
import type { StatusAccessPolicy } from '../status/status-access';
import type { StatusPageDeps } from '../status/status-page';
import type { SystemName } from '../systems';
import { createUserMappingSource } from '../users/user-mapping-source';
import type { EmailDirectory } from '../users/user-resolver';
import type { WebhookCoreDeps } from '../webhooks/handle-webhook';
import type { TaskRunner, WorkerDeps } from '../webhooks/worker';
import { buildWebhookDeps } from './assemble-webhooks';
import { buildEventRecorder, buildWorkerDeps, type BridgeParts } from './bridge';
import type { MaintenanceStep } from './maintenance';
import type { Platform } from './platform';
import { buildStatusPageDeps } from './status-page-deps';
import { unmatchedRetryStep } from './unmatched-retry';

export interface Poller {
  readonly system: SystemName;
  readonly intervalMs: number;
  run(): Promise<unknown>;
}

export interface AssembledBridge {
  readonly parts: BridgeParts;
  /** The one recorder of non-webhook events (backfill, polling, reconciliation, CLI). */
  readonly record: RecordEvents;
  readonly webhook: WebhookCoreDeps;
  readonly worker: WorkerDeps;
  /** Run by runMaintenance (maintenance.ts) after ensuring sources and definitions. */
  readonly maintenanceSteps: readonly MaintenanceStep[];
  /** Vendors' own-interval work (only with Platform.ownTimers). */
  readonly pollers: readonly Poller[];
  /** The parts `module` made (typed by the module). */
  vendor<P extends VendorParts>(module: VendorModule<P>): P;
  statusPage(access: StatusAccessPolicy, counters?: () => MetricsSnapshot): StatusPageDeps;
}

export function assembleBridge(config: BridgeConfig, platform: Platform, modules: readonly VendorModule[] = VENDOR_MODULES): AssembledBridge {
  const userMapping = createUserMappingSource(config.userMappingFile, platform.logger);
  const parts: BridgeParts = {
    ...platform,
    config,
    mapping: loadPresenceMapping(config.presenceMappingFile),
    overrides: userMapping.current(),
    userMapping,
  };
  const record = buildEventRecorder(parts);
  const context = { ...parts, record };
  const made = new Map<VendorModule, VendorParts>(modules.map((module) => [module, module.create(config, context)]));

  const directories: Partial<Record<SystemName, EmailDirectory>> = {};
  const taskRunners: Partial<Record<SystemName, TaskRunner>> = {};
  const steps: MaintenanceStep[] = [];
  const pollers: Poller[] = [];
  for (const [module, vendor] of made) {
    if (vendor.directory) directories[module.system] = vendor.directory;
    if (vendor.taskRunner) taskRunners[module.system] = vendor.taskRunner;
    // A vendor polling on its own timer does that work there, not in the maintenance run too.
    if (vendor.poll && platform.ownTimers) pollers.push({ system: module.system, ...vendor.poll, run: vendor.poll.run });
    else steps.push(...vendor.maintenanceSteps);
  }
  return {
    parts,
    record,
    webhook: buildWebhookDeps(
      parts,
      parts.mapping,
      [...made.values()].flatMap((vendor) => vendor.webhooks),
    ),
    worker: buildWorkerDeps(parts, { directories, taskRunners }),
    // The unmatched retry goes last: after the directories were refreshed (docs/genesys.md, "Unmatched users").
    maintenanceSteps: [...steps, unmatchedRetryStep(parts, directories)],
    pollers,
    vendor: <P extends VendorParts>(module: VendorModule<P>) => {
      const vendor = made.get(module as unknown as VendorModule);
      if (!vendor) throw new Error(`the ${module.system} module is not in this bridge's vendor list`);
      return vendor as P;
    },
    statusPage: (access, counters) => buildStatusPageDeps(parts, access, counters),
  };
}
