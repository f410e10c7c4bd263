/**
 * PresenceEvent (what every source normalizes to), PresenceState (what Genesys should show) and the
 * mapping engine between them. Pure: no I/O except `loadPresenceMapping`, which reads one file.
 */
import fs from 'node:fs';
import { InvalidInputError } from './errors';
import { ownProperty } from './own-property';
import { SYSTEMS, type SystemName } from './systems';

/** One normalized presence observation from an external system. */
export interface PresenceEvent {
  readonly system: SystemName;
  /** The system's own user id (Zoom user id, Entra object id, RingCentral extension id). */
  readonly externalUserId: string;
  readonly email?: string;
  /** Raw values the source reported, by field (e.g. `{ presence_status: 'In_Meeting' }`). */
  readonly values: Readonly<Record<string, string>>;
  /** The source's own timestamp in epoch ms (or when the bridge learned the state, if the source has none). */
  readonly order: number;
  /** Breaks ties between events of equal `order` (e.g. Zoom's `event_ts` when `date_time` is per second). */
  readonly tiebreak?: number;
  /**
   * A version stamp that sorts lexicographically (Graph presence `sequenceNumber`). When the stored and
   * the incoming state both have one, it decides "latest wins" instead of (order, tiebreak).
   */
  readonly sequence?: string;
}

/** What the bridge wants Genesys to show on the system's source. `target: null` means skip. */
export interface PresenceState {
  /** A `systemPresence` name or a secondary presence label; null = record it, write nothing. */
  readonly target: string | null;
  readonly message: string;
}

export const SKIP = 'skip';

export interface MappingRule {
  readonly target: string;
  readonly message?: string;
}

/** Per system, fields in priority order; the first field whose value has a rule wins. */
export type PresenceMapping = Readonly<Record<SystemName, ReadonlyArray<{ readonly field: string; readonly rules: Readonly<Record<string, MappingRule>> }>>>;

function rules(entries: Record<string, string>): Record<string, MappingRule> {
  const result: Record<string, MappingRule> = Object.create(null);
  for (const [value, target] of Object.entries(entries)) result[value.toLowerCase()] = { target };
  return result;
}

/** The default mapping table (README.md#presence-mapping). */
export const DEFAULT_PRESENCE_MAPPING: PresenceMapping = {
  // Teams: an activity row wins over an availability row.
  teams: [
    {
      field: 'activity',
      rules: rules({
        InACall: 'Busy',
        InAConferenceCall: 'Busy',
        Presenting: 'Busy',
        UrgentInterruptionsOnly: 'Busy',
        InAMeeting: 'Meeting',
        OutOfOffice: 'Away',
        OffWork: 'Offline',
      }),
    },
    {
      field: 'availability',
      rules: rules({
        Available: 'Available',
        AvailableIdle: 'Available',
        Away: 'Away',
        BeRightBack: 'Away',
        Busy: 'Busy',
        BusyIdle: 'Busy',
        DoNotDisturb: 'Busy',
        Offline: 'Offline',
        PresenceUnknown: SKIP,
      }),
    },
  ],
  zoom: [
    {
      field: 'presence_status',
      rules: rules({
        Available: 'Available',
        Away: 'Away',
        Mobile_signed_in: 'Away',
        Do_Not_Disturb: 'Busy',
        Busy: 'Busy',
        On_Phone_Call: 'Busy',
        Presenting: 'Busy',
        In_Meeting: 'Meeting',
        In_Calendar_Event: 'Meeting',
        Offline: 'Offline',
        // REST-only value (GET /users/{id}/presence_status, used by backfill); Teams' OutOfOffice maps the same way.
        Out_of_Office: 'Away',
      }),
    },
  ],
  // RingCentral: rows win in table order, DND first.
  ringcentral: [
    { field: 'dndStatus', rules: rules({ DoNotAcceptAnyCalls: 'Busy' }) },
    { field: 'telephonyStatus', rules: rules({ CallConnected: 'Busy', Ringing: 'Busy', OnHold: 'Busy' }) },
    { field: 'meetingStatus', rules: rules({ Connected: 'Busy' }) },
    { field: 'presenceStatus', rules: rules({ Available: 'Available', Busy: 'Busy', Offline: 'Offline' }) },
  ],
};

/**
 * Where the message comes from when the matched rule has none. Teams' `activity` is the finer value
 * ("BeRightBack", "InACall") of the two Graph reports, so its words describe the state best
 * (https://learn.microsoft.com/graph/api/resources/presence). Other systems: the matched value.
 */
const MESSAGE_FIELD: Readonly<Partial<Record<SystemName, string>>> = { teams: 'activity' };

/** Words a person reads, for values whose spelling does not say it well (keys lower-case). */
const MESSAGES: Readonly<Record<string, string>> = {
  in_meeting: 'In a meeting',
  inameeting: 'In a meeting',
  on_phone_call: 'On a phone call',
  inacall: 'In a call',
  inaconferencecall: 'In a conference call',
  in_calendar_event: 'In a calendar event',
  do_not_disturb: 'Do not disturb',
  donotdisturb: 'Do not disturb',
  donotacceptanycalls: 'Do not disturb',
  mobile_signed_in: 'Signed in on mobile',
  berightback: 'Be right back',
  availableidle: 'Available (idle)',
  busyidle: 'Busy (idle)',
  offwork: 'Off work',
  outofoffice: 'Out of office',
  urgentinterruptionsonly: 'Urgent interruptions only',
  presenceunknown: 'Presence unknown',
  callconnected: 'On a phone call',
  ringing: 'Phone ringing',
  onhold: 'Call on hold',
  connected: 'In a meeting',
};

