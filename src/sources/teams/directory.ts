/**
 * The Teams user directory: Entra object id → email, from app-only `GET /users`
 * (`mail`, then `userPrincipalName` — mail and UPN can differ, so mail wins; docs-contrib
 * `api-reference/v1.0/api/user-list.md`, vendor facts §6 "Resolving users"). Kept in the
 * DocumentStore so the worker resolves emails without calling Graph.
 *
 * Stored as 16 shards keyed by the object id's first hex digit plus a small manifest, so a large
 * tenant stays within a document-size limit (DynamoDB items are ≤400 KB: ~5,000 users in one
 * document, ~80,000 in 16 shards), and the worker reads only the shard of the user it resolves.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import type { DocumentStore, StateKey } from '../../store/state-store';
import { TEAMS_DOCUMENTS, updateDocument } from './documents';
import { relativeGraphPath, toGraphRequestError } from './graph-client';
import { UserPageSchema } from './schema';
import { GraphRequestError } from './teams-errors';

export interface TeamsDirectory {
  /** Lower-cased object id → lower-cased email. */
  readonly users: Readonly<Record<string, string>>;
  readonly refreshedAt: string;
}

export interface DirectoryEntry {
  readonly objectId: string;
  readonly email: string;
}

interface DirectoryManifest {
  readonly refreshedAt: string;
  readonly userCount: number;
  readonly shards: readonly string[];
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

/** `$top=999` is the page maximum for users; `$select` keeps pages small. */
const FIRST_PAGE = '/users?$select=id,mail,userPrincipalName&$top=999';

/** Lists every user with paging and returns objectId → email (users without either address are left out). */
export async function listDirectoryUsers(
  graph: Client,
  graphBaseUrl: string,
  onPage?: (usersSoFar: number) => void,
): Promise<Record<string, string>> {
  const users: Record<string, string> = {};
  let path: string | undefined = FIRST_PAGE;
  let count = 0;
  for (let page = 0; path !== undefined; page += 1) {
    if (page > 10_000) throw new GraphRequestError('GET /users kept returning next links; stopped after 10,000 pages', undefined);
    let body: unknown;
    try {
      body = await graph.api(path).get();
    } catch (error) {
      throw toGraphRequestError(error, 'listing users');
    }
    const parsed = UserPageSchema.safeParse(body);
    if (!parsed.success) throw new GraphRequestError('GET /users returned an unexpected page', undefined);
    for (const user of parsed.data.value) {
      const email = (user.mail?.trim() || user.userPrincipalName?.trim() || '').toLowerCase();
      if (email) users[user.id.toLowerCase()] = email;
    }
    count += parsed.data.value.length;
    onPage?.(count);
    const next = parsed.data['@odata.nextLink'];
    path = next ? relativeGraphPath(graphBaseUrl, next) : undefined;
  }
  return users;
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
  return { users, refreshedAt: manifest.refreshedAt };
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
  }));
}

/** Lists users and stores the directory. */
export async function refreshTeamsDirectory(options: {
  readonly graph: Client;
  readonly graphBaseUrl: string;
  readonly store: DocumentStore;
  readonly now?: () => number;
  readonly onPage?: (usersSoFar: number) => void;
}): Promise<TeamsDirectory> {
  const users = await listDirectoryUsers(options.graph, options.graphBaseUrl, options.onPage);
  const directory: TeamsDirectory = { users, refreshedAt: new Date((options.now ?? Date.now)()).toISOString() };
  await saveTeamsDirectory(options.store, directory);
  return directory;
}

/** The entries in a stable order (object id), as the maintainer assigns them to accounts. */
export function directoryEntries(directory: TeamsDirectory): DirectoryEntry[] {
  return Object.entries(directory.users)
    .map(([objectId, email]) => ({ objectId, email }))
    .sort((a, b) => (a.objectId < b.objectId ? -1 : a.objectId > b.objectId ? 1 : 0));
}

/**
 * An email lookup for the worker (matches `EmailDirectory` in src/users/user-resolver.ts): reads the
 * user's shard at most once per `ttlMs`, and again on a miss at most once per `missReloadMs`.
 */
export function createTeamsEmailDirectory(
  store: DocumentStore,
  options: { readonly ttlMs?: number; readonly missReloadMs?: number; readonly now?: () => number } = {},
): (key: StateKey) => Promise<string | undefined> {
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const missReloadMs = options.missReloadMs ?? 30_000;
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
    if (now() - (cache.get(shard)?.loadedAt ?? -Infinity) > ttlMs) await reload(shard);
    if (cache.get(shard)!.users[id] === undefined && now() - cache.get(shard)!.loadedAt > missReloadMs) await reload(shard);
    return cache.get(shard)!.users[id];
  };
}
