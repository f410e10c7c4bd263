/**
 * Builds the status page's dependencies from the bridge's parts, for both composition roots
 * (server.ts locally, lambda.ts on AWS); they differ only in the access policy (src/status/status-access.ts).
 */
import type { MetricsSnapshot } from '../metrics/memory-metrics';
import { feedSettingsFrom } from '../status/feed-health';
import { createPrimarySourceReader } from '../status/primary-sources';
import type { StatusAccessPolicy } from '../status/status-access';
import type { StatusPageDeps } from '../status/status-page';
import type { BridgeParts } from './bridge';

/** `counters`: the process's own metrics (local only: on AWS each function is its own process, see CloudWatch). */
export function buildStatusPageDeps(parts: BridgeParts, access: StatusAccessPolicy, counters?: () => MetricsSnapshot): StatusPageDeps {
  const genesys = parts.genesys;
  return {
    access,
    store: parts.store,
    sourceNames: parts.config.genesys.sourceNames,
    // The resolved configuration has the development Zoom secret filled in (sandbox mode): the Zoom webhook works then too.
    feeds: feedSettingsFrom(parts.config),
    primarySources: createPrimarySourceReader(
      () => ({
        getPrimarySource: (userId) => genesys.presence.getPrimarySource(userId),
        listSources: () => genesys.sources.listSources(),
      }),
      parts.now,
    ),
    now: parts.now,
    ...(counters ? { counters } : {}),
    logger: parts.logger.child({ component: 'status-page' }),
  };
}
