/**
 * The Teams user directory: Entra object id → email, from app-only `GET /users`
 * (`mail`, then `userPrincipalName` — mail and UPN can differ, so mail wins; docs-contrib
 * `api-reference/v1.0/api/user-list.md`, vendor facts §6 "Resolving users"). Kept in one
 * DocumentStore document so the worker resolves emails without calling Graph.
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

export async function loadTeamsDirectory(store: DocumentStore): Promise<TeamsDirectory | undefined> {
  return (await store.getDocument<TeamsDirectory>(TEAMS_DOCUMENTS.directory))?.value;
}

/** Lists users and stores the directory document. */
export async function refreshTeamsDirectory(options: {
  readonly graph: Client;
  readonly graphBaseUrl: string;
  readonly store: DocumentStore;
  readonly now?: () => number;
  readonly onPage?: (usersSoFar: number) => void;
}): Promise<TeamsDirectory> {
  const users = await listDirectoryUsers(options.graph, options.graphBaseUrl, options.onPage);
  const directory: TeamsDirectory = { users, refreshedAt: new Date((options.now ?? Date.now)()).toISOString() };
  await updateDocument<TeamsDirectory>(options.store, TEAMS_DOCUMENTS.directory, () => directory);
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
 * directory document at most once per `ttlMs`, and again on a miss at most once per `missReloadMs`.
 */
export function createTeamsEmailDirectory(
  store: DocumentStore,
  options: { readonly ttlMs?: number; readonly missReloadMs?: number; readonly now?: () => number } = {},
): (key: StateKey) => Promise<string | undefined> {
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const missReloadMs = options.missReloadMs ?? 30_000;
  const now = options.now ?? Date.now;
  let users: Readonly<Record<string, string>> = {};
  let loadedAt = -Infinity;
  let loading: Promise<void> | undefined;

  const reload = (): Promise<void> => {
    loading ??= loadTeamsDirectory(store)
      .then((directory) => {
        users = directory?.users ?? {};
        loadedAt = now();
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };

  return async (key) => {
    if (key.system !== 'teams') return undefined;
    const id = key.externalUserId.toLowerCase();
    if (now() - loadedAt > ttlMs) await reload();
    if (users[id] === undefined && now() - loadedAt > missReloadMs) await reload();
    return users[id];
  };
}
