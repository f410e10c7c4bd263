/**
 * The Teams webhook sources (`/webhooks/teams`, `/webhooks/teams/lifecycle`) and only what they need:
 * client states, the decryption key, the validation-token check and the store. Kept apart from
 * runtime.ts so the webhook Lambda bundle imports no Graph client, MSAL or REST client (docs/architecture.md).
 */
import type { INetworkModule } from '@azure/msal-node';
import type { TeamsConnection } from '../../config';
import { describeError } from '../../errors';
import type { Logger } from '../../logger';
import type { DocumentStore } from '../../store/state-store';
import type { WebhookSource } from '../../webhooks/types';
import type { DecryptionKey } from './decrypt';
import { createKnownSubscriptionLookup } from './known-subscriptions';
import { createSigningKeys, type SigningKeys } from './signing-keys';
import { createSubscriptionActivityRecorder } from './subscription-activity';
import type { TeamsSettings } from './teams-settings';
import { createTenantIdResolver, type TenantIdSource } from './tenant-id';
import { createValidationTokenValidator, type SigningKeySource } from './validation-tokens';
import { createTeamsLifecycleWebhookSource, createTeamsWebhookSource } from './webhook';

/** Default TEAMS_ENCRYPTION_CERTIFICATE_ID when only the key and certificate are configured. */
export const DEFAULT_ENCRYPTION_CERTIFICATE_ID = 'presence-bridge';

export interface TeamsWebhookSourcesOptions {
  readonly config: TeamsConnection;
  readonly settings: TeamsSettings;
  readonly store: DocumentStore;
  /** This tenant's id (tenant-id.ts); without it rich notifications are answered 503. */
  readonly tenantId?: TenantIdSource;
  /** Microsoft's signing keys (signing-keys.ts: stored, warmed by the maintainer). */
  readonly keySource: SigningKeySource;
  readonly logger: Logger;
  readonly now: () => number;
}

/**
 * TEAMS_TENANT_ID as a resolver, or undefined when it is not set. A domain is looked up with `network`
 * (the MSAL network module: same CAs, timeouts).
 */
export function createTeamsTenantId(
  config: TeamsConnection,
  settings: TeamsSettings,
  network: Pick<INetworkModule, 'sendGetRequestAsync'>,
): TenantIdSource | undefined {
  return config.tenantId
    ? createTenantIdResolver({ tenant: config.tenantId, loginBaseUrl: config.microsoftLoginBaseUrl, network, timeoutMs: settings.jwksTimeoutMs })
    : undefined;
}

/** Microsoft's signing keys over the store, fetched with `network` (signing-keys.ts). */
export function createTeamsSigningKeys(
  config: TeamsConnection,
  settings: TeamsSettings,
  options: { store: DocumentStore; network: Pick<INetworkModule, 'sendGetRequestAsync'>; now: () => number; logger: Logger },
): SigningKeys {
  return createSigningKeys({ ...options, jwksUri: config.graphJwksUrl, timeoutMs: settings.jwksTimeoutMs });
}

/** Starts resolving the tenant id now, so the webhook path normally finds it cached; a failure is logged and retried on use. */
export function warmTeamsTenantId(tenantId: TenantIdSource | undefined, logger: Logger): void {
  tenantId?.().catch((error: unknown) => logger.warn('could not resolve TEAMS_TENANT_ID to a tenant id yet', { error: describeError(error) }));
}

export function createTeamsWebhookSources(options: TeamsWebhookSourcesOptions): WebhookSource[] {
  const { config, settings, store, tenantId, logger, now } = options;
  const decryptionKeys: DecryptionKey[] =
    config.encryptionCertificate && config.encryptionPrivateKey
      ? [{ certificateId: config.encryptionCertificateId ?? DEFAULT_ENCRYPTION_CERTIFICATE_ID, privateKeyPem: config.encryptionPrivateKey }]
      : [];
  // Without TEAMS_TENANT_ID a token's tenant cannot be checked: rich notifications are then answered 503.
  const validateTokens =
    config.clientId && tenantId
      ? createValidationTokenValidator({
          appIds: [config.clientId],
          tenantId,
          changeTrackingAppIds: settings.changeTrackingAppIds,
          keySource: options.keySource,
          loginBaseUrl: config.microsoftLoginBaseUrl,
          keyTimeoutMs: settings.jwksTimeoutMs,
          now,
        })
      : undefined;
  const deps = {
    clientStates: config.clientStates,
    isKnownSubscription: createKnownSubscriptionLookup({ store, now }),
    decryptionKeys,
    validateTokens,
    onVerifiedNotifications: createSubscriptionActivityRecorder({ store, logger }),
    logger,
  };
  return [createTeamsWebhookSource(deps), createTeamsLifecycleWebhookSource(deps)];
}
