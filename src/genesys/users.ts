/**
 * Finding Genesys users by email (docs/architecture.md: users matched by email, case-insensitively).
 *
 * `POST /api/v2/users/search` needs `directory:user:view`; a criterion may carry up to 50 `values`
 * and page size is at most 100; EXACT searches are limited to 4000 per 60 s
 * (https://developer.genesys.cloud/organization/search/search-limits). That `values` works with EXACT, that
 * the field is called `email`, and whether search is case-sensitive are not documented
 * (docs/vendors.md#genesys-open-questions-and-how-the-code-hedges): so each email is sent as given and
 * lower-cased, results are compared lower-cased, and a 400 on `values` switches to one EXACT `value`
 * criterion per email.
 * `GET /api/v2/users?state=active` pages the whole directory for bulk matching.
 */
import { silentLogger, type Logger } from '../logger';
import { GenesysApiError } from './genesys-errors';
import type { GenesysHttp } from './http';

export interface GenesysUsersOptions {
  readonly http: GenesysHttp;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/** How long a found user is remembered. */
const FOUND_TTL_MS = 60 * 60_000;
/** How long "no such user" is remembered: a new hire appears soon. */
const NOT_FOUND_TTL_MS = 5 * 60_000;

interface UserModel {
  id?: unknown;
  email?: unknown;
  state?: unknown;
}

interface SearchResponse {
  results?: UserModel[];
  pageCount?: number;
}

interface UserListing {
  entities?: UserModel[];
  pageCount?: number;
}

/** "at most 50 entries in values" (search limits page). */
export const SEARCH_VALUES_LIMIT = 50;
const SEARCH_PAGE_SIZE = 100;
const LIST_PAGE_SIZE = 100;
const MAX_SEARCH_PAGES = 100;
const PERMISSION = 'directory:user:view';

function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The spellings to search for one email: as given and lower-cased. */
function variantsOf(email: string): string[] {
  const given = email.trim();
  return [...new Set([given, given.toLowerCase()])];
}

/** Active users only: a deleted or inactive user cannot take a presence. */
function activeEmailAndId(user: UserModel): { email: string; id: string } | undefined {
  if (typeof user?.id !== 'string' || typeof user.email !== 'string') return undefined;
  if (typeof user.state === 'string' && user.state.toLowerCase() !== 'active') return undefined;
  return { email: normalizeEmail(user.email), id: user.id };
}

/** Looks up Genesys users by email, with a positive and negative cache. */
export class GenesysUsers {
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly cache = new Map<string, { id: string | undefined; expiresAt: number }>();
  private readonly pending = new Map<string, Promise<string | undefined>>();
  private valuesRejected = false;

  constructor(private readonly options: GenesysUsersOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
  }

  /** Genesys user id for one email, or undefined. */
  async findByEmail(email: string): Promise<string | undefined> {
    return (await this.findByEmails([email])).get(normalizeEmail(email));
  }

  /**
   * Genesys user ids by lower-cased email, for the emails that match an active user. Cached answers
   * are used; concurrent lookups of the same email share one search.
   */
  async findByEmails(emails: readonly string[]): Promise<Map<string, string>> {
    const wanted = new Map<string, string>();
    for (const email of emails) {
      const key = normalizeEmail(email);
      if (key !== '' && !wanted.has(key)) wanted.set(key, email.trim());
    }
    const answers = new Map<string, Promise<string | undefined>>();
    const missing: string[] = [];
    const now = this.now();
    for (const [key, given] of wanted) {
      const cached = this.cache.get(key);
      if (cached && cached.expiresAt > now) answers.set(key, Promise.resolve(cached.id));
      else if (this.pending.has(key)) answers.set(key, this.pending.get(key)!);
      else missing.push(given);
    }
    if (missing.length > 0) {
      const batch = this.searchAll(missing);
      for (const given of missing) {
        const key = normalizeEmail(given);
        const answer = batch.then((found) => found.get(key));
        this.pending.set(key, answer);
        answers.set(key, answer);
        void answer.finally(() => this.pending.delete(key)).catch(() => undefined);
      }
    }
    const found = new Map<string, string>();
    for (const [key, answer] of answers) {
      const id = await answer;
      if (id !== undefined) found.set(key, id);
    }
    return found;
  }

