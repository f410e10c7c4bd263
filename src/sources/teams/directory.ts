/**
 * The Teams user directory: Entra object id → email, from app-only `GET /users`
 * (`mail`, then `userPrincipalName` — mail and UPN can differ, so mail wins; docs-contrib
 * `api-reference/v1.0/api/user-list.md`, docs/vendors.md#teams-user-directory). Kept in the
 * DocumentStore so the worker resolves emails without calling Graph.
 *
 * It holds the COVERED users only (docs/teams.md "Which users are covered"): enabled accounts
 * (`accountEnabled`), members of TEAMS_USER_GROUP_ID when set (`GET /groups/{id}/transitiveMembers/
 * microsoft.graph.user`, https://learn.microsoft.com/graph/api/group-list-transitivemembers), that
 * resolve to a Genesys user (coverage.ts). Coverage is decided again at every refresh, so a new
 * Genesys user is picked up and one who left is dropped from subscriptions and polling.
 *
 * Stored as 16 shards keyed by the object id's first hex digit plus a small manifest, so a large
 * tenant stays within a document-size limit (DynamoDB items are ≤400 KB: ~5,000 users in one
 * document, ~80,000 in 16 shards), and the worker reads only the shard of the user it resolves.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import type { DocumentStore, StateKey } from '../../store/state-store';
import { TEAMS_DOCUMENTS, updateDocument } from './documents';
import { graphErrorStatus, relativeGraphPath, toGraphRequestError } from './graph-client';
import { UserPageSchema } from './schema';
import { GraphRequestError } from './teams-errors';

export interface DirectoryEntry {
  readonly objectId: string;
  readonly email: string;
}

/** Decides which enabled directory users are covered (coverage.ts); without one, all of them are. */
export type ResolveCoverage = (entries: readonly DirectoryEntry[]) => Promise<readonly DirectoryEntry[]>;

/** How the covered set was found, for operators (`teams sync`, maintenance logs). */
export interface DirectoryCoverage {
  /** Users Graph listed: the whole directory, or the group's transitive user members. */
  readonly listed: number;
  /** Listed users whose account is disabled (`accountEnabled: false`). */
  readonly disabled: number;
  /** Enabled users with neither `mail` nor `userPrincipalName`. */
  readonly withoutEmail: number;
  /** Enabled users with an email that resolve to no Genesys user (by email or USER_MAPPING_FILE). */
  readonly withoutGenesysUser: number;
  readonly covered: number;
  /** TEAMS_USER_GROUP_ID in effect at the refresh. */
  readonly groupId?: string;
  /** `genesys`: matched against the Genesys users directory; `all`: no resolver (every enabled user). */
  readonly by: 'genesys' | 'all';
}

export interface TeamsDirectory {
  /** Lower-cased object id → lower-cased email, covered users only. */
  readonly users: Readonly<Record<string, string>>;
  readonly refreshedAt: string;
  /** Absent in a directory stored before coverage existed: the maintainer refreshes it. */
  readonly coverage?: DirectoryCoverage;
}

interface DirectoryManifest {
  readonly refreshedAt: string;
  readonly userCount: number;
  readonly shards: readonly string[];
  readonly coverage?: DirectoryCoverage;
}

interface DirectoryShard {
  readonly users: Readonly<Record<string, string>>;
}

const SHARDS = '0123456789abcdef'.split('');

/** The shard of an object id: its first hex digit (GUIDs), else a stable fallback. */
export function directoryShardOf(objectId: string): string {
  const first = objectId.charAt(0).toLowerCase();
  return SHARDS.includes(first) ? first : SHARDS[objectId.charCodeAt(0) % SHARDS.length];
}

/**
 * `$top=999` is the page maximum; `$select` keeps pages small and asks for `accountEnabled`, which
 * Graph returns only when selected (https://learn.microsoft.com/graph/api/resources/user).
 */
const SELECT = '$select=id,mail,userPrincipalName,accountEnabled&$top=999';

/** The first page: every user, or only the group's transitive members that are users. */
export function directoryFirstPage(groupId?: string): string {
  return groupId ? `/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user?${SELECT}` : `/users?${SELECT}`;
}

export interface DirectoryListing {
  /** Enabled users with an email, in object-id order. */
  readonly entries: readonly DirectoryEntry[];
  readonly listed: number;
  readonly disabled: number;
  readonly withoutEmail: number;
}

