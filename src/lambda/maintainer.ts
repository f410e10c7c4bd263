/** The `maintainer` function (every 5 minutes): sources, subscriptions, directories, re-enqueueing. */
import { createAwsBridge } from '../runtime/aws-bridge';
import { runMaintenance, type MaintenanceReport } from '../runtime/maintenance';
import './sdk-secrets';
import { getFunctionParts } from './cold-start';

export async function handler(): Promise<MaintenanceReport> {
  const { parts, maintenanceSteps } = await getFunctionParts('maintainer', createAwsBridge);
  return runMaintenance(parts, maintenanceSteps);
}
