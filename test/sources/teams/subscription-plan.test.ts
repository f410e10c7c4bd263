/**
 * The Teams subscription planner, row by row: the account's remembered entry and users, the wanted users,
 * the intent (maintenance run or lifecycle event) → the action. Pure: no Graph, no store.
 */
import {
  hashTeamsSubscriptionSettings,
  hashTeamsSubscriptionUsers,
  planTeamsAccount,
  planTeamsLeftoverDeletes,
  planTeamsSubscriptions,
  type AccountSubscription,
  type TeamsAccountIntent,
  type TeamsSubscriptionAction,
  type TeamsSubscriptionSettings,
} from '../../../src/sources/teams/subscription-plan';
import type { SubscriptionResource } from '../../../src/sources/teams/schema';

const MINUTE = 60_000;
const NOW = Date.parse('2030-03-01T09:00:00Z');
const SETTINGS: TeamsSubscriptionSettings = { renewBeforeMs: 25 * MINUTE, settingsHash: 'settings-1' };

function entry(users: string[], extra: Partial<AccountSubscription> & { minutesLeft?: number } = {}): AccountSubscription {
  const { minutesLeft = 50, ...rest } = extra;
  return {
    account: 'svc-a',
    subscriptionId: 'sub-1',
    expiresAt: new Date(NOW + minutesLeft * MINUTE).toISOString(),
    usersHash: hashTeamsSubscriptionUsers(users),
    settingsHash: SETTINGS.settingsHash,
    userCount: users.length,
    rich: true,
    ...rest,
  };
}

function describeAction(action: TeamsSubscriptionAction): string {
  switch (action.kind) {
    case 'create':
      return `create ${action.account} [${action.userIds.join(',')}] ${action.outcome}${action.replaces ? ` replacing ${action.replaces}` : ''}`;
    case 'clear':
      return `clear ${action.account} ${action.outcome}${action.replaces ? ` replacing ${action.replaces}` : ''}`;
    case 'renew':
      return `renew ${action.account} ${action.subscriptionId}; if gone: ${describeAction(action.ifGone)}`;
    case 'keep':
      return `keep ${action.account}`;
    case 'remove':
      return `remove ${action.account}`;
    case 'delete-leftover':
      return `delete-leftover ${action.account} ${action.subscriptionId}`;
    case 'report':
      return `report ${action.message} ${JSON.stringify(action.context)}`;
  }
}

interface AccountRow {
  readonly name: string;
  readonly entry?: AccountSubscription;
  readonly desired?: string[];
  readonly stored?: string[];
  readonly intent?: TeamsAccountIntent;
  readonly expected: string;
}

const accountRows: AccountRow[] = [
  // The maintainer's run (intent ensure)
  { name: 'no entry: created', desired: ['u2', 'u1'], expected: 'create svc-a [u1,u2] created' },
  { name: 'no entry, no users: nothing', desired: [], expected: 'clear svc-a none' },
  {
    name: 'an entry without a subscription id: created',
    entry: entry(['u1'], { subscriptionId: undefined }),
    desired: ['u1'],
    expected: 'create svc-a [u1] created',
  },
  { name: 'users unchanged, time left: kept', entry: entry(['u1', 'u2']), desired: ['u2', 'u1', 'u1'], stored: ['u1', 'u2'], expected: 'keep svc-a' },
  {
    name: 'users changed: re-created, the old one deleted first',
    entry: entry(['u1', 'u2']),
    desired: ['u1', 'u3'],
    stored: ['u1', 'u2'],
    expected: 'create svc-a [u1,u3] recreated replacing sub-1',
  },
  { name: 'every user gone: deleted', entry: entry(['u1']), desired: [], stored: ['u1'], expected: 'clear svc-a deleted replacing sub-1' },
  {
    name: 'settings changed (clientState, public URL or certificate): re-created',
    entry: entry(['u1'], { settingsHash: 'settings-0' }),
    desired: ['u1'],
    stored: ['u1'],
    expected: 'create svc-a [u1] recreated replacing sub-1',
  },
  {
    name: 'an entry from before settings were hashed: re-created',
    entry: entry(['u1'], { settingsHash: undefined }),
    desired: ['u1'],
    stored: ['u1'],
    expected: 'create svc-a [u1] recreated replacing sub-1',
  },
  {
    name: 'less than the renew window left: renewed, re-created for the stored users if gone',
    entry: entry(['u1'], { minutesLeft: 18 }),
    desired: ['u1'],
    stored: ['u1'],
    expected: 'renew svc-a sub-1; if gone: create svc-a [u1] recreated',
  },
  {
    name: 'exactly the renew window left: renewed',
    entry: entry(['u1'], { minutesLeft: 25 }),
    desired: ['u1'],
    stored: ['u1'],
    expected: 'renew svc-a sub-1; if gone: create svc-a [u1] recreated',
  },
  { name: 'just over the renew window: kept', entry: entry(['u1'], { minutesLeft: 26 }), desired: ['u1'], stored: ['u1'], expected: 'keep svc-a' },
  {
    name: 'already expired: renewed',
    entry: entry(['u1'], { minutesLeft: -5 }),
    desired: ['u1'],
    stored: ['u1'],
    expected: 'renew svc-a sub-1; if gone: create svc-a [u1] recreated',
  },
  {
    name: 'unknown expiry: renewed',
    entry: entry(['u1'], { expiresAt: undefined }),
    desired: ['u1'],
    stored: ['u1'],
    expected: 'renew svc-a sub-1; if gone: create svc-a [u1] recreated',
  },
  {
    name: 'renewal of a subscription whose stored users are gone: nothing to re-create',
    entry: entry(['u1'], { minutesLeft: 10 }),
    desired: ['u1'],
    stored: [],
    expected: 'renew svc-a sub-1; if gone: clear svc-a none',
  },
  // reauthorizationRequired (intent renew)
  {
    name: 'reauthorizationRequired: PATCH',
    entry: entry(['u1']),
    stored: ['u1'],
    intent: 'renew',
    expected: 'renew svc-a sub-1; if gone: create svc-a [u1] recreated',
  },
  {
    name: 'reauthorizationRequired without a subscription: created for the stored users',
    stored: ['u1'],
    intent: 'renew',
    expected: 'create svc-a [u1] created',
  },
  { name: 'reauthorizationRequired without a subscription or users: nothing', stored: [], intent: 'renew', expected: 'clear svc-a none' },
  // subscriptionRemoved (intent recreate)
  {
    name: 'subscriptionRemoved: re-created for the stored users',
    entry: entry(['u1']),
    stored: ['u1'],
    intent: 'recreate',
    expected: 'create svc-a [u1] recreated replacing sub-1',
  },
  { name: 'subscriptionRemoved without a known subscription: created again', stored: ['u1'], intent: 'recreate', expected: 'create svc-a [u1] recreated' },
  {
    name: 'subscriptionRemoved, nobody assigned: deleted',
    entry: entry(['u1']),
    stored: [],
    intent: 'recreate',
    expected: 'clear svc-a deleted replacing sub-1',
  },
];