/** Lists users (or the group's transitive members) with paging; keeps enabled users with an address. */
export async function listDirectoryUsers(
  graph: Client,
  graphBaseUrl: string,
  onPage?: (usersSoFar: number) => void,
  groupId?: string,
): Promise<DirectoryListing> {
  const users = new Map<string, string>();
  const what = groupId ? `GET /groups/${groupId}/transitiveMembers` : 'GET /users';
  let path: string | undefined = directoryFirstPage(groupId);
  let listed = 0;
  let disabled = 0;
  let withoutEmail = 0;
  for (let page = 0; path !== undefined; page += 1) {
    if (page > 10_000) throw new GraphRequestError(`${what} kept returning next links; stopped after 10,000 pages`, undefined);
    let body: unknown;
    try {
      body = await graph.api(path).get();
    } catch (error) {
      if (groupId && page === 0 && graphErrorStatus(error) === 404) {
        throw new GraphRequestError(
          `TEAMS_USER_GROUP_ID ${groupId}: Graph has no such group (404); set it to the group's object id, or unset it to cover the whole directory`,
          404,
          { cause: error },
        );
      }
      if (groupId && page === 0 && graphErrorStatus(error) === 403) {
        throw new GraphRequestError(
          `TEAMS_USER_GROUP_ID ${groupId}: Graph refused to list the group's members (403); grant the app the application permission GroupMember.Read.All and admin-consent it`,
          403,
          { cause: error },
        );
      }
      throw toGraphRequestError(error, groupId ? `listing the members of group ${groupId} (TEAMS_USER_GROUP_ID)` : 'listing users');
    }
    const parsed = UserPageSchema.safeParse(body);
    if (!parsed.success) throw new GraphRequestError(`${what} returned an unexpected page`, undefined);
    for (const user of parsed.data.value) {
      const id = user.id.toLowerCase();
      // A user reached through several nested groups is listed once by Graph, but be safe.
      if (users.has(id)) continue;
      listed += 1;
      if (user.accountEnabled === false) {
        disabled += 1;
        continue;
      }
      const email = (user.mail?.trim() || user.userPrincipalName?.trim() || '').toLowerCase();
      if (email) users.set(id, email);
      else withoutEmail += 1;
    }
    onPage?.(listed);
    const next = parsed.data['@odata.nextLink'];
    path = next ? relativeGraphPath(graphBaseUrl, next) : undefined;
  }
  const entries = [...users].map(([objectId, email]) => ({ objectId, email }));
  return { entries: entries.sort(byObjectId), listed, disabled, withoutEmail };
}

function byObjectId(a: DirectoryEntry, b: DirectoryEntry): number {
  return a.objectId < b.objectId ? -1 : a.objectId > b.objectId ? 1 : 0;
}

async function loadShard(store: DocumentStore, shard: string): Promise<Readonly<Record<string, string>>> {
  return (await store.getDocument<DirectoryShard>(TEAMS_DOCUMENTS.directoryShard(shard)))?.value.users ?? {};
}

/** The whole directory (manifest + every shard), or undefined before the first refresh. */
export async function loadTeamsDirectory(store: DocumentStore): Promise<TeamsDirectory | undefined> {
  const manifest = (await store.getDocument<DirectoryManifest>(TEAMS_DOCUMENTS.directory))?.value;
  if (!manifest) return undefined;
  const users: Record<string, string> = {};
  for (const shard of manifest.shards) Object.assign(users, await loadShard(store, shard));
  return { users, refreshedAt: manifest.refreshedAt, coverage: manifest.coverage };
}

/** When the directory was last refreshed and how coverage was decided (the manifest only, no shards). */
export async function loadDirectoryCoverage(store: DocumentStore): Promise<{ refreshedAt: string; coverage?: DirectoryCoverage } | undefined> {
  const manifest = (await store.getDocument<DirectoryManifest>(TEAMS_DOCUMENTS.directory))?.value;
  return manifest && { refreshedAt: manifest.refreshedAt, coverage: manifest.coverage };
}

