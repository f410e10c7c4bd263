/**
 * The shape every vendor folder exports (one module object, e.g. `zoomModule` in zoom/zoom-module.ts) and
 * the list the assembly builds from (src/sources/index.ts). Adding a vendor is its folder plus one entry in
 * that list and one in webhook-modules.ts (test/runtime/vendor-modules.test.ts checks the two agree).
 */
import type { Command } from 'commander';
import type { BridgeConfig } from '../config';
import type { PresenceEvent } from '../presence';
import type { AssembledBridge } from '../runtime/assemble-bridge';
import type { LocalRuntimeInfo } from '../runtime/local-runtime';
import type { MaintenanceStep } from '../runtime/maintenance';
import type { BridgeParts } from '../runtime/bridge';
import type { WebhookPlatform } from '../runtime/platform';
import type { SystemName } from '../systems';
import type { EmailDirectory } from '../users/user-resolver';
import type { WebhookSource } from '../webhooks/types';
import type { TaskRunner } from '../webhooks/worker';

/** Records events from a non-webhook path (backfill, polling, reconciliation): the one recorder of a bridge. */
export type RecordEvents = (events: readonly PresenceEvent[]) => Promise<unknown>;

/** What a vendor's `create` gets: the assembled parts (config, platform, mapping) and the bridge's recorder. */
export interface VendorContext extends BridgeParts {
  readonly record: RecordEvents;
}

/** A vendor's webhook routes alone. Kept light (no REST, MSAL or Graph client): the AWS webhook function imports only these. */
export interface VendorWebhooks {
  readonly system: SystemName;
  createWebhookSources(config: BridgeConfig, platform: WebhookPlatform): WebhookSource[];
}

export interface VendorParts {
  /** Its routes; an unconfigured vendor still answers (e.g. 503 with what to set). */
  readonly webhooks: readonly WebhookSource[];
  /** external id → email for the worker's user resolver (when the event carries no email). */
  readonly directory?: EmailDirectory;
  readonly taskRunner?: TaskRunner;
  /** Its share of the periodic maintenance (subscriptions, directories, reconciliation). */
  readonly maintenanceSteps: readonly MaintenanceStep[];
  /**
   * Work on its own interval instead of the maintenance run, where the process keeps running
   * (Platform.ownTimers): Teams polling mode polls every TEAMS_POLL_INTERVAL_SECONDS.
   */
  readonly poll?: { readonly intervalMs: number; run(): Promise<unknown> };
}

/** What a vendor's CLI commands act on: the bridge, assembled when a command first needs it. */
export interface VendorCli {
  readonly config: BridgeConfig;
  /** The running local bridge (npm start), if any. */
  readonly localRuntime?: LocalRuntimeInfo;
  open(): Promise<AssembledBridge>;
}

export interface VendorModule<P extends VendorParts = VendorParts> {
  readonly system: SystemName;
  readonly webhooks: VendorWebhooks;
  /**
   * Builds the vendor's parts. Validates its configuration eagerly: a ConfigError naming the variable
   * to set is thrown here, at startup, never on first use.
   */
  create(config: BridgeConfig, context: VendorContext): P;
  /** Registers its `presence-bridge <vendor> …` subcommands. */
  registerCommands?(program: Command, cli: VendorCli): void;
}
