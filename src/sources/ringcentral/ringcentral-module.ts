/**
 * RingCentral as one vendor module (src/sources/vendor-module.ts): the webhook route, the extension → email
 * directory, and — with JWT-flow credentials — the directory refresh and subscription maintenance and the
 * `ringcentral …` commands' REST client.
 */
import { registerSimulateRingCentralCommand } from '../../cli/simulate-ringcentral-command';
import { ringCentralSandboxTarget } from '../../sandbox/ringcentral/ringcentral-sandbox-target';
import { registerRingCentralCommands } from '../../cli/ringcentral-commands';
import type { VendorModule, VendorParts } from '../vendor-module';
import { createRingCentralClientFromConfig, type RingCentralClient } from './client';
import { createRingCentralEmailDirectory } from './directory';
import { ringCentralMaintenanceSteps } from './ringcentral-maintenance';
import { ringCentralWebhooks } from './ringcentral-webhooks';

export interface RingCentralParts extends VendorParts {
  /** Set with JWT-flow credentials (RINGCENTRAL_CLIENT_ID, RINGCENTRAL_CLIENT_SECRET, RINGCENTRAL_JWT). */
  readonly client?: RingCentralClient;
}

export const ringCentralModule: VendorModule<RingCentralParts> = {
  system: 'ringcentral',
  webhooks: ringCentralWebhooks,

  create(config, context) {
    const rc = config.ringcentral;
    const client = rc.hasApiCredentials
      ? createRingCentralClientFromConfig(rc, { documents: context.store, logger: context.logger, rateLimits: rc.settings.rateLimits })
      : undefined;
    return {
      webhooks: ringCentralWebhooks.createWebhookSources(config, context),
      directory: createRingCentralEmailDirectory(context.store),
      maintenanceSteps: client ? ringCentralMaintenanceSteps(config, context, client) : [],
      client,
    };
  },

  registerCommands(program, cli) {
    const { config } = cli;
    // `simulate ringcentral`: the RingCentral sandbox of a running `npm start` delivers the notification.
    registerSimulateRingCentralCommand(program, { target: () => ringCentralSandboxTarget(config, cli.localRuntime) });
    registerRingCentralCommands(program, {
      // Unconfigured: createRingCentralClientFromConfig names the variables to set.
      client: async () => (await cli.open()).vendor(ringCentralModule).client ?? createRingCentralClientFromConfig(config.ringcentral),
      documents: async () => (await cli.open()).parts.store,
      record: async (events) => (await cli.open()).record(events),
      verificationToken: config.ringcentral.verificationTokens[0],
      publicBaseUrl: config.publicUrl,
      settings: config.ringcentral.settings,
    });
  },
};