/** Stores a directory: unchanged shards are not rewritten; the manifest is written last. */
export async function saveTeamsDirectory(store: DocumentStore, directory: TeamsDirectory): Promise<void> {
  const byShard = new Map<string, Record<string, string>>(SHARDS.map((shard) => [shard, {}]));
  for (const [id, email] of Object.entries(directory.users)) byShard.get(directoryShardOf(id))![id] = email;
  for (const [shard, users] of byShard) {
    const name = TEAMS_DOCUMENTS.directoryShard(shard);
    const current = await store.getDocument<DirectoryShard>(name);
    if (current && JSON.stringify(current.value.users) === JSON.stringify(users)) continue;
    await updateDocument<DirectoryShard>(store, name, () => ({ users }));
  }
  await updateDocument<DirectoryManifest>(store, TEAMS_DOCUMENTS.directory, () => ({
    refreshedAt: directory.refreshedAt,
    userCount: Object.keys(directory.users).length,
    shards: SHARDS,
    ...(directory.coverage ? { coverage: directory.coverage } : {}),
  }));
}

/**
 * Lists users, decides coverage and stores the directory of covered users. The listing and the
 * coverage are both read before anything is written, so a failure leaves the previous directory.
 */
export async function refreshTeamsDirectory(options: {
  readonly graph: Client;
  readonly graphBaseUrl: string;
  readonly store: DocumentStore;
  /** TEAMS_USER_GROUP_ID. */
  readonly groupId?: string;
  readonly resolveCoverage?: ResolveCoverage;
  readonly now?: () => number;
  readonly onPage?: (usersSoFar: number) => void;
}): Promise<TeamsDirectory> {
  const listing = await listDirectoryUsers(options.graph, options.graphBaseUrl, options.onPage, options.groupId);
  const covered = options.resolveCoverage ? await options.resolveCoverage(listing.entries) : listing.entries;
  const users: Record<string, string> = {};
  for (const entry of covered) users[entry.objectId] = entry.email;
  const coverage: DirectoryCoverage = {
    listed: listing.listed,
    disabled: listing.disabled,
    withoutEmail: listing.withoutEmail,
    withoutGenesysUser: listing.entries.length - Object.keys(users).length,
    covered: Object.keys(users).length,
    ...(options.groupId ? { groupId: options.groupId } : {}),
    by: options.resolveCoverage ? 'genesys' : 'all',
  };
  const directory: TeamsDirectory = { users, refreshedAt: new Date((options.now ?? Date.now)()).toISOString(), coverage };
  await saveTeamsDirectory(options.store, directory);
  return directory;
}

/** The entries in a stable order (object id), as the maintainer assigns them to accounts. */
export function directoryEntries(directory: TeamsDirectory): DirectoryEntry[] {
  return Object.entries(directory.users)
    .map(([objectId, email]) => ({ objectId, email }))
    .sort(byObjectId);
}

/** How long a loaded shard of the email directory is used before it is read again. */
const DIRECTORY_TTL_MS = 5 * 60_000;
/** A user missing from a loaded shard reloads it at most this often (the maintainer may have just added them). */
const DIRECTORY_MISS_RELOAD_MS = 30_000;

/**
 * An email lookup for the worker (matches `EmailDirectory` in src/users/user-resolver.ts): reads the
 * user's shard at most once per `DIRECTORY_TTL_MS`, and again on a miss at most once per `DIRECTORY_MISS_RELOAD_MS`.
 */
export function createTeamsEmailDirectory(store: DocumentStore, options: { readonly now?: () => number } = {}): (key: StateKey) => Promise<string | undefined> {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { users: Readonly<Record<string, string>>; loadedAt: number; loading?: Promise<void> }>();

  const reload = (shard: string): Promise<void> => {
    const entry = cache.get(shard) ?? { users: {}, loadedAt: -Infinity };
    cache.set(shard, entry);
    entry.loading ??= loadShard(store, shard)
      .then((users) => {
        entry.users = users;
        entry.loadedAt = now();
      })
      .finally(() => {
        entry.loading = undefined;
      });
    return entry.loading;
  };

  return async (key) => {
    if (key.system !== 'teams') return undefined;
    const id = key.externalUserId.toLowerCase();
    const shard = directoryShardOf(id);
    if (now() - (cache.get(shard)?.loadedAt ?? -Infinity) > DIRECTORY_TTL_MS) await reload(shard);
    if (cache.get(shard)!.users[id] === undefined && now() - cache.get(shard)!.loadedAt > DIRECTORY_MISS_RELOAD_MS) await reload(shard);
    return cache.get(shard)!.users[id];
  };
}
