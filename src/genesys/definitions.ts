/**
 * The organization's presence definitions, resolved at run time (docs/architecture.md: definition ids
 * resolved at run time): no id is hard-coded, even though the built-in ids look identical across orgs
 * (docs/vendors.md#genesys-presence-definitions).
 *
 * `GET /api/v2/presence/definitions` is the current endpoint; the deprecated
 * `GET /api/v2/presencedefinitions` is the fallback when it answers 404/410. Their spellings differ:
 * the SDK enum says `OnQueue`, a captured real deprecated payload says `"On Queue"` and has `primary`
 * instead of `type`, notifications say `ON_QUEUE` — so `systemPresence` is compared case-, space-,
 * underscore- and hyphen-insensitively.
 */
import { silentLogger, type Logger } from '../logger';
import { GenesysApiError } from './genesys-errors';
import type { GenesysHttp } from './http';

/** One active definition, from either endpoint. */
/** A miss forces a reload at most this often: an unknown mapping target must not hammer Genesys. */
const MISS_RELOAD_MIN_AGE_MS = 60_000;

export interface PresenceDefinitionEntry {
  readonly id: string;
  /** As the organization spells it (`OnQueue` or `On Queue`). */
  readonly systemPresence: string;
  /** True for the System (primary) definition of a system presence; false for an org-defined secondary. */
  readonly primary: boolean | undefined;
  readonly type?: string;
  readonly languageLabels: Readonly<Record<string, string>>;
  /** A display label: en_US, else the first label, else the system presence. */
  readonly label: string;
}

/** What a mapping target resolves to. */
export interface ResolvedDefinition {
  readonly id: string;
  readonly systemPresence: string;
  readonly label: string;
}

export interface PresenceDefinitionsOptions {
  readonly http: GenesysHttp;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/** How long a loaded list of definitions is used before it is read again. */
const DEFINITIONS_TTL_MS = 15 * 60_000;

/** Folds "On Queue", "OnQueue", "ON_QUEUE" and "on-queue" to one key. */
export function normalizePresenceName(value: string): string {
  return value.replace(/[\s_-]+/g, '').toLowerCase();
}

interface RawDefinition {
  id?: unknown;
  systemPresence?: unknown;
  type?: unknown;
  primary?: unknown;
  deactivated?: unknown;
  languageLabels?: unknown;
  name?: unknown;
}

interface RawListing {
  entities?: RawDefinition[];
  pageCount?: number;
  pageNumber?: number;
}

const CURRENT_PATH = '/api/v2/presence/definitions';
const DEPRECATED_PATH = '/api/v2/presencedefinitions';
const PAGE_SIZE = 100;
/** Stops a listing that never ends (a server ignoring pageNumber). */
const MAX_PAGES = 50;

/** Loads, caches and resolves presence definitions. */
export class PresenceDefinitions {
  private readonly logger: Logger;
  private readonly now: () => number;
  private cached: { entries: PresenceDefinitionEntry[]; loadedAt: number; endpoint: string } | undefined;
  private inFlight: Promise<PresenceDefinitionEntry[]> | undefined;

  constructor(private readonly options: PresenceDefinitionsOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
  }

