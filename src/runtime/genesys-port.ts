/**
 * Adapts the Genesys client to the worker's narrow GenesysPort: source ids per system (ensured once,
 * remembered), definitions by mapping target, the one write, and failure classification.
 */
import type { GenesysClient } from '../genesys';
import { classifyGenesysFailure } from '../genesys';
import type { SystemName } from '../systems';
import type { GenesysPort } from '../webhooks/worker';

/** `retryMs`: how long to wait after a retryable failure that named no Retry-After (default 30 s). */
export function createGenesysPort(client: GenesysClient, sourceNames: Readonly<Record<SystemName, string>>, retryMs?: number): GenesysPort {
  return {
    async sourceIdFor(system) {
      const sources = await client.sources.getSources(sourceNames);
      return sources[system].id;
    },
    forgetSources() {
      client.sources.forget();
    },
    async resolveDefinition(target, options) {
      if (options?.refresh) await client.definitions.list(true);
      return client.definitions.resolve(target);
    },
    forgetUser(genesysUserId) {
      client.users.forgetUserId(genesysUserId);
    },
    async setSourcePresence(userId, sourceId, definitionId, message) {
      await client.presence.setSourcePresence(userId, sourceId, definitionId, message);
    },
    classify: (error) => classifyGenesysFailure(error, retryMs),
  };
}
