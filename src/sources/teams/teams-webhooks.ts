/**
 * Teams' webhook routes (`/webhooks/teams`, `/webhooks/teams/lifecycle`) alone: what the AWS webhook
 * function assembles (vendor-module.ts). No Graph client or MSAL: signing keys come from the store, where
 * the maintainer keeps them warm, so a cold webhook fetches nothing before answering.
 */
import type { VendorWebhooks } from '../vendor-module';
import { createMsalNetworkClient } from './msal-setup';
import { createTeamsSigningKeys, createTeamsTenantId, createTeamsWebhookSources, warmTeamsTenantId } from './webhook-sources';

export const teamsWebhooks: VendorWebhooks = {
  system: 'teams',
  createWebhookSources(config, platform) {
    const { store, now } = platform;
    const logger = platform.logger.child({ system: 'teams' });
    const network = platform.msalNetworkClient ?? createMsalNetworkClient();
    const tenantId = createTeamsTenantId(config.teams, config.teams.settings, network);
    warmTeamsTenantId(tenantId, logger);
    const keySource = createTeamsSigningKeys(config.teams, config.teams.settings, { store, network, now, logger }).keySource;
    return createTeamsWebhookSources({ config: config.teams, settings: config.teams.settings, store, tenantId, keySource, logger, now });
  },
};
