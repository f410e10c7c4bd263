/**
 * Where `simulate teams` sends its presence change: the admin route of the running bridge's Microsoft
 * sandbox. Every other case gets an error that says what to do instead.
 */
import type { BridgeConfig } from '../../config';
import { BridgeError } from '../../errors';
import type { LocalRuntimeInfo } from '../../runtime/local-runtime';
import { hasTeamsCredentials } from './use-microsoft-sandbox';

export function microsoftSandboxAdminUrl(config: BridgeConfig, bridge: LocalRuntimeInfo | undefined): string {
  if (hasTeamsCredentials(config.teams)) {
    throw new BridgeError(
      'Teams credentials are set (TEAMS_TENANT_ID/TEAMS_CLIENT_ID/TEAMS_CLIENT_SECRET): the bridge uses the real Microsoft; change the presence in Teams instead',
    );
  }
  if (!bridge) throw new BridgeError('no running bridge: start it with `npm start` (same BRIDGE_DATA_DIR), then `presence-bridge teams login --account demo`');
  if (!bridge.microsoftSandbox) {
    throw new BridgeError(
      'the running bridge does not use the Microsoft sandbox (it was started with Teams or Genesys credentials); restart `npm start` without them',
    );
  }
  return bridge.microsoftSandbox.adminUrl;
}
