/**
 * The bridge's custom presence sources, one per external system (docs/genesys.md, "Presence sources"):
 * found by name, created with `POST /api/v2/presence/sources` when missing, reactivated when
 * deactivated, re-created when deleted, and remembered in a DocumentStore document.
 *
 * The listing has no paging, only `deactivated` (whether `true` means "only" or "also" deactivated is
 * not documented, so both lists are read and merged); `name` is the only required field; name
 * uniqueness is not documented (plan for 409)
 * (https://github.com/MyPureCloud/platform-client-sdk-javascript/blob/master/build/docs/PresenceApi.md). Sources
 * of `type: "System"` are registered, Genesys-owned sources — one may well be named
 * "Microsoft Teams" — and are never adopted or modified, unless the bridge created them: a source
 * whose id the bridge remembers is its own whatever `type` Genesys reports (the `Source` model only
 * says "The type of source", System or User, not what decides it or whether it can change:
 * https://github.com/MyPureCloud/platform-client-sdk-python/blob/master/build/docs/Source.md). A refused
 * reactivation (400) falls back to creating a new source. See docs/genesys.md.
 */
import { silentLogger, type Logger } from '../logger';
import type { DocumentStore } from '../store/state-store';
import { SYSTEM_LABELS, SYSTEMS, type SystemName } from '../systems';
import { GenesysApiError, GenesysSourceError } from './genesys-errors';
import { segment, type GenesysHttp } from './http';

/** `Source` (JS-SDK index.d.ts). */
export interface PresenceSource {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  /** `System` (registered) or `User` (custom); absent is treated as `User`. */
  readonly type?: string;
  readonly deactivated?: boolean;
  readonly selfUri?: string;
}

export interface EnsuredSource {
  readonly id: string;
  readonly name: string;
}

export type EnsuredSources = Readonly<Record<SystemName, EnsuredSource>>;
export type SourceNames = Readonly<Record<SystemName, string>>;

/** What the document `genesys-sources` holds. */
export interface SourcesDocument {
  readonly sources: Partial<Record<SystemName, EnsuredSource>>;
  readonly updatedAt: string;
}

export const SOURCES_DOCUMENT = 'genesys-sources';
const SOURCES_PATH = '/api/v2/presence/sources';

export interface PresenceSourcesOptions {
  readonly http: GenesysHttp;
  readonly documents: DocumentStore;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/** How long `getSources` trusts its last check. */
const SOURCES_TTL_MS = 15 * 60_000;

/** True for registered (Genesys-owned) sources, which the bridge must never take or modify. */
export function isSystemSource(source: PresenceSource): boolean {
  return (source.type ?? 'User').toLowerCase() === 'system';
}

function sameName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Finds, creates, reactivates and remembers the bridge's presence sources. */
export class PresenceSources {
  private readonly logger: Logger;
  private readonly now: () => number;
  private inFlight: { key: string; promise: Promise<EnsuredSources> } | undefined;
  private cache: { key: string; value: EnsuredSources; checkedAt: number } | undefined;

  constructor(private readonly options: PresenceSourcesOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
  }

  /**
   * Makes sure each system has an active custom source with its configured name and returns the ids.
   * Always checks Genesys (two list calls, plus a create or reactivation where needed). Concurrent
   * calls in this process share one run; concurrent processes converge through 409-adoption and the
   * document's optimistic version.
   */
  async ensureSources(names: SourceNames): Promise<EnsuredSources> {
    assertDistinctNames(names);
    const key = JSON.stringify(SYSTEMS.map((system) => names[system]));
    if (this.inFlight?.key === key) return this.inFlight.promise;
    const previous = this.inFlight?.promise.catch(() => undefined);
    const promise = (async () => {
      await previous;
      const value = await this.ensureWithDocument(names);
      this.cache = { key, value, checkedAt: this.now() };
      return value;
    })().finally(() => {
      if (this.inFlight?.promise === promise) this.inFlight = undefined;
    });
    this.inFlight = { key, promise };
    return promise;
  }

  /** The sources, from the last check if it is younger than the cache TTL, else from `ensureSources`. */
  async getSources(names: SourceNames): Promise<EnsuredSources> {
    const key = JSON.stringify(SYSTEMS.map((system) => names[system]));
    if (this.cache?.key === key && this.now() - this.cache.checkedAt < SOURCES_TTL_MS) return this.cache.value;
    return this.ensureSources(names);
  }

