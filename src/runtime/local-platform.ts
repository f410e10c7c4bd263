/**
 * The local runtime's Platform (`npm start`): the embedded store in BRIDGE_DATA_DIR, an in-process queue
 * with durable tasks, a local request budget, in-memory metrics — and, for each vendor whose real
 * credentials are absent, a local sandbox. Returns the *resolved* configuration (the sandbox's endpoint and
 * the development Zoom secret filled in), so nothing downstream decides "sandbox or real" again.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BridgeConfig } from '../config';
import { describeError } from '../errors';
import { createGenesysClient, createLocalBudget } from '../genesys';
import type { RetrySettings } from '../genesys/transport';
import type { Logger } from '../logger';
import { createMemoryMetrics, type MemoryMetrics } from '../metrics/memory-metrics';
import { createDurableTasks } from '../queue/durable-tasks';
import { MemoryKeyQueue } from '../queue/memory';
import { startGenesysSandbox, type GenesysSandbox } from '../sandbox';
import { openEmbeddedStore } from '../store/embedded';
import { createUpcomingEmails } from '../users/upcoming-emails';
import type { MicrosoftSandbox } from '../sandbox/microsoft/microsoft-types';
import { useMicrosoftSandbox } from '../sandbox/microsoft/use-microsoft-sandbox';
import type { RingCentralSandbox } from '../sandbox/ringcentral/ringcentral-sandbox';
import { useRingCentralSandbox } from '../sandbox/ringcentral/use-ringcentral-sandbox';
import { readZoomDevSecret } from './dev-secrets';
import type { LocalRuntimeInfo } from './local-runtime';
import type { Platform } from './platform';
import { resolveGenesysEndpoint, resolveSandboxGenesys, type ResolvedBridgeConfig } from './resolved-config';

/**
 * What a local sandbox contributes (the hook for more sandboxes): overrides of the resolved configuration
 * (its URLs and clients in place of the vendor's real ones), extra platform knobs (e.g. an MSAL network
 * client trusting its CA), and a close() run when the bridge stops. The Genesys sandbox is the first; a
 * Microsoft or RingCentral sandbox, started when that vendor's real credentials are absent, is one more
 * `await start…()` pushed onto `sandboxes` in openLocalPlatform.
 */
export interface LocalSandbox {
  readonly name: string;
  resolve(config: BridgeConfig): BridgeConfig;
  readonly knobs?: Pick<Platform, 'msalNetworkClient'>;
  /** What the CLI needs to reach it, written to the local runtime file (local-runtime.ts). */
  readonly runtimeInfo?: Partial<LocalRuntimeInfo>;
  close(): Promise<void>;
}

export interface LocalPlatformOptions {
  readonly logger: Logger;
  /** Genesys sandbox options (tests: a small rate limit, their own users). */
  readonly sandboxOptions?: Parameters<typeof startGenesysSandbox>[0];
  /** Genesys client retry settings (tests shorten them). */
  readonly genesysRetry?: RetrySettings;
  /** How long the worker waits before retrying a key after a retryable Genesys failure; default 30 s. */
  readonly workerRetryMs?: number;
  /** Burst-collapsing window of the in-process queue; default 250 ms. */
  readonly settleMs?: number;
  /** MSAL's network module (tests: one trusting a Microsoft stand-in's certificate). */
  readonly msalNetworkClient?: Platform['msalNetworkClient'];
  /** The bridge's own URL (it listens before the platform opens): where the sandboxes deliver. */
  readonly bridgeUrl: string;
  /** false: never start the Microsoft sandbox (tests of one source). Default: started without Teams credentials. */
  readonly microsoftSandbox?: boolean;
  /** false: never start the RingCentral sandbox (tests that bring their own). Default: started without RingCentral credentials. */
  readonly ringcentralSandbox?: boolean;
}

export interface LocalPlatform {
  readonly config: ResolvedBridgeConfig;
  readonly platform: Platform;
  /** The in-process queue itself (the platform's queue wraps it with durable tasks). */
  readonly queue: MemoryKeyQueue;
  readonly durableTasks: ReturnType<typeof createDurableTasks>;
  readonly metrics: MemoryMetrics;
  readonly genesysSandbox?: GenesysSandbox;
  readonly microsoftSandbox?: MicrosoftSandbox;
  readonly ringcentralSandbox?: RingCentralSandbox;
  /** The sandboxes in use, for the runtime file and tests. */
  readonly sandboxes: readonly LocalSandbox[];
  /** Stops the queue, closes the Genesys client, the sandboxes and the store. */
  close(): Promise<void>;
}

/** The built-in Genesys Cloud sandbox as a LocalSandbox; it also fills in the development Zoom secret. */
function genesysSandboxContribution(sandbox: GenesysSandbox, dataDir: string): LocalSandbox {
  return {
    name: 'genesys',
    resolve: (config) => {
      const resolved = resolveSandboxGenesys(config, sandbox);
      if (config.zoom.webhookSecretTokens.length > 0) return resolved;
      // The development secret `presence-bridge simulate` signs with (dev-secrets.ts).
      return { ...resolved, zoom: { ...config.zoom, webhookSecretTokens: [readZoomDevSecret(dataDir, true)!] } };
    },
    runtimeInfo: { sandbox: { url: sandbox.url, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret } },
    close: () => sandbox.close(),
  };
}

