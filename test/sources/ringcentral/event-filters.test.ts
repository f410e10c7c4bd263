/**
 * Event filters compared by meaning: RingCentral returns `~` expanded to the numeric account and
 * extension ids, and query parameters in any order.
 */
import {
  canonicalRingCentralFilter,
  includesRingCentralFilter,
  isRingCentralAccountPresenceFilter,
  isRingCentralExtensionPresenceFilter,
  sameRingCentralFilter,
  sameRingCentralFilterSet,
} from '../../../src/sources/ringcentral/event-filters';

const ids = { accountId: '130829004', extensionId: '6610372004' };

describe('sameRingCentralFilter', () => {
  const rows: Array<[string, string, string, boolean]> = [
    ['~ account = its id', '/restapi/v1.0/account/~/presence', '/restapi/v1.0/account/130829004/presence', true],
    [
      '~ account with query',
      '/restapi/v1.0/account/~/presence?detailedTelephonyState=true',
      '/restapi/v1.0/account/130829004/presence?detailedTelephonyState=true',
      true,
    ],
    ['another account', '/restapi/v1.0/account/~/presence', '/restapi/v1.0/account/999/presence', false],
    ['~ extension = the owner', '/restapi/v1.0/account/~/extension/~/presence', '/restapi/v1.0/account/130829004/extension/6610372004/presence', true],
    ['~ extension ≠ another extension', '/restapi/v1.0/account/~/extension/~/presence', '/restapi/v1.0/account/130829004/extension/101/presence', false],
    [
      'explicit extension',
      '/restapi/v1.0/account/~/extension/101/presence?detailedTelephonyState=true',
      '/restapi/v1.0/account/130829004/extension/101/presence?detailedTelephonyState=true',
      true,
    ],
    [
      'query order does not matter',
      '/restapi/v1.0/account/~/extension/101/presence?detailedTelephonyState=true&sipData=true',
      '/restapi/v1.0/account/130829004/extension/101/presence?sipData=true&detailedTelephonyState=true',
      true,
    ],
    ['a missing query parameter matters', '/restapi/v1.0/account/~/presence?detailedTelephonyState=true', '/restapi/v1.0/account/130829004/presence', false],
    [
      'a different query value matters',
      '/restapi/v1.0/account/~/presence?detailedTelephonyState=true',
      '/restapi/v1.0/account/~/presence?detailedTelephonyState=false',
      false,
    ],
    ['encoded query', '/restapi/v1.0/account/~/presence?detailedTelephonyState=true', '/restapi/v1.0/account/~/presence?detailedTelephonyState=%74rue', true],
    ['trailing slash', '/restapi/v1.0/account/~/presence/', '/restapi/v1.0/account/130829004/presence', true],
    ['absolute URL form', 'https://platform.ringcentral.com/restapi/v1.0/account/130829004/presence', '/restapi/v1.0/account/~/presence', true],
    ['different event', '/restapi/v1.0/account/~/presence', '/restapi/v1.0/account/~/extension/101/presence', false],
    ['presence vs presence/dnd', '/restapi/v1.0/account/~/extension/101/presence', '/restapi/v1.0/account/~/extension/101/presence/dnd', false],
    ['both ~', '/restapi/v1.0/account/~/presence', '/restapi/v1.0/account/~/presence', true],
  ];
  it.each(rows)('%s', (_name, a, b, same) => {
    expect(sameRingCentralFilter(a, b, ids)).toBe(same);
    expect(sameRingCentralFilter(b, a, ids)).toBe(same);
  });

  it('treats ~ as any account when the account id is unknown, but never guesses the extension', () => {
    const noAccount = { extensionId: ids.extensionId };
    expect(sameRingCentralFilter('/restapi/v1.0/account/~/presence', '/restapi/v1.0/account/130829004/presence', noAccount)).toBe(true);
    expect(sameRingCentralFilter('/restapi/v1.0/account/~/extension/101/presence', '/restapi/v1.0/account/5/extension/102/presence', noAccount)).toBe(false);
    expect(sameRingCentralFilter('/restapi/v1.0/account/~/extension/~/presence', '/restapi/v1.0/account/1/extension/6610372004/presence', {})).toBe(false);
    expect(sameRingCentralFilter('/restapi/v1.0/account/~/extension/~/presence', '/restapi/v1.0/account/1/extension/~/presence', {})).toBe(true);
  });
});

describe('filter sets', () => {
  it('compares lists by meaning, ignoring order and repeats', () => {
    const wanted = [
      '/restapi/v1.0/account/~/extension/101/presence?detailedTelephonyState=true',
      '/restapi/v1.0/account/~/extension/102/presence?detailedTelephonyState=true',
    ];
    const returned = [
      '/restapi/v1.0/account/130829004/extension/102/presence?detailedTelephonyState=true',
      '/restapi/v1.0/account/130829004/extension/101/presence?detailedTelephonyState=true',
    ];
    expect(sameRingCentralFilterSet(wanted, returned, ids)).toBe(true);
    expect(sameRingCentralFilterSet(wanted, returned.slice(1), ids)).toBe(false);
    expect(sameRingCentralFilterSet([...wanted, wanted[0]], returned, ids)).toBe(true);
    expect(includesRingCentralFilter(returned, wanted[1], ids)).toBe(true);
    expect(includesRingCentralFilter(returned, '/restapi/v1.0/account/~/extension/103/presence?detailedTelephonyState=true', ids)).toBe(false);
  });

  it('has a canonical form with ids resolved and parameters sorted', () => {
    expect(canonicalRingCentralFilter('/restapi/v1.0/account/~/extension/~/presence?b=2&a=1', ids)).toEqual({
      path: '/restapi/v1.0/account/130829004/extension/6610372004/presence',
      query: ['a=1', 'b=2'],
      anyAccount: false,
    });
  });
});

describe('filter kinds', () => {
  it.each([
    ['/restapi/v1.0/account/~/presence?detailedTelephonyState=true', true, false],
    ['/restapi/v1.0/account/130829004/presence', true, false],
    ['/restapi/v1.0/account/130829004/extension/101/presence?detailedTelephonyState=true', false, true],
    ['/restapi/v1.0/account/~/extension/101/presence/line', false, false],
    ['/restapi/v1.0/subscription/~?threshold=86400&interval=3600', false, false],
  ])('%s: account %s, extension %s', (filter, account, extension) => {
    expect(isRingCentralAccountPresenceFilter(filter)).toBe(account);
    expect(isRingCentralExtensionPresenceFilter(filter)).toBe(extension);
  });
});