  /** True when `email` is answered without a new search: cached and fresh, or being searched right now. */
  isCached(email: string): boolean {
    const key = normalizeEmail(email);
    const cached = this.cache.get(key);
    return (cached !== undefined && cached.expiresAt > this.now()) || this.pending.has(key);
  }

  /** Every active user, by lower-cased email (bulk matching); also fills the cache. */
  async listAll(): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (let pageNumber = 1; ; pageNumber += 1) {
      const page = await this.options.http.request<UserListing>({
        method: 'GET',
        path: '/api/v2/users',
        query: { pageSize: LIST_PAGE_SIZE, pageNumber, state: 'active' },
        permission: PERMISSION,
      });
      const entities = Array.isArray(page?.entities) ? page.entities : [];
      for (const user of entities) {
        const match = activeEmailAndId(user);
        if (match && !found.has(match.email)) found.set(match.email, match.id);
      }
      const pageCount = typeof page?.pageCount === 'number' ? page.pageCount : undefined;
      if (entities.length === 0 || (pageCount !== undefined && pageNumber >= pageCount)) break;
    }
    const expiresAt = this.now() + FOUND_TTL_MS;
    for (const [email, id] of found) this.cache.set(email, { id, expiresAt });
    return found;
  }

  /** Forgets every cached email that answered this user id (the user turned out to be gone). */
  forgetUserId(id: string): void {
    for (const [email, entry] of this.cache) if (entry.id === id) this.cache.delete(email);
  }

  /** Forgets cached answers (one email, or all). */
  forget(email?: string): void {
    if (email === undefined) this.cache.clear();
    else this.cache.delete(normalizeEmail(email));
  }

  /** Searches for the emails in batches and caches every answer, found or not. */
  private async searchAll(emails: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const batch of batchByValues(emails)) {
      for (const [email, id] of await this.searchBatch(batch)) found.set(email, id);
    }
    const now = this.now();
    for (const email of emails) {
      const key = normalizeEmail(email);
      const id = found.get(key);
      this.cache.set(key, { id, expiresAt: now + (id === undefined ? NOT_FOUND_TTL_MS : FOUND_TTL_MS) });
    }
    return found;
  }

  private async searchBatch(emails: readonly string[]): Promise<Map<string, string>> {
    if (!this.valuesRejected) {
      try {
        return await this.search([{ type: 'EXACT', fields: ['email'], values: emails.flatMap(variantsOf) }]);
      } catch (error) {
        if (!(error instanceof GenesysApiError) || error.status !== 400) throw error;
        this.valuesRejected = true;
        this.logger.warn('Genesys user search refused `values`; searching one email per request', { error: error.message });
      }
    }
    const found = new Map<string, string>();
    for (const email of emails) {
      const variants = variantsOf(email);
      const query =
        variants.length === 1
          ? [{ type: 'EXACT', fields: ['email'], value: variants[0] }]
          : variants.map((value) => ({ type: 'EXACT', fields: ['email'], value, operator: 'OR' }));
      for (const [key, id] of await this.search(query)) found.set(key, id);
    }
    return found;
  }

  private async search(query: readonly Record<string, unknown>[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (let pageNumber = 1; pageNumber <= MAX_SEARCH_PAGES; pageNumber += 1) {
      const page = await this.options.http.request<SearchResponse>({
        method: 'POST',
        path: '/api/v2/users/search',
        body: { query, pageSize: SEARCH_PAGE_SIZE, pageNumber },
        // A search is a read.
        idempotent: true,
        permission: PERMISSION,
      });
      const results = Array.isArray(page?.results) ? page.results : [];
      for (const user of results) {
        const match = activeEmailAndId(user);
        if (match && !found.has(match.email)) found.set(match.email, match.id);
      }
      if (typeof page?.pageCount !== 'number' || pageNumber >= page.pageCount || results.length === 0) break;
    }
    return found;
  }
}

/** Splits emails so that each batch's values (every email as given and lower-cased) number at most 50. */
export function batchByValues(emails: readonly string[], limit = SEARCH_VALUES_LIMIT): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const email of emails) {
    const count = variantsOf(email).length;
    if (size + count > limit && current.length > 0) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(email);
    size += count;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
