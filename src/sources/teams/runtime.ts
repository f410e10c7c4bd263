/**
 * Wires the Teams parts together for the Teams module (teams-module.ts): one call gives the webhook
 * sources, the task runner, the maintainer and what the CLI needs. Every part is made when the runtime
 * is; one the configuration does not provide throws its ConfigError when used, so the webhook sources
 * work with only TEAMS_CLIENT_STATE (and TEAMS_CLIENT_ID for rich notifications) configured.
 */
import type { INetworkModule } from '@azure/msal-node';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { TeamsConnection } from '../../config';
import { ConfigError, describeError } from '../../errors';
import { silentLogger, type Logger } from '../../logger';
import type { Metrics } from '../../metrics/metrics';
import type { PresenceEvent } from '../../presence';
import type { DocumentStore, StateKey } from '../../store/state-store';
import type { WebhookSource } from '../../webhooks/types';
import { createTeamsEmailDirectory, loadDirectoryCoverage, type DirectoryCoverage, type ResolveCoverage } from './directory';
import { createAppTokenProvider, createGraphClient, type GraphRetrySettings } from './graph-client';
import { createMsalNetworkClient } from './msal-setup';
import { runTeamsMaintenance, type MaintenanceProgress, type TeamsMaintenanceReport } from './maintainer';
import { createPresenceReader, type PresenceReader } from './presence-reader';
import { createServiceAccounts, type DeviceCodePrompt, type ServiceAccountRecord, type ServiceAccounts } from './service-accounts';
import { readTeamsSubscriptionStatus, type SubscriptionStatus } from './subscription-status';
import { createSubscriptionManager, type SubscriptionManager } from './subscriptions';
import { createLifecycleThrottle } from './lifecycle-throttle';
import { serialRuns } from './serial-runs';
import { createTeamsTaskRunner, type TeamsTaskRunner } from './task-runner';
import type { TeamsSettings } from './teams-settings';
import { createTokenVault } from './token-vault';
import type { SigningKeySource } from './validation-tokens';
import {
  createTeamsSigningKeys,
  createTeamsTenantId,
  createTeamsWebhookSources,
  DEFAULT_ENCRYPTION_CERTIFICATE_ID,
  warmTeamsTenantId,
} from './webhook-sources';

export { DEFAULT_ENCRYPTION_CERTIFICATE_ID } from './webhook-sources';

export interface TeamsRuntimeOptions {
  readonly config: TeamsConnection;
  readonly settings: TeamsSettings;
  readonly store: DocumentStore;
  /** Records events as desired state and enqueues them (src/webhooks/record-events.ts). */
  readonly recordEvents: (events: PresenceEvent[]) => Promise<void>;
  /**
   * Which enabled Entra users are covered: those that resolve to a Genesys user (coverage.ts). The
   * composition roots always give it; without it (tests of the Teams parts alone) every enabled user is.
   */
  readonly resolveCoverage?: ResolveCoverage;
  readonly loadRecordedValues?: () => Promise<ReadonlyMap<string, Readonly<Record<string, string>>>>;
  /** MSAL's network module (e.g. one trusting a test CA); default: createMsalNetworkClient() (Node's CAs, timeouts). */
  readonly msalNetworkClient?: INetworkModule;
  /** Overrides the JWKS key source (tests). */
  readonly keySource?: SigningKeySource;
  readonly graphRetry?: GraphRetrySettings;
  /** Where the task runner counts rich items dropped for a bad dataSignature. */
  readonly metrics?: Metrics;
  readonly logger?: Logger;
  readonly now?: () => number;
}

export type { SubscriptionStatus } from './subscription-status';

export interface TeamsMaintenanceOptions {
  readonly forceDirectoryRefresh?: boolean;
  readonly onProgress?: (progress: MaintenanceProgress) => void;
}

