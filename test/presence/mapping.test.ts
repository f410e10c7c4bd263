import fc from 'fast-check';
import { DEFAULT_PRESENCE_MAPPING, describeValue, mapPresence, parsePresenceMapping, type PresenceEvent } from '../../src/presence';
import type { SystemName } from '../../src/systems';

function event(system: SystemName, values: Record<string, string>): PresenceEvent {
  return { system, externalUserId: 'u1', values, order: 1 };
}

describe('default mapping (README table)', () => {
  const teamsRows: Array<[Record<string, string>, string | null]> = [
    [{ availability: 'Available', activity: 'Available' }, 'Available'],
    [{ availability: 'AvailableIdle', activity: 'Available' }, 'Available'],
    [{ availability: 'Away', activity: 'Away' }, 'Away'],
    [{ availability: 'BeRightBack', activity: 'BeRightBack' }, 'Away'],
    [{ availability: 'Busy', activity: 'Busy' }, 'Busy'],
    [{ availability: 'BusyIdle', activity: 'Busy' }, 'Busy'],
    [{ availability: 'DoNotDisturb', activity: 'DoNotDisturb' }, 'Busy'],
    [{ availability: 'Busy', activity: 'InACall' }, 'Busy'],
    [{ availability: 'Busy', activity: 'InAConferenceCall' }, 'Busy'],
    [{ availability: 'DoNotDisturb', activity: 'Presenting' }, 'Busy'],
    [{ availability: 'DoNotDisturb', activity: 'UrgentInterruptionsOnly' }, 'Busy'],
    [{ availability: 'Busy', activity: 'InAMeeting' }, 'Meeting'],
    [{ availability: 'Available', activity: 'OutOfOffice' }, 'Away'],
    [{ availability: 'Offline', activity: 'OutOfOffice' }, 'Away'],
    [{ availability: 'Offline', activity: 'Offline' }, 'Offline'],
    [{ availability: 'Offline', activity: 'OffWork' }, 'Offline'],
    [{ availability: 'PresenceUnknown', activity: 'PresenceUnknown' }, null],
    [{ availability: 'SomethingNew', activity: 'AlsoNew' }, null],
  ];
  it.each(teamsRows)('teams %j → %s', (values, target) => {
    expect(mapPresence(event('teams', values)).target).toBe(target);
  });

  const zoomRows: Array<[string, string | null]> = [
    ['Available', 'Available'],
    ['Away', 'Away'],
    ['Mobile_signed_in', 'Away'],
    ['Do_Not_Disturb', 'Busy'],
    ['Busy', 'Busy'],
    ['On_Phone_Call', 'Busy'],
    ['Presenting', 'Busy'],
    ['In_Meeting', 'Meeting'],
    ['In_Calendar_Event', 'Meeting'],
    ['Offline', 'Offline'],
    ['Unknown_Future_Status', null],
  ];
  it.each(zoomRows)('zoom %s → %s', (status, target) => {
    expect(mapPresence(event('zoom', { presence_status: status })).target).toBe(target);
  });

  const ringCentralRows: Array<[Record<string, string>, string | null]> = [
    [{ dndStatus: 'DoNotAcceptAnyCalls', presenceStatus: 'Available' }, 'Busy'],
    [{ dndStatus: 'TakeAllCalls', telephonyStatus: 'CallConnected', presenceStatus: 'Available' }, 'Busy'],
    [{ telephonyStatus: 'Ringing', presenceStatus: 'Available' }, 'Busy'],
    [{ telephonyStatus: 'OnHold', presenceStatus: 'Available' }, 'Busy'],
    [{ telephonyStatus: 'NoCall', meetingStatus: 'Connected', presenceStatus: 'Available' }, 'Busy'],
    [{ telephonyStatus: 'NoCall', meetingStatus: 'Disconnected', presenceStatus: 'Available' }, 'Available'],
    [{ presenceStatus: 'Busy' }, 'Busy'],
    [{ presenceStatus: 'Offline' }, 'Offline'],
    [{ dndStatus: 'TakeAllCalls' }, null],
  ];
  it.each(ringCentralRows)('ringcentral %j → %s', (values, target) => {
    expect(mapPresence(event('ringcentral', values)).target).toBe(target);
  });

  it('matches incoming values case-insensitively', () => {
    expect(mapPresence(event('zoom', { presence_status: 'in_meeting' })).target).toBe('Meeting');
    expect(mapPresence(event('teams', { AVAILABILITY: 'busy', Activity: 'INAMEETING' })).target).toBe('Meeting');
  });

  it('writes a message a person reads', () => {
    expect(mapPresence(event('zoom', { presence_status: 'In_Meeting' })).message).toBe('In a meeting');
    expect(mapPresence(event('zoom', { presence_status: 'On_Phone_Call' })).message).toBe('On a phone call');
    expect(mapPresence(event('teams', { availability: 'Away', activity: 'BeRightBack' })).message).toBe('Be right back');
    expect(describeValue('SomeNewValue')).toBe('Some new value');
    expect(describeValue('__')).toBe('__');
    expect(describeValue('  ')).toBe('Presence unknown');
  });

  it('maps every value of every system to a known target or skip (property)', () => {
    const targets = new Set(['Available', 'Away', 'Busy', 'Meeting', 'Offline', null]);
    fc.assert(
      fc.property(fc.constantFrom<SystemName>('teams', 'zoom', 'ringcentral'), fc.dictionary(fc.string(), fc.string()), (system, values) => {
        const state = mapPresence(event(system, values));
        expect(targets.has(state.target)).toBe(true);
        expect(typeof state.message).toBe('string');
      }),
    );
  });
});

