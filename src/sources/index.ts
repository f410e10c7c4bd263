/**
 * The vendors of this bridge, in route order. Adding a vendor: its folder (with a `<vendor>-module.ts` and a
 * light `<vendor>-webhooks.ts`), one entry here and one in webhook-modules.ts (the AWS webhook function's
 * list, kept apart so its bundle stays small; test/runtime/vendor-modules.test.ts checks they agree).
 */
import { ringCentralModule } from './ringcentral/ringcentral-module';
import { teamsModule } from './teams/teams-module';
import type { VendorModule } from './vendor-module';
import { zoomModule } from './zoom/zoom-module';

export const VENDOR_MODULES: readonly VendorModule[] = [zoomModule, teamsModule, ringCentralModule];
