/**
 * Graph presence resource → PresenceEvent. Lenient, because Graph is inconsistent across revisions
 * of its own docs (https://learn.microsoft.com/graph/changenotifications-for-presence and its older
 * revisions, https://learn.microsoft.com/graph/api/resources/presence):
 * - the user id arrives as a bare GUID, as `/communications/presences/{id}` (with or without the
 *   leading slash), only in `resource` / `@odata.id` (`users/{id}/presence`), or in a URL-encoded
 *   one-id filter (`communications/presences?$filter=id+in+(%27{id}%27)`): take the id;
 * - `@odata.type` is `#microsoft.graph.presence` or `#Microsoft.Graph.presence`;
 * - availability/activity values come PascalCase or camelCase. Values are kept as reported (the
 *   mapping matches case-insensitively and maps unknown values to skip, so a mapping file can still
 *   give a new value a meaning); a resource with neither field becomes `PresenceUnknown` (skip).
 *
 * Ordering: a presence has `sequenceNumber`, "the lexicographically sortable String stamp that
 * represents the version of a presence object" (https://learn.microsoft.com/graph/api/resources/presence).
 * When a read or a rich notification carries it, it becomes the event's `sequence`, and the store
 * orders two states of one user by it (src/store/state-store.ts `isNewer`). `order` is always when
 * the bridge learned the state — the webhook's receipt time, or the time a read from Graph was
 * issued — in epoch ms, and `tiebreak` is the item's position in its batch (later items of one POST
 * are later); they decide when either side has no sequence. Receipt time is a good proxy: Graph
 * delivers presence within 10 s on average and 1 min at most (change-notifications-overview,
 * "Latency"), and the periodic reconciliation read repairs any out-of-order delivery.
 */
import type { PresenceEvent } from '../../presence';

/** Reads a field by name, ignoring the case of the key. */
export function readField(source: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(source, name)) return source[name];
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(source)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

function readText(source: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = readField(source, name);
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * The one id of a presence filter, `communications/presences?$filter=id in ('{id}')`, as Graph writes
 * it in basic notifications URL-encoded: `?$filter=id+in+(%27{id}%27)` (Microsoft 365 Developer Blog,
 * https://devblogs.microsoft.com/microsoft365dev/breaking-changes-to-microsoft-graph-presence-and-online-meeting-basic-change-notifications/).
 * A filter naming several ids names no single user.
 */
function filterUserId(query: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(query.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
  const filter = /(?:^|&)\$filter=\s*id\s+in\s*\(([^)]*)\)\s*(?:&|$)/i.exec(decoded);
  if (!filter) return undefined;
  const ids = filter[1]
    .split(',')
    .map((part) =>
      part
        .trim()
        .replace(/^'(.*)'$/, '$1')
        .trim(),
    )
    .filter(Boolean);
  return ids.length === 1 ? ids[0] : undefined;
}

/**
 * The Entra object id in `id`, `communications/presences/{id}`, `/communications/presences('{id}')`,
 * `users/{id}/presence` or `communications/presences?$filter=id+in+(%27{id}%27)`, lower-cased
 * (object ids are GUIDs, compared case-insensitively).
 */
export function extractUserId(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const [rawPath, ...rest] = raw.trim().split('?');
  if (rest.length > 0 && /^\/?communications\/presences\/?$/i.test(rawPath)) {
    const id = filterUserId(rest.join('?'));
    return id && ID_PATTERN.test(id) ? id.toLowerCase() : undefined;
  }
  let path = rawPath.replace(/\/+$/, '');
  const userPresence = /(?:^|\/)users\/([^/]+)\/presence$/i.exec(path);
  if (userPresence) path = userPresence[1];
  const segment = path.slice(path.lastIndexOf('/') + 1);
  const keyForm = /\('?([^')]+)'?\)$/.exec(segment);
  const id = (keyForm ? keyForm[1] : segment).trim();
  // A collection path (`communications/presences?$filter=…`) names no single user.
  if (/^(presences?|communications|users)$/i.test(id)) return undefined;
  return ID_PATTERN.test(id) ? id.toLowerCase() : undefined;
}

/** True unless `@odata.type` names something other than a presence. */
export function isPresenceType(resource: Readonly<Record<string, unknown>>): boolean {
  const type = readText(resource, '@odata.type');
  return type === undefined || type.replace(/^#/, '').toLowerCase() === 'microsoft.graph.presence';
}

/**
 * Epoch ms of a Graph date-time. Graph writes them with and without a zone and with up to seven
 * fraction digits (`"subscriptionExpirationDateTime": "2024-04-19T23:58:00.4569264"`, Microsoft 365
 * Developer Blog, April 2024); Graph's date-times are UTC, so a value without a zone is read as UTC
 * (JavaScript's Date.parse would read it as local time).
 */
export function parseGraphDateTime(raw: unknown): number | undefined {
  if (typeof raw !== 'string') return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(raw.trim());
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second = '0', fraction = '', zone] = match;
  const ms = Number(`0.${fraction || '0'}`) * 1000;
  let at = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), Math.floor(ms));
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    at -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  return Number.isFinite(at) ? at : undefined;
}

/** `sequenceNumber`, when the resource carries a usable one (a non-empty string); anything else is ignored. */
export function readSequence(resource: Readonly<Record<string, unknown>>): string | undefined {
  return readText(resource, 'sequenceNumber');
}

export interface NormalizeOptions {
  /** Used when the resource itself has no usable id (e.g. from `resource` of the notification). */
  readonly fallbackUserId?: string;
  readonly order: number;
  readonly tiebreak?: number;
}

/** Normalizes one presence resource; undefined when it is not a presence or names no user. */
export function normalizePresence(resource: Readonly<Record<string, unknown>>, options: NormalizeOptions): PresenceEvent | undefined {
  if (!isPresenceType(resource)) return undefined;
  const externalUserId = extractUserId(readField(resource, 'id')) ?? extractUserId(readField(resource, '@odata.id')) ?? options.fallbackUserId;
  if (!externalUserId) return undefined;
  const availability = readText(resource, 'availability');
  const activity = readText(resource, 'activity');
  const values: Record<string, string> = {};
  if (availability) values.availability = availability;
  if (activity) values.activity = activity;
  if (!availability && !activity) values.availability = 'PresenceUnknown';
  const sequence = readSequence(resource);
  return {
    system: 'teams',
    externalUserId,
    values,
    order: options.order,
    tiebreak: options.tiebreak ?? 0,
    ...(sequence ? { sequence } : {}),
  };
}