  /** Forgets the last check, e.g. after a write answered 404 for the source; the next `getSources` re-ensures. */
  forget(): void {
    this.cache = undefined;
  }

  /** What the document remembers, without asking Genesys. */
  async remembered(): Promise<Partial<Record<SystemName, EnsuredSource>>> {
    const document = await this.options.documents.getDocument<SourcesDocument>(SOURCES_DOCUMENT);
    return document?.value.sources ?? {};
  }

  /** Every source of the organization, active and deactivated, System and User. */
  async listSources(): Promise<PresenceSource[]> {
    const lists = await Promise.all(
      [false, true].map((deactivated) =>
        this.options.http.request<{ entities?: PresenceSource[] }>({
          method: 'GET',
          path: SOURCES_PATH,
          query: { deactivated },
          permission: 'presence:source:view',
        }),
      ),
    );
    const byId = new Map<string, PresenceSource>();
    for (const list of lists) {
      for (const source of list.entities ?? []) {
        if (source && typeof source.id === 'string' && typeof source.name === 'string') byId.set(source.id, source);
      }
    }
    return [...byId.values()];
  }

  /** Runs an ensure and records the ids; on a concurrent document update, runs again preferring the stored ids. */
  private async ensureWithDocument(names: SourceNames): Promise<EnsuredSources> {
    for (let round = 1; ; round += 1) {
      const document = await this.options.documents.getDocument<SourcesDocument>(SOURCES_DOCUMENT);
      const remembered = document?.value.sources ?? {};
      const result = await this.ensureOnce(names, remembered);
      const unchanged = SYSTEMS.every((system) => remembered[system]?.id === result[system].id && remembered[system]?.name === result[system].name);
      if (unchanged) return result;
      const stored = await this.options.documents.putDocument<SourcesDocument>(
        SOURCES_DOCUMENT,
        { sources: { ...result }, updatedAt: new Date(this.now()).toISOString() },
        document?.version,
      );
      if (stored) return result;
      // Another process recorded its ids meanwhile: re-run, which adopts the ones it recorded.
      if (round >= 3) {
        throw new GenesysSourceError(`could not record the presence source ids in document "${SOURCES_DOCUMENT}" after ${round} attempts (concurrent updates)`);
      }
      this.logger.info('presence source document changed concurrently; re-checking', { round });
    }
  }

  private async ensureOnce(names: SourceNames, remembered: Partial<Record<SystemName, EnsuredSource>>): Promise<EnsuredSources> {
    let all = await this.listSources();
    const result = {} as Record<SystemName, EnsuredSource>;
    for (const system of SYSTEMS) {
      const name = names[system];
      const rememberedId = remembered[system]?.id;
      let source = pickSource(all, name, rememberedId);
      if (source && isSystemSource(source)) {
        // Only reachable for the remembered id: the bridge created it, so it is ours whatever Genesys reports.
        this.logger.info('adopting the presence source the bridge created although Genesys reports it as System', {
          system,
          sourceId: source.id,
          name,
        });
      }
      if (!source) {
        if (rememberedId && !all.some((s) => s.id === rememberedId)) {
          this.logger.warn('remembered presence source is gone; re-creating it', { system, sourceId: rememberedId, name });
        }
        if (all.some((s) => isSystemSource(s) && sameName(s.name, name))) {
          // A registered source shares the name: it is Genesys's own; ours is created beside it.
          this.logger.info('a registered (System) source has this name; creating a custom source beside it', { system, name });
        }
        const created = await this.create(system, name);
        all = created.relisted ?? [...all, created.source];
        source = created.source;
      }
      if (source.deactivated) {
        const reactivated = await this.reactivate(system, source, name, rememberedId);
        all = reactivated.relisted ?? all.map((s) => (s.id === reactivated.source.id ? reactivated.source : s));
        source = reactivated.source;
      }
      result[system] = { id: source.id, name: source.name };
    }
    return result;
  }

