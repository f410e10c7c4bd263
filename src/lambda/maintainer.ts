/** The `maintainer` function (every 5 minutes): sources, subscriptions, directories, re-enqueueing. */
import { createAwsBridge } from '../runtime/aws-bridge';
import { runMaintenance, type MaintenanceReport } from '../runtime/maintenance';
import './sdk-secrets';
import { getFunctionParts } from './cold-start';
import { withMetrics } from '../metrics/lambda-metrics';

async function runMaintainer(): Promise<MaintenanceReport> {
  const { parts, maintenanceSteps } = await getFunctionParts('maintainer', createAwsBridge);
  return runMaintenance(parts, maintenanceSteps);
}

/** Writes the EMF metrics the invocation recorded when it ends (src/metrics/lambda-metrics.ts). */
export const handler = withMetrics(runMaintainer);