describe('planTeamsAccount', () => {
  it.each(accountRows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const action = planTeamsAccount('svc-a', row.entry, row.desired ?? [], row.stored ?? [], NOW, SETTINGS, row.intent);
    expect(describeAction(action)).toBe(row.expected);
  });
});

const presence = (id: string): SubscriptionResource => ({ id, resource: `/communications/presences?$filter=id in ('u1')` }) as SubscriptionResource;
const other = (id: string): SubscriptionResource => ({ id, resource: '/users/u1/mailFolders/inbox/messages' }) as SubscriptionResource;

interface RunRow {
  readonly name: string;
  readonly accounts: string[];
  readonly users: string[];
  readonly index?: Record<string, AccountSubscription>;
  readonly assignments?: Record<string, string[]>;
  readonly existing?: Record<string, SubscriptionResource[]>;
  readonly capacity?: number;
  readonly expected: string[];
}

const NO_ACCOUNT =
  'report no Teams service account is signed in: presence comes from reconciliation only (run `presence-bridge teams login --account <name>`) {}';

const UNCOVERED = 'report more covered Teams users than service accounts can subscribe to (650 each); sign in more accounts';

const runRows: RunRow[] = [
  { name: 'no account and no users: only a warning', accounts: [], users: [], expected: [NO_ACCOUNT] },
  {
    name: 'no account signed in: every user is uncovered',
    accounts: [],
    users: ['u1'],
    expected: [NO_ACCOUNT, `${UNCOVERED} {"uncovered":1,"accounts":0,"accountsNeeded":1}`],
  },
  {
    name: 'no account signed in: the subscriptions of signed-out accounts are removed',
    accounts: [],
    users: ['u1'],
    index: { 'svc-a': entry(['u1']) },
    expected: [NO_ACCOUNT, 'remove svc-a', `${UNCOVERED} {"uncovered":1,"accounts":0,"accountsNeeded":1}`],
  },
  {
    name: 'first run: users chunked over the accounts in name order',
    accounts: ['svc-b', 'svc-a'],
    users: ['u3', 'u1', 'u2'],
    capacity: 2,
    expected: ['create svc-b [u3] created', 'create svc-a [u1,u2] created'],
  },
  {
    name: 'users beyond the capacity: a warning with how many accounts are needed',
    accounts: ['svc-a'],
    users: ['u1', 'u2', 'u3'],
    capacity: 2,
    expected: [
      'report more covered Teams users than service accounts can subscribe to (2 each); sign in more accounts {"uncovered":1,"accounts":1,"accountsNeeded":2}',
      'create svc-a [u1,u2] created',
    ],
  },
  {
    name: 'steady state: kept',
    accounts: ['svc-a'],
    users: ['u1', 'u2'],
    index: { 'svc-a': entry(['u1', 'u2']) },
    assignments: { 'svc-a': ['u1', 'u2'] },
    expected: ['keep svc-a'],
  },
  {
    name: 'a user leaves and one arrives: the account re-created with the newcomer',
    accounts: ['svc-a'],
    users: ['u2', 'u9'],
    index: { 'svc-a': entry(['u1', 'u2']) },
    assignments: { 'svc-a': ['u1', 'u2'] },
    expected: ['create svc-a [u2,u9] recreated replacing sub-1'],
  },
  {
    name: 'assignment is stable: a newcomer goes where there is room, the full account is kept',
    accounts: ['svc-a', 'svc-b'],
    users: ['u1', 'u2', 'u3', 'u0'],
    capacity: 2,
    index: { 'svc-a': entry(['u1', 'u2']), 'svc-b': entry(['u3'], { account: 'svc-b', subscriptionId: 'sub-2' }) },
    assignments: { 'svc-a': ['u1', 'u2'], 'svc-b': ['u3'] },
    expected: ['keep svc-a', 'create svc-b [u0,u3] recreated replacing sub-2'],
  },
  {
    name: 'a signed-out account is removed; its users move to the remaining account',
    accounts: ['svc-a'],
    users: ['u1', 'u3'],
    index: { 'svc-a': entry(['u1']), 'svc-b': entry(['u3'], { account: 'svc-b', subscriptionId: 'sub-2' }) },
    assignments: { 'svc-a': ['u1'] },
    expected: ['remove svc-b', 'create svc-a [u1,u3] recreated replacing sub-1'],
  },
  {
    name: 'near expiry: renewed; if gone, re-created for the stored users',
    accounts: ['svc-a'],
    users: ['u1'],
    index: { 'svc-a': entry(['u1'], { minutesLeft: 10 }) },
    assignments: { 'svc-a': ['u1'] },
    expected: ['renew svc-a sub-1; if gone: create svc-a [u1] recreated'],
  },
  {
    name: 'what Graph listed: presence leftovers deleted, the known one and other resources untouched',
    accounts: ['svc-a'],
    users: ['u1'],
    existing: { 'svc-a': [presence('leftover-1'), presence('sub-1'), other('mail-1'), presence('leftover-2')] },
    index: { 'svc-a': entry(['u1']) },
    assignments: { 'svc-a': ['u1'] },
    expected: ['delete-leftover svc-a leftover-1', 'delete-leftover svc-a leftover-2', 'keep svc-a'],
  },
];

