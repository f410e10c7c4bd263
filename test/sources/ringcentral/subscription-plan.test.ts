/**
 * The RingCentral subscription planner, row by row: what exists, what is wanted, what the store remembers
 * (and what this run learned) → the actions. Pure: no stand-in, no clock.
 */
import {
  FilterRefusedError,
  planRingCentralSubscriptions,
  ringCentralPlanSettings,
  type RingCentralDesiredSubscriptions,
  type RingCentralPlanAction,
  type RingCentralRunProgress,
  type RingCentralStoredSubscriptions,
} from '../../../src/sources/ringcentral/subscription-plan';
import type { RingCentralSubscription } from '../../../src/sources/ringcentral/schema';

const URL = 'https://bridge.example.com/webhooks/ringcentral';
const NOW = Date.parse('2030-01-01T00:00:00Z');
const DAY = 24 * 3600 * 1000;
const HASH = 'hash-current';
const ACCOUNT = '/restapi/v1.0/account/~/presence?detailedTelephonyState=true';
const ACCOUNT_PLAIN = '/restapi/v1.0/account/~/presence';
const ACCOUNT_EXPANDED = '/restapi/v1.0/account/555/presence?detailedTelephonyState=true';
const ext = (id: string) => `/restapi/v1.0/account/~/extension/${id}/presence?detailedTelephonyState=true`;
const extExpanded = (id: string) => `/restapi/v1.0/account/555/extension/${id}/presence?detailedTelephonyState=true`;
const apiRefusal = Object.assign(new Error('needs ReadAccounts'), { status: 403 });

function sub(
  id: string,
  eventFilters: string[],
  extra: Partial<RingCentralSubscription> & { address?: string; transport?: string } = {},
): RingCentralSubscription {
  const { address = URL, transport = 'WebHook', ...rest } = extra;
  return {
    id,
    eventFilters,
    disabledFilters: [],
    status: 'Active',
    expirationTime: new Date(NOW + 300 * DAY).toISOString(),
    deliveryMode: { transportType: transport, address },
    ...rest,
  } as RingCentralSubscription;
}

interface Row {
  readonly name: string;
  readonly existing?: RingCentralSubscription[];
  readonly desired?: Partial<RingCentralDesiredSubscriptions>;
  readonly stored?: Partial<Omit<RingCentralStoredSubscriptions, 'run'>> & { run?: Partial<RingCentralRunProgress> };
  readonly settings?: Parameters<typeof ringCentralPlanSettings>[0];
  readonly expected: string[];
}

/** One line per action, so a row reads like the calls it makes. */
function describe_(action: RingCentralPlanAction): string {
  switch (action.kind) {
    case 'create':
      return `create ${action.eventFilters.join(' ')}${action.probe ? ' (probe)' : ''} — ${action.detail}`;
    case 'delete':
      return `delete ${action.id} — ${action.detail}${action.refusal ? ` [refused: ${action.refusal.error.message}]` : ''}${action.ifReplaced ? ' (if replaced)' : ''}`;
    case 'update':
      return `update ${action.id} ${action.eventFilters.join(' ')} — ${action.detail}${action.refusable ? ' (refusable)' : ''}`;
    case 'renew':
      return `renew ${action.id} — ${action.detail}${action.refusable ? ' (refusable)' : ''}`;
    case 'keep':
      return `keep ${action.id}${action.silent ? ' silently' : ''}`;
    case 'load-extensions':
      return 'load-extensions';
    case 'report':
      return `report ${action.message}`;
    case 'remember':
      return `remember ${action.scope}${action.refusal ? ` (refused at ${action.refusedAt}: ${action.refusal})` : ''}`;
    case 'fail':
      return `fail ${(action.error as Error).message}`;
  }
}

const hashes = (...ids: string[]) => Object.fromEntries(ids.map((id) => [id, HASH]));
const refusedAt = (msAgo: number) => new Date(NOW - msAgo).toISOString();
const FALLBACK = 'report RingCentral account-wide presence filter refused; using per-extension filters';

