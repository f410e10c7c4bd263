/**
 * The webhook path's dependencies from the vendors' webhook parts (src/sources/webhook-modules.ts). The AWS
 * webhook function assembles only this, so its bundle holds no Genesys, REST, MSAL or Graph client
 * (test/lambda/function-bundles.test.ts); assembleBridge uses the same function for the other runtimes.
 */
import type { BridgeConfig } from '../config';
import { loadPresenceMapping, type PresenceMapping } from '../presence';
import { WEBHOOK_MODULES } from '../sources/webhook-modules';
import type { VendorWebhooks } from '../sources/vendor-module';
import type { WebhookCoreDeps } from '../webhooks/handle-webhook';
import type { WebhookSource } from '../webhooks/types';
import type { WebhookPlatform } from './platform';

export function buildWebhookDeps(platform: WebhookPlatform, mapping: PresenceMapping, sources: readonly WebhookSource[]): WebhookCoreDeps {
  return {
    sources,
    store: platform.store,
    queue: platform.queue,
    mapping,
    now: platform.now,
    logger: platform.logger.child({ component: 'webhook' }),
    metrics: platform.metrics,
  };
}

/** Every vendor's routes, in list order, over `platform`. */
export function assembleWebhooks(config: BridgeConfig, platform: WebhookPlatform, modules: readonly VendorWebhooks[] = WEBHOOK_MODULES): WebhookCoreDeps {
  const sources = modules.flatMap((module) => module.createWebhookSources(config, platform));
  return buildWebhookDeps(platform, loadPresenceMapping(config.presenceMappingFile), sources);
}
