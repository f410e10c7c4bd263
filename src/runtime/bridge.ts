/**
 * The parts every piece of the bridge is built over: the runtime's Platform (store, queue, Genesys client,
 * clock, logger, metrics) plus what the configuration decides once (presence mapping, user mapping). Built by
 * assembleBridge (assemble-bridge.ts); the worker's and the recorder's dependencies are derived here.
 */
import type { BridgeConfig } from '../config';
import type { PresenceMapping } from '../presence';
import type { SystemName } from '../systems';
import { createBatchingEmailLookup } from '../users/email-lookup';
import type { UserMappingOverrides } from '../users/user-mapping-file';
import type { UserMappingSource } from '../users/user-mapping-source';
import { createUserResolver, type EmailDirectory } from '../users/user-resolver';
import { recordEvents } from '../webhooks/record-events';
import type { TaskRunner, WorkerDeps } from '../webhooks/worker';
import { createGenesysPort } from './genesys-port';
import type { Platform } from './platform';

export interface BridgeParts extends Platform {
  /** The resolved configuration: in sandbox mode the Genesys endpoint and the development Zoom secret are filled in. */
  readonly config: BridgeConfig;
  readonly mapping: PresenceMapping;
  readonly overrides: UserMappingOverrides;
  /** USER_MAPPING_FILE as a live value (reloaded when the file changes); `overrides` is its value at start. */
  readonly userMapping?: UserMappingSource;
}

export function buildWorkerDeps(
  parts: BridgeParts,
  vendors: {
    readonly directories: Partial<Record<SystemName, EmailDirectory>>;
    readonly taskRunners: Partial<Record<SystemName, TaskRunner>>;
  },
): WorkerDeps {
  const users = parts.genesys.users;
  const lookAhead = parts.upcomingEmails && { upcoming: parts.upcomingEmails, isCached: (email: string) => users.isCached(email) };
  const lookup = createBatchingEmailLookup((emails) => users.findByEmails(emails), undefined, undefined, lookAhead);
  return {
    store: parts.store,
    genesys: createGenesysPort(parts.genesys, parts.config.genesys.sourceNames, parts.workerRetryMs),
    resolveUser: createUserResolver({
      overrides: parts.userMapping ? () => parts.userMapping!.current() : parts.overrides,
      lookup,
      directories: vendors.directories,
    }),
    taskRunners: vendors.taskRunners,
    logger: parts.logger.child({ component: 'worker' }),
    now: parts.now,
    metrics: parts.metrics,
    ...(parts.claimLeaseMs ? { claimLeaseMs: parts.claimLeaseMs } : {}),
  };
}

/** Records events from a non-webhook path (backfill, polling, reconciliation). */
export function buildEventRecorder(parts: BridgeParts) {
  return (events: Parameters<typeof recordEvents>[0]) =>
    recordEvents(events, { store: parts.store, queue: parts.queue, mapping: parts.mapping, now: parts.now, logger: parts.logger, metrics: parts.metrics });
}
