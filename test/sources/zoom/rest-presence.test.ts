import { mapPresence } from '../../../src/presence';
import { normalizeZoomRestStatus } from '../../../src/sources/zoom/rest-presence';

describe('normalizeZoomRestStatus', () => {
  it.each([
    // Schema enum of GET /users/{userId}/presence_status
    ['Away', 'Away', 'Away'],
    ['Do_Not_Disturb', 'Do_Not_Disturb', 'Busy'],
    ['Available', 'Available', 'Available'],
    ['In_Calendar_Event', 'In_Calendar_Event', 'Meeting'],
    ['Presenting', 'Presenting', 'Busy'],
    ['In_A_Zoom_Meeting', 'In_Meeting', 'Meeting'],
    ['On_A_Call', 'On_Phone_Call', 'Busy'],
    ['Busy', 'Busy', 'Busy'],
    // Prose variants and the misspelled DND enum
    ['In_A_Meeting', 'In_Meeting', 'Meeting'],
    ['In_A_Call', 'On_Phone_Call', 'Busy'],
    ['In_A_Calendar_Event', 'In_Calendar_Event', 'Meeting'],
    ['Offline', 'Offline', 'Offline'],
    ['Do_No_Disturb', 'Do_Not_Disturb', 'Busy'],
    // Case-insensitive like the mapping engine
    ['in_a_zoom_meeting', 'In_Meeting', 'Meeting'],
  ])('%s → %s (Genesys %s)', (rest, webhook, target) => {
    const value = normalizeZoomRestStatus(rest);
    expect(value).toBe(webhook);
    const state = mapPresence({ system: 'zoom', externalUserId: 'u', values: { presence_status: value }, order: 1 });
    expect(state.target).toBe(target);
  });

  it('passes Out_of_Office through; the default table maps it to Away like Teams OutOfOffice', () => {
    expect(normalizeZoomRestStatus('Out_of_Office')).toBe('Out_of_Office');
    const state = mapPresence({ system: 'zoom', externalUserId: 'u', values: { presence_status: 'Out_of_Office' }, order: 1 });
    expect(state).toEqual({ target: 'Away', message: 'Out of office' });
  });

  it('passes unknown values through unchanged (trimmed)', () => {
    expect(normalizeZoomRestStatus(' Focus_Mode ')).toBe('Focus_Mode');
  });
});

describe('values that name Object.prototype members', () => {
  it.each(['constructor', '__proto__', 'toString'])('"%s" passes through as the string it is', (value) => {
    expect(normalizeZoomRestStatus(value)).toBe(value);
  });
});
