/**
 * Where `simulate ringcentral` sends its presence change: the RingCentral sandbox of the bridge running
 * on this BRIDGE_DATA_DIR, as recorded in its runtime file — or why there is none to use.
 */
import type { BridgeConfig } from '../../config';
import type { LocalRuntimeInfo } from '../../runtime/local-runtime';

export function ringCentralSandboxTarget(
  config: BridgeConfig,
  runtime: LocalRuntimeInfo | undefined,
): { readonly adminUrl: string } | { readonly problem: string } {
  const rc = config.ringcentral;
  if (rc.clientId || rc.clientSecret || rc.jwt) {
    return {
      problem:
        'RingCentral credentials are configured (RINGCENTRAL_CLIENT_ID, RINGCENTRAL_CLIENT_SECRET or RINGCENTRAL_JWT), so the bridge uses ' +
        'the real RingCentral, not the sandbox: change the presence in a RingCentral app instead, or unset them to try the sandbox',
    };
  }
  if (!runtime) {
    return { problem: `no running bridge found for BRIDGE_DATA_DIR=${config.dataDir}: start it with \`npm start\` (same BRIDGE_DATA_DIR) first` };
  }
  if (!runtime.ringcentralSandbox) {
    return {
      problem:
        'the running bridge does not use the RingCentral sandbox (it is used only when no RingCentral credentials are set and ' +
        'Genesys is the sandbox too, i.e. no GENESYS_* credentials); restart it with `npm start`',
    };
  }
  return { adminUrl: runtime.ringcentralSandbox.adminUrl };
}