/** Turns `Do_Not_Disturb` or `BeRightBack` into `Do not disturb` / `Be right back`. */
export function describeValue(value: string): string {
  const known = ownProperty(MESSAGES, value.toLowerCase());
  if (known) return known;
  const words = value
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase();
  if (!words) return value.trim() || 'Presence unknown';
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Maps one event to the state Genesys should show. Unknown values map to skip, so a new vendor value
 * is recorded but never written (README.md#presence-mapping: unknown values are recorded and skipped).
 */
export function mapPresence(event: PresenceEvent, mapping: PresenceMapping = DEFAULT_PRESENCE_MAPPING): PresenceState {
  const lowerValues = new Map(Object.entries(event.values).map(([k, v]) => [k.toLowerCase(), v]));
  for (const { field, rules: fieldRules } of mapping[event.system]) {
    const value = lowerValues.get(field.toLowerCase());
    if (value === undefined) continue;
    const rule = ownProperty(fieldRules, value.trim().toLowerCase());
    if (!rule) continue;
    const preferred = ownProperty(MESSAGE_FIELD, event.system);
    const described = (preferred && lowerValues.get(preferred.toLowerCase())?.trim()) || value.trim();
    const message = rule.message ?? describeValue(described);
    return { target: rule.target.toLowerCase() === SKIP ? null : rule.target, message };
  }
  const reported = Object.values(event.values)[0];
  return { target: null, message: reported ? describeValue(reported) : 'Presence unknown' };
}

/**
 * Applies a mapping file's overrides on top of the defaults. Format (every level optional):
 * `{ "zoom": { "presence_status": { "In_Meeting": "Busy" | { "target": "Busy", "message": "…" } } } }`.
 * Errors name the file and the JSON path of the bad entry.
 */
export function parsePresenceMapping(json: unknown, origin = 'PRESENCE_MAPPING_FILE', base: PresenceMapping = DEFAULT_PRESENCE_MAPPING): PresenceMapping {
  const fail = (at: string, what: string): never => {
    throw new InvalidInputError(`${origin}: ${at}: ${what}`);
  };
  if (!isObject(json)) fail('(top level)', 'must be a JSON object keyed by system (teams, zoom, ringcentral)');
  const result: Record<string, Array<{ field: string; rules: Record<string, MappingRule> }>> = {};
  for (const system of SYSTEMS) {
    result[system] = base[system].map(({ field, rules: r }) => ({ field, rules: Object.assign(Object.create(null), r) }));
  }
  for (const [system, fields] of Object.entries(json as Record<string, unknown>)) {
    if (!(SYSTEMS as readonly string[]).includes(system)) {
      fail(system, `unknown system; expected one of ${SYSTEMS.join(', ')}`);
    }
    if (!isObject(fields)) fail(system, 'must be an object keyed by field name');
    for (const [field, values] of Object.entries(fields as Record<string, unknown>)) {
      const entry = result[system].find((f) => f.field.toLowerCase() === field.toLowerCase());
      if (!entry) {
        fail(`${system}.${field}`, `unknown field; expected one of ${result[system].map((f) => f.field).join(', ')}`);
      }
      if (!isObject(values)) fail(`${system}.${field}`, 'must be an object of value → target');
      for (const [value, rule] of Object.entries(values as Record<string, unknown>)) {
        const at = `${system}.${field}.${value}`;
        entry!.rules[value.toLowerCase()] = parseRule(rule, at, fail);
      }
    }
  }
  return result as unknown as PresenceMapping;
}

function parseRule(rule: unknown, at: string, fail: (at: string, what: string) => never): MappingRule {
  if (typeof rule === 'string') {
    if (!rule.trim()) fail(at, 'target must be a presence name such as "Busy", a secondary presence label, or "skip"');
    return { target: rule.trim() };
  }
  if (!isObject(rule)) return fail(at, 'must be a target string or { "target": …, "message": … }');
  const { target, message } = rule as Record<string, unknown>;
  if (typeof target !== 'string' || !target.trim()) {
    fail(at, 'target must be a presence name such as "Busy", a secondary presence label, or "skip"');
  }
  if (message !== undefined && typeof message !== 'string') fail(at, 'message must be a string');
  return { target: (target as string).trim(), message: message as string | undefined };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads PRESENCE_MAPPING_FILE, or returns the defaults when no file is configured. */
export function loadPresenceMapping(file: string | undefined): PresenceMapping {
  if (!file) return DEFAULT_PRESENCE_MAPPING;
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InvalidInputError(`PRESENCE_MAPPING_FILE: cannot read ${file} as JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parsePresenceMapping(json, `PRESENCE_MAPPING_FILE (${file})`);
}
