/**
 * The vendors' webhook parts alone, in the order of src/sources/index.ts: the AWS webhook function assembles
 * only these, so its bundle holds no REST, MSAL or Graph client (test/lambda/function-bundles.test.ts).
 */
import { ringCentralWebhooks } from './ringcentral/ringcentral-webhooks';
import { teamsWebhooks } from './teams/teams-webhooks';
import type { VendorWebhooks } from './vendor-module';
import { zoomWebhooks } from './zoom/zoom-webhooks';

export const WEBHOOK_MODULES: readonly VendorWebhooks[] = [zoomWebhooks, teamsWebhooks, ringCentralWebhooks];
