import { mapPresence } from '../../../src/presence';
import { extractUserId, normalizePresence } from '../../../src/sources/teams/normalize';

const ID = 'fa8bf3dc-eca7-46b7-bad1-db199b62afc3';

describe('extractUserId', () => {
  test.each([
    [ID],
    [ID.toUpperCase()],
    [`communications/presences/${ID}`],
    [`/communications/presences/${ID}`],
    [`/communications/presences('${ID}')`],
    [`users/${ID}/presence`],
    [`https://graph.microsoft.com/v1.0/communications/presences/${ID}`],
  ])('%s', (raw) => {
    expect(extractUserId(raw)).toBe(ID);
  });

  test.each([["communications/presences?$filter=id in ('a')"], [''], ['/'], [42], [undefined]])('%j names no user', (raw) => {
    expect(extractUserId(raw)).toBeUndefined();
  });
});

describe('normalizePresence', () => {
  test('the documented decrypted payload', () => {
    const event = normalizePresence(
      { '@odata.id': `users/${ID}/presence`, '@odata.type': '#microsoft.graph.presence', id: ID, availability: 'Busy', activity: 'InAMeeting' },
      { order: 1_700_000_000_000, tiebreak: 2 },
    );
    expect(event).toEqual({
      system: 'teams',
      externalUserId: ID,
      values: { availability: 'Busy', activity: 'InAMeeting' },
      order: 1_700_000_000_000,
      tiebreak: 2,
    });
  });

  test('older payload form: id as a path, @odata.type in other case, camelCase values, field names in other case', () => {
    const event = normalizePresence(
      { '@odata.type': '#Microsoft.Graph.presence', id: `/communications/presences/${ID.toUpperCase()}`, Availability: 'doNotDisturb', ACTIVITY: 'presenting' },
      { order: 1 },
    );
    expect(event?.externalUserId).toBe(ID);
    expect(mapPresence(event!)).toMatchObject({ target: 'Busy' });
  });

  test('id only in the notification: fallback id is used', () => {
    expect(normalizePresence({ availability: 'Away', activity: 'Away' }, { order: 1, fallbackUserId: ID })?.externalUserId).toBe(ID);
  });

  test('other resource types are not presences', () => {
    expect(normalizePresence({ '@odata.type': '#microsoft.graph.user', id: ID }, { order: 1 })).toBeUndefined();
  });

  test('no availability and no activity → PresenceUnknown (skip)', () => {
    const event = normalizePresence({ id: ID }, { order: 1 })!;
    expect(event.values).toEqual({ availability: 'PresenceUnknown' });
    expect(mapPresence(event).target).toBeNull();
  });
});

describe('CONTRACT.md default Teams mapping, through normalize + mapPresence', () => {
  // [availability, activity, Genesys target (null = skip)], one or more per CONTRACT.md row.
  const rows: Array<[string, string, string | null]> = [
    ['Available', 'Available', 'Available'],
    ['AvailableIdle', 'Available', 'Available'],
    ['Away', 'Away', 'Away'],
    ['BeRightBack', 'BeRightBack', 'Away'],
    ['Busy', 'Busy', 'Busy'],
    ['BusyIdle', 'Busy', 'Busy'],
    ['DoNotDisturb', 'DoNotDisturb', 'Busy'],
    ['Busy', 'InACall', 'Busy'],
    ['Busy', 'InAConferenceCall', 'Busy'],
    ['DoNotDisturb', 'Presenting', 'Busy'],
    ['DoNotDisturb', 'UrgentInterruptionsOnly', 'Busy'],
    ['Busy', 'InAMeeting', 'Meeting'],
    ['Available', 'OutOfOffice', 'Away'],
    ['Busy', 'OutOfOffice', 'Away'],
    ['Offline', 'OutOfOffice', 'Away'],
    ['Offline', 'Offline', 'Offline'],
    ['Offline', 'OffWork', 'Offline'],
    ['Available', 'OffWork', 'Offline'],
    ['PresenceUnknown', 'PresenceUnknown', null],
    ['Focusing', 'SomethingNew', null],
    ['', 'Inactive', null],
  ];

  test.each(rows)('availability %j, activity %j → %j', (availability, activity, target) => {
    for (const [a, b] of [
      [availability, activity],
      [availability.toLowerCase(), activity.toUpperCase()],
    ]) {
      const event = normalizePresence({ id: ID, availability: a, activity: b }, { order: 1 })!;
      expect(mapPresence(event).target).toBe(target);
    }
  });

  test('messages are words a person reads', () => {
    const event = normalizePresence({ id: ID, availability: 'Busy', activity: 'InAMeeting' }, { order: 1 })!;
    expect(mapPresence(event).message).toBe('In a meeting');
  });
});
