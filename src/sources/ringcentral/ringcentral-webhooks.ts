/** RingCentral's webhook route (`/webhooks/ringcentral`) alone: what the AWS webhook function assembles (vendor-module.ts). */
import type { VendorWebhooks } from '../vendor-module';
import { createRingCentralWebhookSource } from './webhook';

export const ringCentralWebhooks: VendorWebhooks = {
  system: 'ringcentral',
  // Duplicates need no uuid claim: a redelivery has the same (timestamp, sequence) and is recorded as a
  // duplicate, which causes no Genesys write; claiming before recording could lose a retried event.
  createWebhookSources: (config, platform) => [createRingCentralWebhookSource(config.ringcentral, { now: platform.now })],
};
