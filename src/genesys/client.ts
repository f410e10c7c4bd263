/**
 * Wires the Genesys Cloud client parts together: one budgeted transport, one token cache, and the
 * sources / definitions / presence / users APIs over one authenticated HTTP layer.
 */
import type { GenesysConfig } from '../config';
import { ConfigError } from '../errors';
import { silentLogger, type Logger } from '../logger';
import type { Metrics } from '../metrics/metrics';
import type { DocumentStore } from '../store/state-store';
import { createClientCredentialsAuth, type TokenProvider } from './auth';
import { PresenceDefinitions } from './definitions';
import { GenesysHttp } from './http';
import { PresenceApi } from './presence';
import type { RequestBudget } from './request-budget';
import { PresenceSources } from './sources';
import { createTransport, type RetrySettings } from './transport';
import { GenesysUsers } from './users';

/** The configuration with both base URLs resolved (see `genesysBaseUrls` in regions.ts). */
export type ResolvedGenesysConfig = GenesysConfig & { readonly apiBaseUrl: string; readonly loginBaseUrl: string };

export interface GenesysClientOptions {
  readonly config: ResolvedGenesysConfig;
  /** Shared with every other Genesys caller of this deployment (docs/architecture.md: the budget holds). */
  readonly budget: RequestBudget;
  /** Where the source ids are remembered. */
  readonly documents: DocumentStore;
  readonly logger?: Logger;
  /** Same clock as the budget's. */
  readonly now?: () => number;
  readonly random?: () => number;
  readonly retry?: RetrySettings;
  /** Epoch ms by which the current caller must be done (a Lambda invocation's end); see transport.ts. */
  readonly deadline?: () => number | undefined;
  /** Counts Genesys 429s and 403s (transport.ts). */
  readonly metrics?: Metrics;
}

export interface GenesysClient {
  readonly http: GenesysHttp;
  readonly auth: TokenProvider;
  readonly sources: PresenceSources;
  readonly definitions: PresenceDefinitions;
  readonly presence: PresenceApi;
  readonly users: GenesysUsers;
  /** Closes idle keep-alive connections. */
  close(): Promise<void>;
}

/** Creates a Genesys Cloud client. Throws ConfigError when the client credentials are missing. */
export function createGenesysClient(options: GenesysClientOptions): GenesysClient {
  const { config } = options;
  if (!config.clientId || !config.clientSecret) {
    throw new ConfigError('GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET are needed to talk to Genesys Cloud (or use the sandbox)');
  }
  const logger = (options.logger ?? silentLogger).child({ component: 'genesys' });
  const now = options.now ?? Date.now;
  const transport = createTransport({
    budget: options.budget,
    logger,
    now,
    random: options.random,
    retry: options.retry,
    deadline: options.deadline,
    metrics: options.metrics,
  });
  const auth = createClientCredentialsAuth({
    loginBaseUrl: config.loginBaseUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    transport,
    now,
    logger,
  });
  const http = new GenesysHttp({ apiBaseUrl: config.apiBaseUrl, transport, auth });
  return {
    http,
    auth,
    sources: new PresenceSources({ http, documents: options.documents, logger, now }),
    definitions: new PresenceDefinitions({ http, logger, now }),
    presence: new PresenceApi({ http, logger }),
    users: new GenesysUsers({ http, logger, now }),
    async close(): Promise<void> {
      http.close();
    },
  };
}
