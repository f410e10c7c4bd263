/**
 * What a runtime supplies to the assembly (src/runtime/assemble-bridge.ts): where state lives, where keys
 * are queued, the Genesys client (with the runtime's request budget inside it), the clock, the logger, the
 * metrics sink, and a few runtime-specific knobs. Each composition root (server.ts, src/lambda/*, cli.ts)
 * only chooses a Platform; every other decision is made once, in the assembly and the vendor modules.
 */
import type { INetworkModule } from '@azure/msal-node';
import type { GenesysClient } from '../genesys/client';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics/metrics';
import type { KeyQueue } from '../queue/key-queue';
import type { StateStore } from '../store/state-store';
import type { UpcomingEmails } from '../users/email-lookup';

/** What the webhook path needs; the AWS webhook function supplies only this (no Genesys client in its bundle). */
export interface WebhookPlatform {
  readonly store: StateStore;
  readonly queue: KeyQueue;
  readonly now: () => number;
  readonly logger: Logger;
  /** Where counters and timings go (src/metrics/): EMF on AWS, in memory locally; none when absent. */
  readonly metrics?: Metrics;
  /** MSAL's network module (a test or sandbox CA); default: Node's CAs with timeouts (src/sources/teams/msal-setup.ts). */
  readonly msalNetworkClient?: INetworkModule;
}

export interface Platform extends WebhookPlatform {
  /** Budgeted by the runtime: a local budget in one process, the DynamoDB-shared one on AWS. */
  readonly genesys: GenesysClient;
  /** The local queue's look-ahead: a user search for one key also resolves the keys queued behind it. */
  readonly upcomingEmails?: UpcomingEmails;
  /** How long the worker waits after a retryable Genesys failure without Retry-After (default 30 s). */
  readonly workerRetryMs?: number;
  /** How long a worker's claim on a key lasts (AWS: until the invocation's end, src/runtime/invocation-deadline.ts). */
  readonly claimLeaseMs?: () => number | undefined;
  /**
   * True where the process keeps running (npm start): a vendor with its own poll interval (Teams polling
   * mode) polls on its own timer instead of riding the maintenance run.
   */
  readonly ownTimers?: boolean;
}
