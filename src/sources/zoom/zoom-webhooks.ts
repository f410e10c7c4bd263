/** Zoom's webhook route (`/webhooks/zoom`) alone: what the AWS webhook function assembles (vendor-module.ts). */
import type { VendorWebhooks } from '../vendor-module';
import { createZoomWebhookSource } from './webhook';

export const zoomWebhooks: VendorWebhooks = {
  system: 'zoom',
  // Without ZOOM_WEBHOOK_SECRET_TOKEN the route answers 503 saying what to set (webhook.ts).
  createWebhookSources: (config, platform) => [createZoomWebhookSource(config.zoom, platform.now, platform.logger)],
};
