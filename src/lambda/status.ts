/**
 * The `status` function: `GET /status` and `/status.json`. Its own function, so the public webhook
 * function keeps its narrow role (the page lists every record, which takes a Scan, and may read primary
 * sources from Genesys). Off (404) unless STATUS_PAGE_TOKEN is set; then bearer-token only
 * (src/status/status-access.ts).
 */
import { createAwsBridge, type AwsBridge } from '../runtime/aws-bridge';
import { awsStatusAccess } from '../status/status-access';
import { serveStatusPage } from '../status/status-page';
import { createHttpApiHandler, type HttpApiEvent, type HttpApiResult } from '../webhooks/adapters/lambda';
import './sdk-secrets';
import { getFunctionParts, onePerInstance } from './cold-start';
import { withMetrics } from '../metrics/lambda-metrics';

const httpHandlerFor = onePerInstance((bridge: AwsBridge) => {
  const { parts } = bridge;
  const statusDeps = bridge.statusPage(awsStatusAccess(parts.config.statusPageTokens));
  return createHttpApiHandler(
    async () => ({ status: 404, headers: { 'content-type': 'application/json' }, body: '{"error":"not found"}' }),
    parts.now,
    undefined,
    (request) => serveStatusPage(request, statusDeps),
  );
});

async function runStatus(event: HttpApiEvent): Promise<HttpApiResult> {
  return httpHandlerFor(await getFunctionParts('status', createAwsBridge))(event);
}

/** Writes the EMF metrics the invocation recorded when it ends (src/metrics/lambda-metrics.ts). */
export const handler = withMetrics(runStatus);
