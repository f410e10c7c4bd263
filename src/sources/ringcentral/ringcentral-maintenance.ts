/**
 * RingCentral's share of the periodic work: refresh the extension → email directory, then ensure the
 * webhook subscription (create, renew, re-create when Blacklisted). Runs only with JWT-flow credentials
 * and a public base URL (BRIDGE_PUBLIC_URL, the deployment's public base URL for every system).
 */
import type { BridgeConfig } from '../../config';
import { noopMetrics } from '../../metrics/metrics';
import type { MaintenanceStep } from '../../runtime/maintenance';
import type { VendorContext } from '../vendor-module';
import type { RingCentralClient } from './client';
import { refreshRingCentralDirectory } from './directory';
import { ensureRingCentralSubscription, ringCentralNotificationUrl } from './subscriptions';

/** `client`: the module's REST client (JWT-flow credentials set). */
export function ringCentralMaintenanceSteps(config: BridgeConfig, parts: VendorContext, client: RingCentralClient): MaintenanceStep[] {
  const rc = config.ringcentral;
  const steps: MaintenanceStep[] = [
    {
      name: 'ringcentral-directory',
      run: async () => {
        const result = await refreshRingCentralDirectory(client, parts.store);
        return `${result.withEmail} of ${result.extensions} extensions have an email`;
      },
    },
  ];
  const base = config.publicUrl;
  const token = rc.verificationTokens[0];
  if (base && token) {
    steps.push({
      name: 'ringcentral-subscription',
      run: async () => {
        const metrics = parts.metrics ?? noopMetrics;
        const result = await ensureRingCentralSubscription({
          client,
          documents: parts.store,
          notificationUrl: ringCentralNotificationUrl(base),
          verificationToken: token,
          scope: rc.settings.subscriptionScope,
          expiresIn: rc.settings.subscriptionExpiresIn,
          filtersPerSubscription: rc.settings.filtersPerSubscription,
          logger: parts.logger,
        }).catch((error: unknown) => {
          metrics.count('SubscriptionFailures', { system: 'ringcentral' });
          throw error;
        });
        for (const action of result.actions) {
          if (action.action === 'created' || action.action === 'renewed' || action.action === 'updated') {
            metrics.count('SubscriptionRenewals', { system: 'ringcentral' });
          }
        }
        return result.actions.map((a) => `${a.action} ${a.id}`).join(', ') || 'up to date';
      },
    });
  }
  return steps;
}
