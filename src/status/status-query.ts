/**
 * The status page's query string: filters (`status`, `system`, `q`), paging (`limit`, `offset`) and the
 * opt-in primary-source read (`primary=1`). Anything else in the query is ignored; a bad value is a
 * 400 that says which values are allowed, never a silently different page.
 */
import { RECORD_STATUSES, type RecordStatus } from '../store/state-store';
import { isSystemName, SYSTEMS, type SystemName } from '../systems';

export const DEFAULT_PAGE_SIZE = 200;
export const MAX_PAGE_SIZE = 1000;
/** Longer text filters match nothing useful and only cost time. */
const MAX_TEXT_FILTER = 200;

export interface StatusQuery {
  readonly status?: RecordStatus;
  readonly system?: SystemName;
  /** Case-insensitive substring of the email (or, for users without one, of the external id). */
  readonly text?: string;
  readonly limit: number;
  readonly offset: number;
  /** Read each listed user's primary source from Genesys (bounded, see primary-sources.ts). */
  readonly primary: boolean;
}

export type ParsedStatusQuery = { readonly ok: true; readonly query: StatusQuery } | { readonly ok: false; readonly error: string };

function wholeNumber(raw: string | undefined, fallback: number, min: number, max: number): number | undefined {
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d{1,9}$/.test(raw.trim())) return undefined;
  const value = Number(raw.trim());
  return value >= min && value <= max ? value : undefined;
}

/** Parses the decoded query parameters of `GET /status`. */
export function parseStatusQuery(params: Readonly<Record<string, string>>): ParsedStatusQuery {
  const status = params.status?.trim().toLowerCase() || undefined;
  if (status !== undefined && !(RECORD_STATUSES as readonly string[]).includes(status)) {
    return { ok: false, error: `status must be one of ${RECORD_STATUSES.join(', ')}` };
  }
  const system = params.system?.trim().toLowerCase() || undefined;
  if (system !== undefined && !isSystemName(system)) {
    return { ok: false, error: `system must be one of ${SYSTEMS.join(', ')}` };
  }
  const text = params.q?.trim() || undefined;
  if (text !== undefined && text.length > MAX_TEXT_FILTER) {
    return { ok: false, error: `q must be at most ${MAX_TEXT_FILTER} characters` };
  }
  const limit = wholeNumber(params.limit, DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  if (limit === undefined) return { ok: false, error: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` };
  const offset = wholeNumber(params.offset, 0, 0, 999_999_999);
  if (offset === undefined) return { ok: false, error: 'offset must be a whole number from 0' };
  const primary = ['1', 'true', 'yes', 'on'].includes((params.primary ?? '').trim().toLowerCase());
  return {
    ok: true,
    query: {
      ...(status ? { status: status as RecordStatus } : {}),
      ...(system ? { system: system as SystemName } : {}),
      ...(text ? { text } : {}),
      limit,
      offset,
      primary,
    },
  };
}

/** The query string (with a leading `?`) for the same filters with some values changed, for links. */
export function statusQueryString(query: StatusQuery, change: Partial<StatusQuery> = {}): string {
  const next = { ...query, ...change };
  const params = new URLSearchParams();
  if (next.status) params.set('status', next.status);
  if (next.system) params.set('system', next.system);
  if (next.text) params.set('q', next.text);
  if (next.limit !== DEFAULT_PAGE_SIZE) params.set('limit', String(next.limit));
  if (next.offset > 0) params.set('offset', String(next.offset));
  if (next.primary) params.set('primary', '1');
  const text = params.toString();
  return text ? `?${text}` : '?';
}
