/**
 * Zoom as one vendor module (src/sources/vendor-module.ts): the webhook route, and the `zoom backfill` and
 * `zoom simulate` commands. Zoom needs no directory (its events carry the email), no task runner and no
 * maintenance: its webhook subscription is made in the Zoom app, not by the bridge (docs/zoom.md).
 */
import { BridgeError } from '../../errors';
import { DEFAULT_SIMULATE_URL, registerZoomCommands } from '../../cli/zoom-commands';
import { readZoomDevSecret } from '../../runtime/dev-secrets';
import { zoomBackfillUsers } from './backfill-users';
import type { VendorModule } from '../vendor-module';
import { runZoomBackfill } from './backfill';
import { createZoomClientFromConfig } from './client';
import { sendSimulatedZoomEvent } from './simulated-event';
import { zoomWebhooks } from './zoom-webhooks';

export const zoomModule: VendorModule = {
  system: 'zoom',
  webhooks: zoomWebhooks,

  create: (config, context) => ({ webhooks: zoomWebhooks.createWebhookSources(config, context), maintenanceSteps: [] }),

  registerCommands(program, cli) {
    const { config } = cli;
    registerZoomCommands(program, {
      async backfill({ emails, onProgress }) {
        const client = createZoomClientFromConfig(config.zoom);
        const bridge = await cli.open();
        const { store, userMapping, overrides } = bridge.parts;
        const users = await zoomBackfillUsers(store, userMapping?.current() ?? overrides, emails);
        return runZoomBackfill({ client, users, onProgress, record: async (event) => void (await bridge.record([event])) });
      },
      async simulate({ email, status, url, userId }) {
        const secret = config.zoom.webhookSecretTokens[0] ?? (config.genesys.mode === 'sandbox' ? readZoomDevSecret(config.dataDir, false) : undefined);
        if (!secret) {
          throw new BridgeError(
            'no Zoom secret to sign with: set ZOOM_WEBHOOK_SECRET_TOKEN, or start the bridge once in sandbox mode (npm start) so it creates a development secret',
          );
        }
        const target = url === DEFAULT_SIMULATE_URL && cli.localRuntime ? `http://127.0.0.1:${cli.localRuntime.port}` : url;
        return sendSimulatedZoomEvent({ secret, email, status, userId, url: target, accountId: config.zoom.accountId });
      },
    });
  },
};
