import { mapPresence } from '../../../src/presence';
import { extractUserId, normalizePresence, parseGraphDateTime } from '../../../src/sources/teams/normalize';

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

  test.each([
    [`communications/presences?$filter=id+in+(%27${ID}%27)`],
    [`communications/presences?$filter=id in ('${ID.toUpperCase()}')`],
    [`/communications/presences?$filter=id%20in%20(%27${ID}%27)`],
  ])('a filter naming one user: %s', (raw) => {
    expect(extractUserId(raw)).toBe(ID);
  });

  test.each([
    [`communications/presences?$filter=id in ('${ID}', 'b')`],
    ['communications/presences?$filter=id in ()'],
    ['communications/presences?$filter=id+in+(%27{userId}%27)'],
    ['communications/presences?$filter=%E0%A4%A'],
    [''],
    ['/'],
    [42],
    [undefined],
  ])('%j names no user', (raw) => {
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

describe('default Teams mapping, through normalize + mapPresence', () => {
  // [availability, activity, Genesys target (null = skip)], one or more per row of README.md#presence-mapping.
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

describe('parseGraphDateTime', () => {
  test.each([
    ['2024-04-19T23:58:00.4569264', Date.UTC(2024, 3, 19, 23, 58, 0, 456)],
    ['2023-09-14T10:00:00.0000000Z', Date.UTC(2023, 8, 14, 10, 0, 0, 0)],
    ['2023-09-14T10:00:00Z', Date.UTC(2023, 8, 14, 10, 0, 0, 0)],
    ['2023-09-14T12:00:00+02:00', Date.UTC(2023, 8, 14, 10, 0, 0, 0)],
    ['2023-09-14T10:00', Date.UTC(2023, 8, 14, 10, 0, 0, 0)],
  ])('%s', (raw, expected) => {
    expect(parseGraphDateTime(raw)).toBe(expected);
  });

  test.each([['tomorrow'], [''], [undefined], [1_700_000_000_000]])('%j is not a date-time', (raw) => {
    expect(parseGraphDateTime(raw)).toBeUndefined();
  });
});

describe('sequenceNumber', () => {
  test('is kept as the event sequence when it is a non-empty string', () => {
    expect(normalizePresence({ id: ID, availability: 'Away', sequenceNumber: 'C1A2' }, { order: 5 })).toMatchObject({ sequence: 'C1A2', order: 5 });
    expect(normalizePresence({ id: ID, availability: 'Away', SequenceNumber: '0042' }, { order: 5 })).toMatchObject({ sequence: '0042' });
  });

  test.each([[null], [''], ['   '], [42], [{}]])('%j is ignored (ordering falls back to receipt time)', (sequenceNumber) => {
    expect(normalizePresence({ id: ID, availability: 'Away', sequenceNumber }, { order: 5 })).not.toHaveProperty('sequence');
  });
});
