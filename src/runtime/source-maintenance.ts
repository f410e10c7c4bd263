/**
 * The per-system maintenance steps the configured sources contribute (subscriptions, directories,
 * reconciliation). Built once per process; run by the local timer and the maintainer Lambda.
 */
import { noopMetrics } from '../metrics/metrics';
import { describeTeamsMaintenance } from '../sources/teams/maintainer';
import type { TeamsRuntime } from '../sources/teams/runtime';
import type { BridgeParts } from './bridge';
import type { MaintenanceStep } from './maintenance';
import { ringCentralMaintenanceSteps } from './ringcentral-maintenance';

/**
 * Teams: directory refresh, subscriptions (subscription mode) and reconciliation of every user with
 * getPresencesByUserId — so a silently dead subscription cannot leave Genesys stale for long. In polling
 * mode this same run is the poll (on AWS at the maintainer's schedule; locally see server.ts).
 */
export function teamsMaintenanceStep(parts: BridgeParts, teams: TeamsRuntime): MaintenanceStep[] {
  if (!parts.config.teams.hasApiCredentials) return [];
  const metrics = parts.metrics ?? noopMetrics;
  return [
    {
      name: 'teams',
      run: async () => {
        const report = await teams.runMaintenance();
        for (const account of report.accounts) {
          if (account.error) metrics.count('SubscriptionFailures', { system: 'teams' });
          else if (account.action === 'created' || account.action === 'renewed' || account.action === 'recreated') {
            metrics.count('SubscriptionRenewals', { system: 'teams' });
          }
        }
        return describeTeamsMaintenance(report);
      },
    },
  ];
}

export function sourceMaintenanceSteps(parts: BridgeParts, teams: TeamsRuntime): MaintenanceStep[] {
  return [...teamsMaintenanceStep(parts, teams), ...ringCentralMaintenanceSteps(parts)];
}