  /** Active definitions, from the cache while younger than the TTL (or always reloaded with `force`). */
  async list(force = false): Promise<PresenceDefinitionEntry[]> {
    if (!force && this.cached && this.now() - this.cached.loadedAt < DEFINITIONS_TTL_MS) return this.cached.entries;
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** The endpoint the cached list came from (for the CLI), or undefined before the first load. */
  get endpoint(): string | undefined {
    return this.cached?.endpoint;
  }

  /**
   * The definition for a mapping target: a `systemPresence` in any spelling (preferring the System,
   * primary definition), else a secondary presence whose label (any language) equals the target,
   * case-insensitively. A miss reloads once (rate-limited), since an admin may have just added it.
   */
  async resolve(target: string): Promise<ResolvedDefinition | undefined> {
    const found = findDefinition(await this.list(), target);
    if (found) return found;
    if (this.cached && this.now() - this.cached.loadedAt < MISS_RELOAD_MIN_AGE_MS) return undefined;
    return findDefinition(await this.list(true), target);
  }

  /** Drops the cache. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async load(): Promise<PresenceDefinitionEntry[]> {
    let raw: RawDefinition[];
    let endpoint = CURRENT_PATH;
    try {
      try {
        raw = await this.fetchAll(CURRENT_PATH, { deactivated: false }, false);
      } catch (error) {
        if (!(error instanceof GenesysApiError) || (error.status !== 404 && error.status !== 410)) throw error;
        this.logger.warn('presence definitions endpoint missing; using the deprecated one', { status: error.status });
        endpoint = DEPRECATED_PATH;
        raw = await this.fetchAll(DEPRECATED_PATH, {}, true);
      }
    } catch (error) {
      // Definitions rarely change: a stale list beats no list while Genesys is unwell.
      if (this.cached) {
        this.logger.warn('could not reload presence definitions; using the previous list', { error: String(error) });
        return this.cached.entries;
      }
      throw error;
    }
    const entries = raw.map(toEntry).filter((entry): entry is PresenceDefinitionEntry => entry !== undefined);
    this.cached = { entries, loadedAt: this.now(), endpoint };
    this.logger.debug('presence definitions loaded', { endpoint, count: entries.length });
    return entries;
  }

  /**
   * Reads every page. The current endpoint documents no paging parameters (only deactivated,
   * divisionId, localeCode), so they are sent to the deprecated one only (paged, default 25); a
   * `pageCount` in any answer is still followed.
   */
  private async fetchAll(path: string, extra: Record<string, string | boolean>, paged: boolean): Promise<RawDefinition[]> {
    const all: RawDefinition[] = [];
    for (let pageNumber = 1; pageNumber <= MAX_PAGES; pageNumber += 1) {
      const page = await this.options.http.request<RawListing>({
        method: 'GET',
        path,
        query: paged ? { ...extra, pageSize: PAGE_SIZE, pageNumber } : extra,
        permission: 'presence:presenceDefinition:view',
      });
      const entities = Array.isArray(page?.entities) ? page.entities : [];
      const more = typeof page?.pageCount === 'number' && pageNumber < page.pageCount && entities.length > 0;
      // Unexpectedly paged without paging parameters: start over with explicit pages of one size.
      if (!paged && more) return this.fetchAll(path, extra, true);
      all.push(...entities);
      if (!more) break;
    }
    return all;
  }
}

function toEntry(raw: RawDefinition): PresenceDefinitionEntry | undefined {
  if (typeof raw?.id !== 'string' || typeof raw.systemPresence !== 'string') return undefined;
  if (raw.deactivated === true) return undefined;
  const languageLabels: Record<string, string> = {};
  if (raw.languageLabels && typeof raw.languageLabels === 'object') {
    for (const [locale, label] of Object.entries(raw.languageLabels as Record<string, unknown>)) {
      if (typeof label === 'string') languageLabels[locale] = label;
    }
  }
  const type = typeof raw.type === 'string' ? raw.type : undefined;
  // The current endpoint says type System|User; the deprecated one says primary true|false.
  const primary = type !== undefined ? type.toLowerCase() === 'system' : typeof raw.primary === 'boolean' ? raw.primary : undefined;
  const label = languageLabels.en_US ?? Object.values(languageLabels)[0] ?? (typeof raw.name === 'string' ? raw.name : raw.systemPresence);
  return { id: raw.id, systemPresence: raw.systemPresence, primary, type, languageLabels, label };
}

/** Pure lookup used by `resolve`: system presence first (primary preferred), then secondary label. */
export function findDefinition(entries: readonly PresenceDefinitionEntry[], target: string): ResolvedDefinition | undefined {
  const wanted = normalizePresenceName(target);
  if (wanted === '') return undefined;
  const rank = (entry: PresenceDefinitionEntry): number => (entry.primary === true ? 2 : entry.primary === undefined ? 1 : 0);
  const bySystem = entries.filter((entry) => normalizePresenceName(entry.systemPresence) === wanted).sort((a, b) => rank(b) - rank(a))[0];
  if (bySystem) return { id: bySystem.id, systemPresence: bySystem.systemPresence, label: bySystem.label };
  const label = target.trim().toLowerCase();
  const byLabel = entries.find((entry) => Object.values(entry.languageLabels).some((value) => value.trim().toLowerCase() === label));
  if (byLabel) return { id: byLabel.id, systemPresence: byLabel.systemPresence, label: byLabel.label };
  return undefined;
}