describe('planTeamsSubscriptions', () => {
  it.each(runRows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const plan = planTeamsSubscriptions(
      row.existing ?? {},
      { accounts: row.accounts, userIds: row.users },
      { index: { accounts: row.index ?? {} }, assignments: row.assignments ?? {} },
      NOW,
      { ...SETTINGS, ...(row.capacity ? { capacity: row.capacity } : {}) },
    );
    expect(plan.actions.map(describeAction)).toEqual(row.expected);
  });
});

describe('planTeamsLeftoverDeletes (after a 409)', () => {
  it.each([
    ['nothing listed: nothing deleted', [], []],
    ['every presence subscription is a leftover', [presence('a'), presence('b')], ['delete-leftover svc-a a', 'delete-leftover svc-a b']],
    ['subscriptions to other resources are not the bridge’s', [other('mail'), presence('a')], ['delete-leftover svc-a a']],
    ['a subscription without a resource is left alone', [{ id: 'x' } as SubscriptionResource], []],
    [
      'the resource is matched case-insensitively',
      [{ id: 'c', resource: '/Communications/Presences/u1' } as SubscriptionResource],
      ['delete-leftover svc-a c'],
    ],
  ] as const)('%s', (_name, listed, expected) => {
    expect(planTeamsLeftoverDeletes('svc-a', listed).map(describeAction)).toEqual(expected);
  });
});

describe('hashTeamsSubscriptionSettings', () => {
  const base = { clientState: 'cs', notificationBaseUrl: 'https://bridge.example.com', certificateId: 'c1', certificatePem: 'PEM' };
  it.each([
    ['another clientState', { clientState: 'cs2' }],
    ['another public URL', { notificationBaseUrl: 'https://moved.example.com' }],
    ['another certificate id', { certificateId: 'c2' }],
    ['another certificate', { certificatePem: 'PEM2' }],
    ['basic instead of rich', { certificateId: undefined, certificatePem: undefined }],
  ] as const)('%s changes the hash', (_name, change) => {
    expect(hashTeamsSubscriptionSettings({ ...base, ...change })).not.toBe(hashTeamsSubscriptionSettings(base));
  });
  it('is stable for the same settings, and user order does not change the users hash', () => {
    expect(hashTeamsSubscriptionSettings({ ...base })).toBe(hashTeamsSubscriptionSettings(base));
    expect(hashTeamsSubscriptionUsers(['b', 'a'])).toBe(hashTeamsSubscriptionUsers(['a', 'b']));
  });
});
