/**
 * Which Teams users the bridge covers (docs/teams.md "Which users are covered"): enabled Entra users
 * that resolve to an active Genesys user — through a USER_MAPPING_FILE row (`teams:<object id>` or
 * the Entra email), else by email, case-insensitively. Only covered users are subscribed, polled and
 * reconciled, so service accounts (650 users each) and Graph reads follow the agents, not the tenant.
 *
 * Budget: the Genesys users directory is read in pages (`GET /api/v2/users`, src/genesys/users.ts)
 * once per directory refresh, instead of one user search per Entra user. In one process (npm start)
 * it also warms the Genesys client's email cache, so the worker's lookups of covered users need no search.
 */
import { silentLogger, type Logger } from '../../logger';
import type { GenesysUserRef, UserMappingOverrides } from '../../users/user-mapping-file';
import type { DirectoryEntry, ResolveCoverage } from './directory';

export interface GenesysCoverageOptions {
  /** Every active Genesys user: lower-cased email → user id (GenesysUsers.listAll). */
  readonly listGenesysUsers: () => Promise<ReadonlyMap<string, string>>;
  /** The USER_MAPPING_FILE overrides in effect (read at each refresh, so a reload is picked up). */
  readonly overrides: () => UserMappingOverrides;
  readonly logger?: Logger;
}

/** `teams:<object id>` rows by lower-cased object id: Entra object ids are GUIDs, case-insensitive. */
function teamsRowsByObjectId(overrides: UserMappingOverrides): Map<string, GenesysUserRef> {
  const rows = new Map<string, GenesysUserRef>();
  for (const [key, ref] of overrides.byKey) {
    if (key.startsWith('teams:')) rows.set(key.slice('teams:'.length).toLowerCase(), ref);
  }
  return rows;
}

/** Covers the entries that resolve to an active Genesys user; the rest are logged as counts, not names. */
export function createGenesysCoverage(options: GenesysCoverageOptions): ResolveCoverage {
  const log = (options.logger ?? silentLogger).child({ system: 'teams', component: 'coverage' });
  return async (entries: readonly DirectoryEntry[]): Promise<readonly DirectoryEntry[]> => {
    const byEmail = await options.listGenesysUsers();
    const activeIds = new Set(byEmail.values());
    const overrides = options.overrides();
    const rows = teamsRowsByObjectId(overrides);
    const resolves = (ref: GenesysUserRef): boolean => (ref.kind === 'id' ? activeIds.has(ref.id) : byEmail.has(ref.email.toLowerCase()));

    const covered: DirectoryEntry[] = [];
    let mappedToNobody = 0;
    for (const entry of entries) {
      const row = rows.get(entry.objectId.toLowerCase()) ?? overrides.byEmail.get(entry.email.toLowerCase());
      if (row) {
        if (resolves(row)) covered.push(entry);
        else mappedToNobody += 1;
      } else if (byEmail.has(entry.email.toLowerCase())) {
        covered.push(entry);
      }
    }
    if (mappedToNobody > 0) {
      log.warn('USER_MAPPING_FILE rows name Genesys users that are not active; those Teams users are not covered', {
        users: mappedToNobody,
      });
    }
    log.info('Teams coverage decided', { candidates: entries.length, covered: covered.length, genesysUsers: byEmail.size });
    return covered;
  };
}