describe('PRESENCE_MAPPING_FILE overrides', () => {
  it('overrides one row and keeps the others', () => {
    const mapping = parsePresenceMapping({ zoom: { presence_status: { In_Meeting: 'Busy', Away: { target: 'Break', message: 'Coffee' } } } });
    expect(mapPresence(event('zoom', { presence_status: 'In_Meeting' }), mapping).target).toBe('Busy');
    expect(mapPresence(event('zoom', { presence_status: 'Away' }), mapping)).toEqual({ target: 'Break', message: 'Coffee' });
    expect(mapPresence(event('zoom', { presence_status: 'Offline' }), mapping).target).toBe('Offline');
    expect(DEFAULT_PRESENCE_MAPPING.zoom[0].rules['in_meeting'].target).toBe('Meeting');
  });

  it('accepts "skip" as a target', () => {
    const mapping = parsePresenceMapping({ teams: { availability: { Offline: 'skip' } } });
    expect(mapPresence(event('teams', { availability: 'Offline', activity: 'Offline' }), mapping).target).toBeNull();
  });

  it.each([
    [{ slack: {} }, 'slack: unknown system'],
    [{ zoom: { status: {} } }, 'zoom.status: unknown field'],
    [{ zoom: { presence_status: { Away: '' } } }, 'zoom.presence_status.Away: target must be'],
    [{ zoom: { presence_status: { Away: 42 } } }, 'zoom.presence_status.Away: must be a target string'],
    [{ zoom: { presence_status: { Away: { target: 'Away', message: 1 } } } }, 'message must be a string'],
    [[], '(top level)'],
  ])('points at the bad entry: %j', (json, expected) => {
    expect(() => parsePresenceMapping(json)).toThrow(expected);
  });
});

describe('values that name Object.prototype members', () => {
  const prototypeNames = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

  it.each(prototypeNames)('"%s" is an unknown value on every system: skip, with a readable message', (name) => {
    for (const [system, field] of [
      ['teams', 'availability'],
      ['teams', 'activity'],
      ['zoom', 'presence_status'],
      ['ringcentral', 'dndStatus'],
      ['ringcentral', 'presenceStatus'],
    ] as const) {
      const state = mapPresence(event(system, { [field]: name }));
      expect(state.target).toBeNull();
      expect(typeof state.message).toBe('string');
    }
    expect(typeof describeValue(name)).toBe('string');
  });

  it('a mapping file may map such a value, and only that value', () => {
    const mapping = parsePresenceMapping(JSON.parse('{"zoom":{"presence_status":{"__proto__":"Busy","constructor":"Away"}}}'));
    expect(mapPresence(event('zoom', { presence_status: '__proto__' }), mapping).target).toBe('Busy');
    expect(mapPresence(event('zoom', { presence_status: 'constructor' }), mapping).target).toBe('Away');
    expect(mapPresence(event('zoom', { presence_status: 'toString' }), mapping).target).toBeNull();
    expect(mapPresence(event('zoom', { presence_status: 'Available' }), mapping).target).toBe('Available');
  });
});