  private async create(system: SystemName, name: string): Promise<{ source: PresenceSource; relisted?: PresenceSource[] }> {
    try {
      const source = await this.options.http.request<PresenceSource>({
        method: 'POST',
        path: SOURCES_PATH,
        // Only `name` is required; `type` is not sent (whether it is settable is not documented,
        // docs/vendors.md#genesys-presence-sources).
        body: { name, description: `${SYSTEM_LABELS[system]} presence, written by presence-bridge` },
        // A repeated create answers 409 and the existing source is adopted, so retrying is safe.
        idempotent: true,
        permission: 'presence:source:add',
      });
      this.logger.info('created presence source', { system, name, sourceId: source.id });
      return { source };
    } catch (error) {
      if (!(error instanceof GenesysApiError) || error.status !== 409) throw error;
      // Someone (another worker, or our own retried POST) created it meanwhile: adopt it.
      const relisted = await this.listSources();
      const adopted = pickSource(relisted, name, undefined);
      if (!adopted) {
        throw new GenesysSourceError(
          `Genesys refuses a presence source named "${name}" (409) but lists no custom source with that name to adopt; ` +
            `set GENESYS_SOURCE_NAME_${system.toUpperCase()} to another name`,
          { cause: error },
        );
      }
      this.logger.info('adopted presence source after a create conflict', { system, name, sourceId: adopted.id });
      return { source: adopted, relisted };
    }
  }

  private async reactivate(
    system: SystemName,
    source: PresenceSource,
    name: string,
    rememberedId: string | undefined,
  ): Promise<{ source: PresenceSource; relisted?: PresenceSource[] }> {
    if (isSystemSource(source) && source.id !== rememberedId) {
      // Unreachable through pickSource; kept so no code path can ever PUT a registered source it did not create.
      throw new GenesysSourceError(`refusing to modify registered (System) presence source ${source.id}`);
    }
    try {
      const updated = await this.options.http.request<PresenceSource>({
        method: 'PUT',
        path: `${SOURCES_PATH}/${segment(source.id)}`,
        body: { ...source, deactivated: false },
        permission: 'presence:source:edit',
      });
      this.logger.info('reactivated presence source', { system, name, sourceId: source.id });
      return { source: { ...source, ...updated, deactivated: false } };
    } catch (error) {
      if (error instanceof GenesysApiError && error.status === 400) {
        // Genesys documents no rule for reactivating a source; when it refuses, a new source does the job.
        this.logger.warn('Genesys refused to reactivate the presence source (400); creating a new one instead', {
          system,
          name,
          sourceId: source.id,
          error: error.message,
        });
        return this.create(system, name);
      }
      if (!(error instanceof GenesysApiError) || (error.status !== 409 && error.status !== 404)) throw error;
      // An active source with the name appeared meanwhile (409), or this one was deleted (404): re-pick.
      const relisted = await this.listSources();
      const active = relisted.find((s) => !isSystemSource(s) && !s.deactivated && sameName(s.name, name));
      if (active) return { source: active, relisted };
      if (error.status === 404) return this.create(system, name);
      throw error;
    }
  }
}

/** Two systems sharing one source would overwrite each other's presence. */
function assertDistinctNames(names: SourceNames): void {
  for (const [index, system] of SYSTEMS.entries()) {
    for (const other of SYSTEMS.slice(index + 1)) {
      if (sameName(names[system], names[other])) {
        throw new GenesysSourceError(
          `GENESYS_SOURCE_NAME_${system.toUpperCase()} and GENESYS_SOURCE_NAME_${other.toUpperCase()} are both "${names[system]}"; ` +
            'each system needs its own presence source name',
        );
      }
    }
  }
}

/**
 * The custom source to use for `name`. A System source is a candidate only when it is the remembered
 * one (the bridge created it); a System source the bridge did not create is never used. Among the
 * candidates of that name: an active one first (no reactivation needed), then the remembered id,
 * then the exact spelling, then the smallest id (deterministic across processes).
 */
export function pickSource(sources: readonly PresenceSource[], name: string, rememberedId: string | undefined): PresenceSource | undefined {
  const candidates = sources.filter((source) => (!isSystemSource(source) || source.id === rememberedId) && sameName(source.name, name));
  const score = (source: PresenceSource): number => (source.deactivated ? 0 : 4) + (source.id === rememberedId ? 2 : 0) + (source.name === name ? 1 : 0);
  return [...candidates].sort((a, b) => score(b) - score(a) || a.id.localeCompare(b.id))[0];
}
