import { mapPresence } from '../../../src/presence';
import { normalizeZoomPresenceEvent, normalizeZoomUserId } from '../../../src/sources/zoom/normalize';
import { parseZoomDateTime, ZOOM_PRESENCE_STATUSES, ZoomPresenceEventSchema } from '../../../src/sources/zoom/schema';

/** `eventTs: null` leaves `event_ts` out of the body. */
function normalize(object: Record<string, unknown>, eventTs: unknown = 1626230691572) {
  const parsed = ZoomPresenceEventSchema.parse({
    event: 'user.presence_status_updated',
    ...(eventTs === null ? {} : { event_ts: eventTs }),
    payload: { account_id: 'AAAAAABBBB', object },
  });
  return normalizeZoomPresenceEvent(parsed);
}

const base = { date_time: '2019-11-26T20:13:57Z', email: 'jchill@example.com', id: 'abcD3ojfdbjfg' };

/** The default mapping (README.md#presence-mapping), Zoom rows. */
const CONTRACT_TARGETS: Record<(typeof ZOOM_PRESENCE_STATUSES)[number], string> = {
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
};

describe('normalizeZoomPresenceEvent', () => {
  it.each(ZOOM_PRESENCE_STATUSES.map((status) => [status]))('normalizes %s and the default mapping knows it', (status) => {
    const event = normalize({ ...base, presence_status: status });
    expect(event).toEqual({
      system: 'zoom',
      externalUserId: 'abcD3ojfdbjfg',
      email: 'jchill@example.com',
      values: { presence_status: status },
      order: Date.UTC(2019, 10, 26, 20, 13, 57),
      tiebreak: 1626230691572,
    });
    expect(mapPresence(event).target).toBe(CONTRACT_TARGETS[status]);
  });

  it('still normalizes an unknown value, which the mapping engine then skips', () => {
    const event = normalize({ ...base, presence_status: 'Sunbathing_Now' });
    expect(event.values).toEqual({ presence_status: 'Sunbathing_Now' });
    expect(mapPresence(event)).toEqual({ target: null, message: 'Sunbathing now' });
  });

  it('lower-cases and trims the email, and drops an empty one', () => {
    expect(normalize({ ...base, email: '  JChill@Example.COM ', presence_status: 'Away' }).email).toBe('jchill@example.com');
    expect(normalize({ ...base, email: '', presence_status: 'Away' }).email).toBeUndefined();
    expect(normalize({ ...base, email: null, presence_status: 'Away' }).email).toBeUndefined();
  });

  it('keeps the user id exactly as sent (only trimmed): Zoom user ids are case-sensitive', () => {
    expect(normalize({ ...base, id: 't2bS3bJKRamtTrbWCKMVtA', presence_status: 'Away' }).externalUserId).toBe('t2bS3bJKRamtTrbWCKMVtA');
    expect(normalizeZoomUserId(' t2bS3bJKRamtTrbWCKMVtA ')).toBe('t2bS3bJKRamtTrbWCKMVtA');
  });

  it('reads "date-time" as Zoom\'s own example spells it', () => {
    const { date_time: _omitted, ...rest } = base;
    const event = normalize({ ...rest, 'date-time': '2019-11-26T20:13:57Z', presence_status: 'Away' });
    expect(event.order).toBe(Date.UTC(2019, 10, 26, 20, 13, 57));
  });

  it('falls back to event_ts (whole seconds in order, ms in tiebreak) without a date_time', () => {
    const { date_time: _omitted, ...rest } = base;
    const event = normalize({ ...rest, presence_status: 'Away' }, 1650654910524);
    expect(event.order).toBe(1650654910000);
    expect(event.tiebreak).toBe(1650654910524);
  });

  it('falls back to event_ts when date_time is not a date', () => {
    const event = normalize({ ...base, date_time: 'yesterday', presence_status: 'Away' }, '1650654910524');
    expect(event.order).toBe(1650654910000);
  });

  it('orders by date_time even without event_ts', () => {
    const event = normalize({ ...base, presence_status: 'Away' }, null);
    expect(event.order).toBe(Date.UTC(2019, 10, 26, 20, 13, 57));
    expect(event.tiebreak).toBe(Date.UTC(2019, 10, 26, 20, 13, 57));
  });

  it('breaks a same-second tie with event_ts, so the later emission wins', () => {
    const first = normalize({ ...base, presence_status: 'In_Meeting' }, 1574799237100);
    const second = normalize({ ...base, presence_status: 'Available' }, 1574799237900);
    expect(first.order).toBe(second.order);
    expect(second.tiebreak).toBeGreaterThan(first.tiebreak as number);
  });

  it('accepts a malformed app object rather than losing the event', () => {
    const event = normalize({ ...base, presence_status: 'Away', app: 'mobile' });
    expect(event.values).toEqual({ presence_status: 'Away' });
  });
});

describe('parseZoomDateTime', () => {
  it.each<[string, number | undefined]>([
    ['2019-11-26T20:13:57Z', Date.UTC(2019, 10, 26, 20, 13, 57)],
    ['2019-11-26T20:13:57.250Z', Date.UTC(2019, 10, 26, 20, 13, 57, 250)],
    ['2019-11-26T20:13:57', Date.UTC(2019, 10, 26, 20, 13, 57)],
    ['2019-11-26T22:13:57+02:00', Date.UTC(2019, 10, 26, 20, 13, 57)],
    ['2019-11-26T22:13:57+0200', Date.UTC(2019, 10, 26, 20, 13, 57)],
    ['2019-11-26 20:13:57Z', Date.UTC(2019, 10, 26, 20, 13, 57)],
    ['Tue, 26 Nov 2019 20:13:57 GMT', undefined],
    ['2019-11-26', undefined],
    ['2019-13-45T99:99:99Z', undefined],
    ['', undefined],
  ])('%p → %p', (text, expected) => {
    expect(parseZoomDateTime(text)).toBe(expected);
  });
});
