/**
 * Wires the transport-neutral core from concrete parts. Used by the three composition roots
 * (server.ts, lambda.ts, cli.ts), which choose the parts: store, queue, budget, Genesys endpoint.
 */
import type { BridgeConfig, ZoomConfig } from '../config';
import type { GenesysClient } from '../genesys';
import type { Logger } from '../logger';
import type { PresenceMapping } from '../presence';
import type { KeyQueue } from '../queue/key-queue';
import { createZoomWebhookSource } from '../sources/zoom/webhook';
import { createRingCentralWebhookSource } from '../sources/ringcentral/webhook';
import { createRingCentralEmailDirectory } from '../sources/ringcentral/directory';
import type { StateStore } from '../store/state-store';
import type { SystemName } from '../systems';
import { createBatchingEmailLookup } from '../users/email-lookup';
import type { UserMappingOverrides } from '../users/user-mapping-file';
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
  readonly now: () => number;
  /** Zoom settings in effect (in sandbox mode the development secret is filled in). */
  readonly zoom: ZoomConfig;
}

/** Extra per-system pieces that sources contribute (webhooks, directories, task runners). */
export interface SourcePlugins {
  readonly webhooks: readonly WebhookSource[];
  readonly directories: Partial<Record<SystemName, EmailDirectory>>;
  readonly taskRunners: Partial<Record<SystemName, TaskRunner>>;
}

/** A route whose system is not set up yet answers 503 with the variable to set, so vendors retry later. */
function unconfiguredSource(system: SystemName, path: string, what: string): WebhookSource {
  return { system, path, handle: () => ({ kind: 'rejected', status: 503, reason: `${system} is not configured: ${what}` }) };
}

export function buildSourcePlugins(parts: BridgeParts): SourcePlugins {
  return {
    webhooks: [
      createZoomWebhookSource(parts.zoom, parts.now),
      unconfiguredSource('teams', '/webhooks/teams', 'set TEAMS_CLIENT_ID, TEAMS_TENANT_ID and TEAMS_CLIENT_STATE'),
      unconfiguredSource('teams', '/webhooks/teams/lifecycle', 'set TEAMS_CLIENT_ID, TEAMS_TENANT_ID and TEAMS_CLIENT_STATE'),
      // Duplicates need no uuid claim: a redelivery has the same (timestamp, sequence) and is recorded as a
      // duplicate, which causes no Genesys write; claiming before recording could lose a retried event.
      createRingCentralWebhookSource(parts.config.ringcentral, { now: parts.now }),
    ],
    directories: { ringcentral: createRingCentralEmailDirectory(parts.store) },
    taskRunners: {},
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
  };
}

export function buildWorkerDeps(parts: BridgeParts, plugins: SourcePlugins, options: { retryMs?: number } = {}): WorkerDeps {
  const lookup = createBatchingEmailLookup((emails) => parts.genesys.users.findByEmails(emails));
  return {
    store: parts.store,
    genesys: createGenesysPort(parts.genesys, parts.config.genesys.sourceNames, options.retryMs),
    resolveUser: createUserResolver({ overrides: parts.overrides, lookup, directories: plugins.directories }),
    taskRunners: plugins.taskRunners,
    logger: parts.logger.child({ component: 'worker' }),
    now: parts.now,
  };
}

/** Records events from a non-webhook path (backfill, polling, reconciliation). */
export function buildEventRecorder(parts: BridgeParts) {
  return (events: Parameters<typeof recordEvents>[0]) =>
    recordEvents(events, { store: parts.store, queue: parts.queue, mapping: parts.mapping, now: parts.now });
}