export interface TeamsRuntime {
  readonly settings: TeamsSettings;
  /** `/webhooks/teams` and `/webhooks/teams/lifecycle`. */
  createWebhookSources(): WebhookSource[];
  readonly taskRunner: TeamsTaskRunner;
  /** One run at a time in this process (serial-runs.ts): a call made during a run waits, then runs. */
  runMaintenance(options?: TeamsMaintenanceOptions): Promise<TeamsMaintenanceReport>;
  /** Hears each finished maintenance run's report from now on; returns the unsubscribe function. */
  onMaintenanceFinished(listener: (report: TeamsMaintenanceReport) => void): () => void;
  login(account: string, onPrompt: (prompt: DeviceCodePrompt) => void, options?: { timeoutSeconds?: number }): Promise<ServiceAccountRecord>;
  logout(account: string): Promise<void>;
  listSubscriptions(): Promise<SubscriptionStatus[]>;
  /** How many directory users the last directory refresh covered, and why the others are not (undefined before one). */
  loadCoverage(): Promise<{ refreshedAt: string; coverage?: DirectoryCoverage } | undefined>;
  /** objectId → email for the worker's user resolver. */
  readonly emailDirectory: (key: StateKey) => Promise<string | undefined>;
}

/**
 * Makes a part now, when the runtime is created. A part this configuration does not provide (e.g. service
 * accounts without TEAMS_TOKEN_ENCRYPTION_KEY in polling mode) becomes a getter that throws the ConfigError
 * naming what to set; the bridge itself checks everything its mode needs at startup (teams-module.ts).
 */
function makeNow<T>(create: () => T): () => T {
  try {
    const value = create();
    return () => value;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return () => {
      throw error;
    };
  }
}

