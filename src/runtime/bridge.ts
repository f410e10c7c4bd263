/**
 * Wires the transport-neutral core from concrete parts. Used by the three composition roots
 * (server.ts, lambda.ts, cli.ts), which choose the parts: store, queue, budget, Genesys endpoint.
 */
import type { BridgeConfig, ZoomConfig } from '../config';
import type { GenesysClient } from '../genesys';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics/metrics';
import type { PresenceMapping } from '../presence';
import type { KeyQueue } from '../queue/key-queue';
import { createZoomWebhookSource } from '../sources/zoom/webhook';
import { createRingCentralWebhookSource } from '../sources/ringcentral/webhook';
import { createRingCentralEmailDirectory } from '../sources/ringcentral/directory';
import { createGenesysCoverage } from '../sources/teams/coverage';
import { createTeamsRuntime, type TeamsRuntime, type TeamsRuntimeOptions } from '../sources/teams/runtime';
import type { StateStore } from '../store/state-store';
import type { SystemName } from '../systems';
import { createBatchingEmailLookup, type UpcomingEmails } from '../users/email-lookup';
import type { UserMappingOverrides } from '../users/user-mapping-file';
import type { UserMappingSource } from '../users/user-mapping-source';
import { createUserResolver, type EmailDirectory } from '../users/user-resolver';
import type { WebhookCoreDeps } from '../webhooks/handle-webhook';
import { recordEvents } from '../webhooks/record-events';
import type { WebhookSource } from '../webhooks/types';
import type { TaskRunner, WorkerDeps } from '../webhooks/worker';
import { createGenesysPort } from './genesys-port';

export interface BridgeParts {
  readonly config: BridgeConfig;
  readonly logger: Logger;
  readonly store: StateStore;
  readonly queue: KeyQueue;
  readonly genesys: GenesysClient;
  readonly mapping: PresenceMapping;
  readonly overrides: UserMappingOverrides;
  /** USER_MAPPING_FILE as a live value (reloaded when the file changes); `overrides` is its value at start. */
  readonly userMapping?: UserMappingSource;
  readonly now: () => number;
  /** Zoom settings in effect (in sandbox mode the development secret is filled in). */
  readonly zoom: ZoomConfig;
  /** Where counters and timings go (src/metrics/): EMF on AWS, in memory locally; none when absent. */
  readonly metrics?: Metrics;
}

/** Extra per-system pieces that sources contribute (webhooks, directories, task runners). */
export interface SourcePlugins {
  readonly webhooks: readonly WebhookSource[];
  /** Teams subscriptions, polling, reconciliation and the CLI's login act on this. */
  readonly teams: TeamsRuntime;
  readonly directories: Partial<Record<SystemName, EmailDirectory>>;
  readonly taskRunners: Partial<Record<SystemName, TaskRunner>>;
}

/** The Teams runtime over the bridge's store and pipeline. Parts needing credentials are made on first use. */
export function buildTeamsRuntime(parts: BridgeParts, options: Pick<TeamsRuntimeOptions, 'msalNetworkClient' | 'keySource'> = {}): TeamsRuntime {
  const record = buildEventRecorder(parts);
  return createTeamsRuntime({
    config: parts.config.teams,
    settings: parts.config.teams.settings,
    store: parts.store,
    recordEvents: async (events) => void (await record(events)),
    // Reconciliation then records only users whose Teams presence changed since the last event.
    loadRecordedValues: async () =>
      new Map((await parts.store.list({ system: 'teams' })).map((r) => [r.key.externalUserId, r.desired.values])),
    // Only Entra users with a Genesys user are subscribed and read: one paged Genesys listing per directory refresh.
    resolveCoverage: createGenesysCoverage({
      listGenesysUsers: () => parts.genesys.users.listAll(),
      overrides: () => parts.overrides,
      logger: parts.logger,
    }),
    metrics: parts.metrics,
    logger: parts.logger,
    now: parts.now,
    ...options,
  });
}

export function buildSourcePlugins(parts: BridgeParts, teamsOptions: Parameters<typeof buildTeamsRuntime>[1] = {}): SourcePlugins {
  const teams = buildTeamsRuntime(parts, teamsOptions);
  return {
    teams,
    webhooks: [
      createZoomWebhookSource(parts.zoom, parts.now, parts.logger),
      ...teams.createWebhookSources(),
      // Duplicates need no uuid claim: a redelivery has the same (timestamp, sequence) and is recorded as a
      // duplicate, which causes no Genesys write; claiming before recording could lose a retried event.
      createRingCentralWebhookSource(parts.config.ringcentral, { now: parts.now }),
    ],
    directories: { ringcentral: createRingCentralEmailDirectory(parts.store), teams: teams.emailDirectory },
    taskRunners: { teams: teams.taskRunner },
  };
}

export function buildWebhookDeps(parts: BridgeParts, plugins: SourcePlugins): WebhookCoreDeps {
  return {
    sources: plugins.webhooks,
    store: parts.store,
    queue: parts.queue,
    mapping: parts.mapping,
    now: parts.now,
    logger: parts.logger.child({ component: 'webhook' }),
    metrics: parts.metrics,
  };
}

export function buildWorkerDeps(
  parts: BridgeParts,
  plugins: SourcePlugins,
  options: { retryMs?: number; upcomingEmails?: UpcomingEmails } = {},
): WorkerDeps {
  const users = parts.genesys.users;
  const lookAhead = options.upcomingEmails && { upcoming: options.upcomingEmails, isCached: (email: string) => users.isCached(email) };
  const lookup = createBatchingEmailLookup((emails) => users.findByEmails(emails), undefined, undefined, lookAhead);
  return {
    store: parts.store,
    genesys: createGenesysPort(parts.genesys, parts.config.genesys.sourceNames, options.retryMs),
    resolveUser: createUserResolver({
      overrides: parts.userMapping ? () => parts.userMapping!.current() : parts.overrides,
      lookup,
      directories: plugins.directories,
    }),
    taskRunners: plugins.taskRunners,
    logger: parts.logger.child({ component: 'worker' }),
    now: parts.now,
    metrics: parts.metrics,
  };
}

/** Records events from a non-webhook path (backfill, polling, reconciliation). */
export function buildEventRecorder(parts: BridgeParts) {
  return (events: Parameters<typeof recordEvents>[0]) =>
    recordEvents(events, { store: parts.store, queue: parts.queue, mapping: parts.mapping, now: parts.now, logger: parts.logger, metrics: parts.metrics });
}