interface VendorSandboxes {
  readonly started: LocalSandbox[];
  readonly microsoft?: MicrosoftSandbox;
  readonly ringcentral?: RingCentralSandbox;
}

/**
 * The Microsoft and RingCentral sandboxes, each only when that vendor's real credentials are absent (and
 * Genesys is the sandbox too: demo users exist only there). Each logs that it is in use.
 */
async function startVendorSandboxes(config: BridgeConfig, options: LocalPlatformOptions): Promise<VendorSandboxes> {
  const started: LocalSandbox[] = [];
  try {
    const microsoft = options.microsoftSandbox === false ? undefined : await useMicrosoftSandbox(config, config.dataDir, options.logger);
    if (microsoft) {
      microsoft.setBridgeUrl(options.bridgeUrl);
      started.push({
        name: 'microsoft',
        resolve: (current) => ({ ...current, teams: microsoft.teams }),
        knobs: microsoft.teamsRuntime,
        runtimeInfo: { microsoftSandbox: microsoft.runtimeInfo },
        close: () => microsoft.close(),
      });
    }
    const ringcentral = options.ringcentralSandbox === false ? undefined : await useRingCentralSandbox(config, config.dataDir, options.logger);
    if (ringcentral) {
      started.push({
        name: 'ringcentral',
        resolve: (current) => ringcentral.withPublicUrl({ ...current, ringcentral: ringcentral.config.ringcentral }, options.bridgeUrl),
        runtimeInfo: { ringcentralSandbox: ringcentral.runtimeInfo },
        close: () => ringcentral.close(),
      });
    }
    return { started, microsoft: microsoft?.sandbox, ringcentral: ringcentral?.sandbox };
  } catch (error) {
    for (const sandbox of started.reverse()) await sandbox.close();
    throw error;
  }
}

export async function openLocalPlatform(config: BridgeConfig, options: LocalPlatformOptions): Promise<LocalPlatform> {
  const { logger } = options;
  const now = Date.now;
  // 0700: the data directory holds presence history and (encrypted) tokens; see store/private-files.ts.
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = await openEmbeddedStore(path.join(config.dataDir, 'state'));
  // Counters since start, shown on the status page (on AWS the same numbers go to CloudWatch).
  const metrics = createMemoryMetrics(now);
  const sandboxes: LocalSandbox[] = [];
  const closeSandboxes = async () => {
    for (const sandbox of sandboxes.reverse())
      await sandbox.close().catch((error) => logger.warn('could not stop a sandbox', { sandbox: sandbox.name, error: describeError(error) }));
  };
  let genesysSandbox: GenesysSandbox | undefined;
  let vendorSandboxes: VendorSandboxes | undefined;
  let resolved: ResolvedBridgeConfig;
  let genesys: Platform['genesys'];
  try {
    if (config.genesys.mode === 'sandbox') {
      genesysSandbox = await startGenesysSandbox({
        seedDemoUsers: true,
        stateFile: path.join(config.dataDir, 'genesys-sandbox.json'),
        ...options.sandboxOptions,
      });
      sandboxes.push(genesysSandboxContribution(genesysSandbox, config.dataDir));
      logger.info('no Genesys credentials set: using the built-in Genesys Cloud sandbox', { sandbox: genesysSandbox.url });
      vendorSandboxes = await startVendorSandboxes(config, options);
      sandboxes.push(...vendorSandboxes.started);
    }
    resolved = resolveGenesysEndpoint(
      sandboxes.reduce((current, sandbox) => sandbox.resolve(current), config),
      'set GENESYS_CLIENT_ID, GENESYS_CLIENT_SECRET and GENESYS_REGION, or leave GENESYS_CLIENT_ID unset to use the built-in sandbox',
    );
    genesys = createGenesysClient({
      config: resolved.genesys,
      budget: createLocalBudget(resolved.genesys.requestsPerMinute),
      documents: store,
      logger,
      retry: options.genesysRetry,
      metrics,
    });
  } catch (error) {
    await closeSandboxes();
    await store.close();
    throw error;
  }

  const queue = new MemoryKeyQueue({
    concurrency: 8,
    settleMs: options.settleMs ?? 250,
    onError: (error) => logger.error('worker error; will retry', { error: describeError(error) }),
  });
  const durableTasks = createDurableTasks(queue, store);
  const knobs = Object.assign({}, ...sandboxes.map((sandbox) => sandbox.knobs ?? {})) as Pick<Platform, 'msalNetworkClient'>;
  const platform: Platform = {
    store,
    queue: durableTasks.queue,
    genesys,
    now,
    logger,
    metrics,
    ...knobs,
    ...(options.msalNetworkClient ? { msalNetworkClient: options.msalNetworkClient } : {}),
    // A user search for one key also resolves the keys queued behind it (a cold burst: ~N/50 searches, not ~N).
    upcomingEmails: createUpcomingEmails({ peekKeys: (limit) => queue.peekKeys(limit), store }),
    workerRetryMs: options.workerRetryMs,
    ownTimers: true,
  };
  return {
    config: resolved,
    platform,
    queue,
    durableTasks,
    metrics,
    genesysSandbox,
    microsoftSandbox: vendorSandboxes?.microsoft,
    ringcentralSandbox: vendorSandboxes?.ringcentral,
    sandboxes,
    async close() {
      await queue.stop();
      await genesys.close();
      await closeSandboxes();
      await store.close();
    },
  };
}
