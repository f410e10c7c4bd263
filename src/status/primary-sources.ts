/**
 * Reads which presence source Genesys displays for a user (`GET /api/v2/presence/users/{userId}/primarysource`,
 * https://developer.genesys.cloud/useragentmanagement/presence/) — read-only: the bridge never changes it.
 * Every read spends the organization's Genesys request budget (GENESYS_REQUESTS_PER_MINUTE), so callers
 * pass a bound, the source list is read once per call, and answers are kept for a minute so a reloaded
 * page does not read them again. Shared by `presence-bridge status` and the status page.
 */
import { describeError } from '../errors';

/** Primary sources are read for at most this many users per page or command. */
export const PRIMARY_LOOKUP_LIMIT = 25;
const CACHE_TTL_MS = 60_000;

export interface PrimarySourceGenesys {
  getPrimarySource(userId: string): Promise<{ readonly sourceId?: string }>;
  listSources(): Promise<ReadonlyArray<{ readonly id: string; readonly name: string }>>;
}

export interface PrimarySourceReader {
  /**
   * Names of the primary sources of the first `limit` distinct ids (or `(unreadable: …)` for one that
   * failed). Ids beyond the bound are not read and are absent from the answer.
   */
  read(genesysUserIds: readonly string[], limit?: number): Promise<Map<string, string>>;
}

export function createPrimarySourceReader(
  genesys: () => Promise<PrimarySourceGenesys> | PrimarySourceGenesys,
  now: () => number = Date.now,
): PrimarySourceReader {
  const cache = new Map<string, { name: string; at: number }>();
  return {
    async read(genesysUserIds, limit = PRIMARY_LOOKUP_LIMIT) {
      for (const [id, entry] of cache) if (now() - entry.at >= CACHE_TTL_MS) cache.delete(id);
      const ids = [...new Set(genesysUserIds)].slice(0, limit);
      const found = new Map<string, string>();
      const missing: string[] = [];
      for (const id of ids) {
        const hit = cache.get(id);
        if (hit && now() - hit.at < CACHE_TTL_MS) found.set(id, hit.name);
        else missing.push(id);
      }
      if (missing.length === 0) return found;
      let sources: ReadonlyArray<{ id: string; name: string }> | undefined;
      let client: PrimarySourceGenesys;
      try {
        client = await genesys();
      } catch (error) {
        for (const id of missing) found.set(id, `(unreadable: ${describeError(error)})`);
        return found;
      }
      for (const id of missing) {
        try {
          const primary = await client.getPrimarySource(id);
          sources ??= await client.listSources();
          const name = sources.find((source) => source.id === primary.sourceId)?.name ?? primary.sourceId ?? '(unknown)';
          cache.set(id, { name, at: now() });
          found.set(id, name);
        } catch (error) {
          found.set(id, `(unreadable: ${describeError(error)})`);
        }
      }
      return found;
    },
  };
}
