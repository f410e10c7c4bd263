/**
 * The per-system maintenance steps the configured sources contribute (subscriptions, directories,
 * reconciliation). Built once per process; run by the local timer and the maintainer Lambda.
 */
import type { BridgeParts } from './bridge';
import type { MaintenanceStep } from './maintenance';
import { ringCentralMaintenanceSteps } from './ringcentral-maintenance';

export function sourceMaintenanceSteps(parts: BridgeParts): MaintenanceStep[] {
  return [...ringCentralMaintenanceSteps(parts)];
}