export function createTeamsRuntime(options: TeamsRuntimeOptions): TeamsRuntime {
  const { config, settings, store } = options;
  const logger = (options.logger ?? silentLogger).child({ system: 'teams' });
  const now = options.now ?? Date.now;
  // Our network module everywhere: it puts a timeout on every login call (MSAL's own has none on POST).
  const msalNetworkClient = options.msalNetworkClient ?? createMsalNetworkClient();

  const appGraph = makeNow<Client>(() =>
    createGraphClient({
      baseUrl: config.graphApiBaseUrl,
      retry: options.graphRetry,
      getAccessToken: createAppTokenProvider({
        tenantId: config.tenantId,
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        loginBaseUrl: config.microsoftLoginBaseUrl,
        networkClient: msalNetworkClient,
      }),
    }),
  );
  const reader = makeNow<PresenceReader>(() => createPresenceReader({ graph: appGraph(), requestsPer30Seconds: settings.presenceRequestsPer30Seconds, now }));
  const readPresences: PresenceReader = (ids, progress) => reader()(ids, progress);

  const serviceAccounts = makeNow<ServiceAccounts>(() => {
    if (!config.tenantId || !config.clientId) throw new ConfigError('TEAMS_TENANT_ID and TEAMS_CLIENT_ID must be set for Teams service accounts');
    // Checked before any sign-in: otherwise the operator would finish the device code for nothing.
    if (settings.tokenEncryptionKeys.length === 0) {
      throw new ConfigError('TEAMS_TOKEN_ENCRYPTION_KEY must be set: service-account refresh tokens are stored encrypted with it');
    }
    return createServiceAccounts({
      store,
      vault: createTokenVault({ store, secrets: settings.tokenEncryptionKeys, now }),
      clientId: config.clientId,
      tenantId: config.tenantId,
      loginBaseUrl: config.microsoftLoginBaseUrl,
      networkClient: msalNetworkClient,
      now,
    });
  });

  const encryption =
    config.encryptionCertificate && config.encryptionPrivateKey
      ? { certificatePem: config.encryptionCertificate, certificateId: config.encryptionCertificateId ?? DEFAULT_ENCRYPTION_CERTIFICATE_ID }
      : undefined;

  const delegatedGraphs = new Map<string, Client>();
  const subscriptions = makeNow<SubscriptionManager>(() => {
    if (!config.notificationUrl) throw new ConfigError('BRIDGE_PUBLIC_URL must be set to create Teams presence subscriptions');
    if (config.clientStates.length === 0) throw new ConfigError('TEAMS_CLIENT_STATE must be set to create Teams presence subscriptions');
    return createSubscriptionManager({
      store,
      graphFor: (account) => {
        let graph = delegatedGraphs.get(account);
        if (!graph) {
          graph = createGraphClient({ baseUrl: config.graphApiBaseUrl, retry: options.graphRetry, getAccessToken: serviceAccounts().tokenProvider(account) });
          delegatedGraphs.set(account, graph);
        }
        return graph;
      },
      graphBaseUrl: config.graphApiBaseUrl,
      notificationBaseUrl: config.notificationUrl,
      clientState: config.clientStates[0],
      encryption,
      lifetimeMinutes: settings.subscriptionLifetimeMinutes,
      renewBeforeMinutes: settings.renewBeforeMinutes,
      now,
      logger,
    });
  });

  const emailDirectory = createTeamsEmailDirectory(store, { now });

  // Validation tokens must carry this tenant's id; a domain in TEAMS_TENANT_ID is resolved once
  // (tenant-id.ts), warmed when the webhook sources are made and on every maintenance run, so the
  // webhook path normally finds it cached.
  const tenantId = createTeamsTenantId(config, settings, msalNetworkClient);
  // Kept in the store: the maintainer warms them, so a cold webhook does not fetch them (signing-keys.ts).
  const signingKeys = createTeamsSigningKeys(config, settings, { store, network: msalNetworkClient, now, logger });
  const keySource = options.keySource ?? signingKeys.keySource;

  const taskRunner = createTeamsTaskRunner({
    readPresences,
    recordEvents: options.recordEvents,
    get subscriptions() {
      return settings.mode === 'subscription' ? subscriptions() : undefined;
    },
    emailOf: (objectId) => emailDirectory({ system: 'teams', externalUserId: objectId }),
    lifecycleThrottle: createLifecycleThrottle(store, now),
    // Rich notifications are decrypted here, not on the webhook's acknowledgement path (docs/teams.md).
    decryptionKeys:
      config.encryptionCertificate && config.encryptionPrivateKey
        ? [{ certificateId: config.encryptionCertificateId ?? DEFAULT_ENCRYPTION_CERTIFICATE_ID, privateKeyPem: config.encryptionPrivateKey }]
        : [],
    metrics: options.metrics,
    now,
    logger,
  });

  const maintenance = serialRuns<TeamsMaintenanceOptions, TeamsMaintenanceReport>(async (runOptions = {}) => {
    const subscriptionMode = settings.mode === 'subscription';
    if (subscriptionMode) warmTeamsTenantId(tenantId, logger);
    // Rich notifications carry validation tokens: keep the keys that check them warm in the store.
    if (subscriptionMode && config.encryptionCertificate && !options.keySource) {
      await signingKeys
        .warm()
        .catch((error: unknown) =>
          logger.warn('could not refresh Microsoft signing keys; the webhook fetches them when needed', { error: describeError(error) }),
        );
    }
    return runTeamsMaintenance({
      mode: settings.mode,
      store,
      appGraph: appGraph(),
      graphBaseUrl: config.graphApiBaseUrl,
      readPresences,
      recordEvents: options.recordEvents,
      directoryMaxAgeMs: settings.directoryRefreshMinutes * 60_000,
      serviceAccounts: subscriptionMode ? serviceAccounts() : undefined,
      subscriptions: subscriptionMode ? subscriptions() : undefined,
      resolveCoverage: options.resolveCoverage,
      groupId: settings.userGroupId,
      loadRecordedValues: options.loadRecordedValues,
      forceDirectoryRefresh: runOptions.forceDirectoryRefresh,
      onProgress: runOptions.onProgress,
      now,
      logger,
    });
  });

  return {
    settings,

    createWebhookSources() {
      warmTeamsTenantId(tenantId, logger);
      return createTeamsWebhookSources({ config, settings, store, tenantId, keySource, logger, now });
    },

    taskRunner,

    runMaintenance: (runOptions) => maintenance.run(runOptions),
    onMaintenanceFinished: (listener) => maintenance.onFinished(listener),

    login: (account, onPrompt, loginOptions) => serviceAccounts().login(account, onPrompt, loginOptions),
    logout: (account) => serviceAccounts().remove(account),

    listSubscriptions: () => readTeamsSubscriptionStatus(store),

    loadCoverage: () => loadDirectoryCoverage(store),

    emailDirectory,
  };
}
