/**
 * Graph presence resource → PresenceEvent. Lenient, because Graph is inconsistent across revisions
 * of its own docs (vendor facts §2 "Notes on the payload", §6 "Values"):
 * - the user id arrives as a bare GUID, as `/communications/presences/{id}` (with or without the
 *   leading slash), or only in `resource` / `@odata.id` (`users/{id}/presence`): take the id segment;
 * - `@odata.type` is `#microsoft.graph.presence` or `#Microsoft.Graph.presence`;
 * - availability/activity values come PascalCase or camelCase. Values are kept as reported (the
 *   mapping matches case-insensitively and maps unknown values to skip, so a mapping file can still
 *   give a new value a meaning); a resource with neither field becomes `PresenceUnknown` (skip).
 *
 * Ordering: Graph presence carries no timestamp (`sequenceNumber` is UNCONFIRMED in payloads), so
 * `order` is when the bridge learned the state — the webhook's receipt time, or the time a read
 * from Graph was issued — in epoch ms, and `tiebreak` is the item's position in its batch (later
 * items of one POST are later). Receipt time is the best available proxy: Graph delivers presence
 * within 10 s on average and 1 min at most (change-notifications-overview, "Latency"), and the
 * periodic reconciliation read (stamped with its own, later time) repairs any out-of-order delivery.
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
 * The Entra object id in `id`, `communications/presences/{id}`, `/communications/presences('{id}')`
 * or `users/{id}/presence`, lower-cased (object ids are GUIDs, compared case-insensitively).
 */
export function extractUserId(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  let path = raw.trim().split('?')[0].replace(/\/+$/, '');
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

export interface NormalizeOptions {
  /** Used when the resource itself has no usable id (e.g. from `resource` of the notification). */
  readonly fallbackUserId?: string;
  readonly order: number;
  readonly tiebreak?: number;
  readonly email?: string;
}

/** Normalizes one presence resource; undefined when it is not a presence or names no user. */
export function normalizePresence(resource: Readonly<Record<string, unknown>>, options: NormalizeOptions): PresenceEvent | undefined {
  if (!isPresenceType(resource)) return undefined;
  const externalUserId =
    extractUserId(readField(resource, 'id')) ?? extractUserId(readField(resource, '@odata.id')) ?? options.fallbackUserId;
  if (!externalUserId) return undefined;
  const availability = readText(resource, 'availability');
  const activity = readText(resource, 'activity');
  const values: Record<string, string> = {};
  if (availability) values.availability = availability;
  if (activity) values.activity = activity;
  if (!availability && !activity) values.availability = 'PresenceUnknown';
  return {
    system: 'teams',
    externalUserId,
    ...(options.email ? { email: options.email } : {}),
    values,
    order: options.order,
    tiebreak: options.tiebreak ?? 0,
  };
}