const rows: Row[] = [
  // Account-wide scope
  { name: 'nothing exists: ask for the detailed account filter', expected: [`create ${ACCOUNT} (probe) — account-wide presence`] },
  {
    name: 'an account subscription in order is kept',
    existing: [sub('s1', [ACCOUNT])],
    stored: { tokenHashes: hashes('s1') },
    expected: ['keep s1', 'remember account'],
  },
  {
    name: 'filters are compared by meaning: ~ expanded to the account id',
    existing: [sub('s1', [ACCOUNT_EXPANDED])],
    stored: { tokenHashes: hashes('s1'), filterIds: { accountId: '555' } },
    expected: ['keep s1', 'remember account'],
  },
  {
    name: 'an unknown account id matches any account',
    existing: [sub('s1', [ACCOUNT_EXPANDED])],
    stored: { tokenHashes: hashes('s1'), filterIds: {} },
    expected: ['keep s1', 'remember account'],
  },
  {
    name: 'the plain account filter is kept too',
    existing: [sub('s1', [ACCOUNT_PLAIN])],
    stored: { tokenHashes: hashes('s1') },
    expected: ['keep s1', 'remember account'],
  },
  {
    name: 'renewed when less than the margin is left',
    existing: [sub('s1', [ACCOUNT], { expirationTime: new Date(NOW + 6 * DAY).toISOString() })],
    stored: { tokenHashes: hashes('s1') },
    expected: [
      `renew s1 — was expiring ${new Date(NOW + 6 * DAY).toISOString()} (refusable)`,
      'delete s1 — no longer needed (if replaced)',
      'remember account',
    ],
  },
  {
    name: 'not renewed just outside the margin',
    existing: [sub('s1', [ACCOUNT], { expirationTime: new Date(NOW + 7 * DAY + 1).toISOString() })],
    stored: { tokenHashes: hashes('s1') },
    expected: ['keep s1', 'remember account'],
  },
  {
    name: 'the margin is half a short lifetime (6 days: renewed with 2 days left)',
    existing: [sub('s1', [ACCOUNT], { expirationTime: new Date(NOW + 2 * DAY).toISOString() })],
    stored: { tokenHashes: hashes('s1') },
    settings: { expiresIn: 6 * 24 * 3600 },
    expected: [
      `renew s1 — was expiring ${new Date(NOW + 2 * DAY).toISOString()} (refusable)`,
      'delete s1 — no longer needed (if replaced)',
      'remember account',
    ],
  },
  {
    name: 'the margin is half a short lifetime (6 days: kept with 4 days left)',
    existing: [sub('s1', [ACCOUNT], { expirationTime: new Date(NOW + 4 * DAY).toISOString() })],
    stored: { tokenHashes: hashes('s1') },
    settings: { expiresIn: 6 * 24 * 3600 },
    expected: ['keep s1', 'remember account'],
  },
  {
    name: 'renewed when the expiry is unknown',
    existing: [sub('s1', [ACCOUNT], { expirationTime: undefined })],
    stored: { tokenHashes: hashes('s1') },
    expected: ['renew s1 — was expiring (unknown) (refusable)', 'delete s1 — no longer needed (if replaced)', 'remember account'],
  },
  {
    name: 'a rotated verification token is sent with PUT',
    existing: [sub('s1', [ACCOUNT])],
    stored: { tokenHashes: { s1: 'hash-old' } },
    expected: [`update s1 ${ACCOUNT} — verification token rotated (refusable)`, 'delete s1 — no longer needed (if replaced)', 'remember account'],
  },
  {
    name: 'a token not remembered is sent once',
    existing: [sub('s1', [ACCOUNT])],
    expected: [
      `update s1 ${ACCOUNT} — verification token not remembered, sent again (refusable)`,
      'delete s1 — no longer needed (if replaced)',
      'remember account',
    ],
  },
  {
    name: 'extra filters on the account subscription are dropped with PUT',
    existing: [sub('s1', [ACCOUNT, ext('101')])],
    stored: { tokenHashes: hashes('s1') },
    expected: [`update s1 ${ACCOUNT} — event filters changed (refusable)`, 'delete s1 — no longer needed (if replaced)', 'remember account'],
  },
  {
    name: 'token and filters differ: one PUT says both',
    existing: [sub('s1', [ACCOUNT, ext('101')])],
    stored: { tokenHashes: { s1: 'hash-old' } },
    expected: [
      `update s1 ${ACCOUNT} — verification token rotated, event filters changed (refusable)`,
      'delete s1 — no longer needed (if replaced)',
      'remember account',
    ],
  },
  {
    name: 'a blacklisted subscription is deleted and the filter asked for again',
    existing: [sub('s1', [ACCOUNT], { status: 'Blacklisted', blacklistedData: { reason: 'Read timed out' } } as Partial<RingCentralSubscription>)],
    stored: { tokenHashes: hashes('s1') },
    expected: ['delete s1 — blacklisted (Read timed out); re-created', `create ${ACCOUNT} (probe) — account-wide presence`],
  },
  {
    name: 'a blacklisted subscription without a reason',
    existing: [sub('s1', [ACCOUNT], { status: 'blacklisted' })],
    expected: ['delete s1 — blacklisted (no reason given); re-created', `create ${ACCOUNT} (probe) — account-wide presence`],
  },
  {
    name: 'subscriptions to another address are never touched',
    existing: [sub('other', [ACCOUNT], { address: 'https://elsewhere.example.com/hook' })],
    expected: [`create ${ACCOUNT} (probe) — account-wide presence`],
  },
  {
    name: 'a PubNub subscription to the same address is not ours',
    existing: [sub('push', [ACCOUNT], { transport: 'PubNub' })],
    expected: [`create ${ACCOUNT} (probe) — account-wide presence`],
  },
  {
    name: 'the address is compared without a trailing slash',
    existing: [sub('s1', [ACCOUNT], { address: `${URL}/` })],
    stored: { tokenHashes: hashes('s1') },
    expected: ['keep s1', 'remember account'],
  },
  {
    name: 'duplicates: the first account subscription is kept, the others deleted after',
    existing: [sub('s1', [ACCOUNT]), sub('s2', [ACCOUNT])],
    stored: { tokenHashes: hashes('s1', 's2') },
    expected: ['keep s1', 'delete s2 — no longer needed', 'remember account'],
  },
  {
    name: 'the account filter succeeded: per-extension subscriptions are deleted after',
    existing: [sub('e1', [ext('101')]), sub('s1', [ACCOUNT])],
    stored: { tokenHashes: hashes('e1', 's1'), accountScopeRefusedAt: refusedAt(25 * 3600 * 1000), accountScopeRefusal: 'old' },
    expected: ['keep s1', 'delete e1 — no longer needed', 'remember account'],
  },
  {
    name: 'an account subscription whose filter is disabled is not kept',
    existing: [sub('s1', [ACCOUNT], { disabledFilters: [{ filter: ACCOUNT, reason: 'no permission' }] } as Partial<RingCentralSubscription>)],
    stored: { tokenHashes: hashes('s1') },
    expected: [`create ${ACCOUNT} (probe) — account-wide presence`],
  },
  // Answers to the probe
  {
    name: 'the probe was accepted: kept without another report',
    existing: [sub('s2', [ACCOUNT_EXPANDED])],
    stored: { tokenHashes: hashes('s2'), filterIds: { accountId: '555' }, run: { probes: [{ filter: ACCOUNT, subscriptionId: 's2' }], created: ['s2'] } },
    expected: ['keep s2 silently', 'remember account'],
  },
  {
    name: 'the probe was accepted: an old disabled subscription is deleted after',
    existing: [sub('s1', [ACCOUNT], { disabledFilters: [{ filter: ACCOUNT }] } as Partial<RingCentralSubscription>), sub('s2', [ACCOUNT_PLAIN])],
    stored: {
      tokenHashes: hashes('s1', 's2'),
      run: {
        probes: [
          { filter: ACCOUNT, error: apiRefusal },
          { filter: ACCOUNT_PLAIN, subscriptionId: 's2' },
        ],
        created: ['s2'],
      },
    },
    expected: ['keep s2 silently', 'delete s1 — no longer needed', 'remember account'],
  },
  {
    name: 'the detailed filter was refused: ask for the plain one',
    stored: { run: { probes: [{ filter: ACCOUNT, error: apiRefusal }], created: [] } },
    expected: [`create ${ACCOUNT_PLAIN} (probe) — account-wide presence`],
  },
  {
    name: 'the probe came back disabled: delete it, ask for the next',
    existing: [
      sub('s2', [ACCOUNT_EXPANDED], {
        disabledFilters: [{ filter: ACCOUNT_EXPANDED, reason: 'Insufficient permissions' }],
      } as Partial<RingCentralSubscription>),
    ],
    stored: { tokenHashes: hashes('s2'), filterIds: { accountId: '555' }, run: { probes: [{ filter: ACCOUNT, subscriptionId: 's2' }], created: ['s2'] } },
    expected: [
      `delete s2 — filter ${ACCOUNT} was disabled by RingCentral [refused: RingCentral disabled the filter ${ACCOUNT}: Insufficient permissions]`,
      `create ${ACCOUNT_PLAIN} (probe) — account-wide presence`,
    ],
  },
  {
    name: 'the probe came back without the filter: refused without a reason',
    existing: [sub('s2', [ext('101')])],
    stored: { tokenHashes: hashes('s2'), run: { probes: [{ filter: ACCOUNT, subscriptionId: 's2' }], created: ['s2'] } },
    expected: [
      `delete s2 — filter ${ACCOUNT} was disabled by RingCentral [refused: RingCentral disabled the filter ${ACCOUNT}: no reason given]`,
      `create ${ACCOUNT_PLAIN} (probe) — account-wide presence`,
    ],
  },
  {
    name: 'both filters refused (auto): per-extension filters, the refusal remembered',
    desired: { extensionIds: ['101'] },
    stored: {
      run: {
        probes: [
          { filter: ACCOUNT, error: apiRefusal },
          { filter: ACCOUNT_PLAIN, error: apiRefusal },
        ],
        created: [],
      },
    },
    expected: [FALLBACK, `create ${ext('101')} — per-extension presence (1)`, `remember extension (refused at ${refusedAt(0)}: needs ReadAccounts)`],
  },
  {
    name: 'both filters refused, the last one disabled: its subscription deleted, the extensions asked for',
    existing: [sub('s3', [ACCOUNT_PLAIN], { disabledFilters: [{ filter: ACCOUNT_PLAIN }] } as Partial<RingCentralSubscription>)],
    stored: {
      tokenHashes: hashes('s3'),
      run: {
        probes: [
          { filter: ACCOUNT, subscriptionId: 's1', error: new FilterRefusedError('first') },
          { filter: ACCOUNT_PLAIN, subscriptionId: 's3' },
        ],
        created: ['s1', 's3'],
      },
    },
    expected: [
      `delete s3 — filter ${ACCOUNT_PLAIN} was disabled by RingCentral [refused: RingCentral disabled the filter ${ACCOUNT_PLAIN}: no reason given]`,
      FALLBACK,
      'load-extensions',
    ],
  },
  {
    name: 'after loading the extensions, a refusal recorded earlier is what is remembered',
    stored: {
      run: {
        probes: [
          { filter: ACCOUNT, error: apiRefusal },
          { filter: ACCOUNT_PLAIN, subscriptionId: 's3', error: new FilterRefusedError('disabled plain') },
        ],
        created: ['s3'],
        extensionIds: ['102', '101'],
      },
    },
    expected: [FALLBACK, `create ${ext('101')} ${ext('102')} — per-extension presence (2)`, `remember extension (refused at ${refusedAt(0)}: disabled plain)`],
  },
  {
    name: 'both filters refused with scope account: fail with the last refusal',
    desired: { scope: 'account', extensionIds: ['101'] },
    stored: {
      run: {
        probes: [
          { filter: ACCOUNT, error: new Error('first') },
          { filter: ACCOUNT_PLAIN, error: apiRefusal },
        ],
        created: [],
      },
    },
    expected: ['fail needs ReadAccounts'],
  },
  {
    name: 'keeping the account subscription was refused (auto): per-extension, the account one deleted after',
    desired: { extensionIds: ['101'] },
    existing: [sub('s1', [ACCOUNT])],
    stored: { tokenHashes: { s1: 'hash-old' }, run: { probes: [], created: [], accountRefusal: { error: apiRefusal } } },
    expected: [
      FALLBACK,
      `create ${ext('101')} — per-extension presence (1)`,
      'delete s1 — no longer needed',
      `remember extension (refused at ${refusedAt(0)}: needs ReadAccounts)`,
    ],
  },
  {
    name: 'keeping the account subscription was refused with scope account: fail',
    desired: { scope: 'account' },
    existing: [sub('s1', [ACCOUNT])],
    stored: { tokenHashes: { s1: 'hash-old' }, run: { probes: [], created: [], accountRefusal: { error: apiRefusal } } },
    expected: ['fail needs ReadAccounts'],
  },
  // Per-extension scope
  {
    name: 'refused less than a day ago (auto): per-extension, the extensions asked for',
    stored: { accountScopeRefusedAt: refusedAt(23 * 3600 * 1000), accountScopeRefusal: 'needs ReadAccounts' },
    expected: ['load-extensions'],
  },
  {
    name: 'refused more than a day ago (auto): the account filter is tried again',
    stored: { accountScopeRefusedAt: refusedAt(25 * 3600 * 1000), accountScopeRefusal: 'needs ReadAccounts' },
    expected: [`create ${ACCOUNT} (probe) — account-wide presence`],
  },
  {
    name: 'scope extension: filters packed per subscription, sorted and without repeats',
    desired: { scope: 'extension', extensionIds: ['103', '101', '102', '101'] },
    settings: { filtersPerSubscription: 2 },
    expected: [`create ${ext('101')} ${ext('102')} — per-extension presence (2)`, `create ${ext('103')} — per-extension presence (1)`, 'remember extension'],
  },
  {
    name: 'scope extension: ours reused oldest first, filters compared by meaning',
    desired: { scope: 'extension', extensionIds: ['101', '102', '103'] },
    existing: [
      sub('newer', [extExpanded('103')], { creationTime: '2029-06-01T00:00:00Z' }),
      sub('older', [extExpanded('101'), extExpanded('102')], { creationTime: '2029-01-01T00:00:00Z' }),
    ],
    stored: { tokenHashes: hashes('newer', 'older'), filterIds: { accountId: '555' } },
    settings: { filtersPerSubscription: 2 },
    expected: ['keep older', 'keep newer', 'remember extension'],
  },
  {
    name: 'scope extension: a new extension changes the filters with PUT',
    desired: { scope: 'extension', extensionIds: ['101', '104'] },
    existing: [sub('e1', [ext('101')])],
    stored: { tokenHashes: hashes('e1') },
    expected: [`update e1 ${ext('101')} ${ext('104')} — event filters changed`, 'delete e1 — no longer needed (if replaced)', 'remember extension'],
  },
  {
    name: 'scope extension: one renewed, one kept, one surplus; the renewed one deleted after only if replaced',
    desired: { scope: 'extension', extensionIds: ['101', '102'] },
    existing: [
      sub('e3', [ext('103')], { creationTime: '2029-03-01T00:00:00Z' }),
      sub('e1', [ext('101')], { creationTime: '2029-01-01T00:00:00Z', expirationTime: new Date(NOW + DAY).toISOString() }),
      sub('e2', [ext('102')], { creationTime: '2029-02-01T00:00:00Z' }),
    ],
    stored: { tokenHashes: hashes('e1', 'e2', 'e3') },
    settings: { filtersPerSubscription: 1 },
    expected: [
      `renew e1 — was expiring ${new Date(NOW + DAY).toISOString()}`,
      'keep e2',
      'delete e3 — no longer needed',
      'delete e1 — no longer needed (if replaced)',
      'remember extension',
    ],
  },
  {
    name: 'scope extension: fewer chunks than subscriptions, the rest deleted after',
    desired: { scope: 'extension', extensionIds: ['101'] },
    existing: [sub('e1', [ext('101')], { creationTime: '2029-01-01T00:00:00Z' }), sub('e2', [ext('102')], { creationTime: '2029-02-01T00:00:00Z' })],
    stored: { tokenHashes: hashes('e1', 'e2') },
    expected: ['keep e1', 'delete e2 — no longer needed', 'remember extension'],
  },
  {
    name: 'scope extension: an account subscription is not reused, and deleted after',
    desired: { scope: 'extension', extensionIds: ['101'] },
    existing: [sub('s1', [ACCOUNT])],
    stored: { tokenHashes: hashes('s1') },
    expected: [`create ${ext('101')} — per-extension presence (1)`, 'delete s1 — no longer needed', 'remember extension'],
  },
  {
    name: 'scope extension: the stored refusal stays remembered',
    desired: { scope: 'extension', extensionIds: ['101'] },
    existing: [sub('e1', [ext('101')])],
    stored: { tokenHashes: hashes('e1'), accountScopeRefusedAt: refusedAt(DAY * 10), accountScopeRefusal: 'needs ReadAccounts' },
    expected: ['keep e1', `remember extension (refused at ${refusedAt(DAY * 10)}: needs ReadAccounts)`],
  },
  {
    name: 'scope extension: no extensions is a failure that says what to fix',
    desired: { scope: 'extension', extensionIds: [] },
    expected: ['fail no RingCentral extensions to subscribe to: the extension directory is empty (the app needs ReadAccounts) and no extension ids were given'],
  },
  {
    name: 'scope extension: more than 30 subscriptions with the foreign ones is a failure',
    desired: { scope: 'extension', extensionIds: ['101', '102', '103'] },
    existing: Array.from({ length: 28 }, (_, i) => sub(`f${i}`, [ACCOUNT], { address: 'https://other.example.com' })),
    settings: { filtersPerSubscription: 1 },
    expected: [
      'fail 3 extensions need 3 subscriptions of 1 filters, and 28 other subscriptions exist; RingCentral allows 30 per user and app: ' +
        'raise RINGCENTRAL_FILTERS_PER_SUBSCRIPTION or grant the app ReadAccounts for the account-wide filter',
    ],
  },
  {
    name: 'scope extension: exactly 30 subscriptions with the foreign ones is allowed',
    desired: { scope: 'extension', extensionIds: ['101', '102'] },
    existing: Array.from({ length: 28 }, (_, i) => sub(`f${i}`, [ACCOUNT], { address: 'https://other.example.com' })),
    settings: { filtersPerSubscription: 1 },
    expected: [`create ${ext('101')} — per-extension presence (1)`, `create ${ext('102')} — per-extension presence (1)`, 'remember extension'],
  },
  {
    name: 'scope extension: a blacklisted one is deleted first, then re-created',
    desired: { scope: 'extension', extensionIds: ['101'] },
    existing: [sub('e1', [ext('101')], { status: 'Blacklisted' })],
    stored: { tokenHashes: hashes('e1') },
    expected: ['delete e1 — blacklisted (no reason given); re-created', `create ${ext('101')} — per-extension presence (1)`, 'remember extension'],
  },
];

