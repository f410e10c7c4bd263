/**
 * The per-system maintenance steps the configured sources contribute (subscriptions, directories,
 * reconciliation). Built once per process; run by the local timer and the maintainer Lambda.
 */
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
  return [{ name: 'teams', run: async () => describeTeamsMaintenance(await teams.runMaintenance()) }];
}

export function sourceMaintenanceSteps(parts: BridgeParts, teams: TeamsRuntime): MaintenanceStep[] {
  return [...teamsMaintenanceStep(parts, teams), ...ringCentralMaintenanceSteps(parts)];
}