describe('planRingCentralSubscriptions', () => {
  it.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const desired: RingCentralDesiredSubscriptions = { notificationUrl: URL, tokenHash: HASH, scope: 'auto', ...row.desired };
    const { run, ...stored } = row.stored ?? {};
    const memory: RingCentralStoredSubscriptions = { tokenHashes: {}, filterIds: {}, ...stored, run: { probes: [], created: [], ...run } };
    const settings = ringCentralPlanSettings(row.settings ?? {}, 315360000);
    expect(planRingCentralSubscriptions(row.existing ?? [], desired, memory, NOW, settings).map(describe_)).toEqual(row.expected);
  });
});

describe('ringCentralPlanSettings', () => {
  it.each([
    [
      'defaults: the maximum lifetime, a 7-day margin, 1000 filters, a day before retrying',
      {},
      { expiresIn: 315360000, renewBeforeMs: 7 * DAY, filtersPerSubscription: 1000, retryAccountScopeAfterMs: DAY },
    ],
    ['a longer lifetime than RingCentral allows is clamped', { expiresIn: 999999999 }, { expiresIn: 315360000 }],
    ['a short lifetime renews at half of it', { expiresIn: 3600 }, { expiresIn: 3600, renewBeforeMs: 1800 * 1000 }],
  ] as const)('%s', (_name, options, expected) => {
    expect(ringCentralPlanSettings(options, 315360000)).toMatchObject(expected);
  });
});
