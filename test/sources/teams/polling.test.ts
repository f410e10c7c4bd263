/**
 * Polling mode: no service accounts, no webhooks — the maintainer reads every user's presence
 * app-only with getPresencesByUserId and records it.
 */
import type { PresenceEvent } from '../../../src/presence';
import { createMsalNetworkClient } from '../../../src/sources/teams/msal-setup';
import { startTeamsPolling } from '../../../src/sources/teams/polling';
import { createTeamsRuntime } from '../../../src/sources/teams/runtime';
import { readTeamsSettings } from '../../../src/sources/teams/teams-settings';
import { makeUsers, standInConnection, startMicrosoftStandIn, type MicrosoftStandIn } from '../../helpers/microsoft-stand-in';
import { createMemoryDocumentStore } from './support';

const USERS = makeUsers(40, 'Available', 'Available');
let standIn: MicrosoftStandIn;

beforeAll(async () => {
  standIn = await startMicrosoftStandIn({ users: USERS, usersPageSize: 15 });
});
afterAll(async () => standIn.close());

function runtimeWith(
  recordEvents: (events: PresenceEvent[]) => Promise<void>,
  extra: { loadRecordedValues?: () => Promise<ReadonlyMap<string, Readonly<Record<string, string>>>> } = {},
) {
  const config = standInConnection(standIn);
  return createTeamsRuntime({
    config,
    settings: readTeamsSettings({ TEAMS_MODE: 'polling', TEAMS_POLL_INTERVAL_SECONDS: '10' }),
    store: createMemoryDocumentStore(),
    recordEvents,
    msalNetworkClient: createMsalNetworkClient({ httpsAgent: standIn.httpsAgent }),
    ...extra,
  });
}

test('a polling run produces an event for every user, with emails, and never touches subscriptions', async () => {
  standIn.setPresence(USERS[3].id, 'Busy', 'InAMeeting');
  const recorded: PresenceEvent[] = [];
  const report = await runtimeWith(async (events) => void recorded.push(...events)).runMaintenance();
  expect(report).toMatchObject({ mode: 'polling', users: 40, presencesRead: 40, eventsRecorded: 40, accounts: [], errors: [] });
  expect(new Set(recorded.map((e) => e.externalUserId))).toEqual(new Set(USERS.map((u) => u.id)));
  expect(recorded.find((e) => e.externalUserId === USERS[3].id)).toMatchObject({
    email: 'user00003@contoso.example',
    values: { availability: 'Busy', activity: 'InAMeeting' },
  });
  expect(standIn.requests.some((r) => r.path.startsWith('/v1.0/subscriptions'))).toBe(false);
});

test('with the recorded values at hand, a run records only users whose presence changed', async () => {
  const values = new Map<string, Record<string, string>>();
  const recorded: PresenceEvent[] = [];
  const runtime = runtimeWith(
    async (events) => {
      recorded.push(...events);
      for (const event of events) values.set(event.externalUserId, { ...event.values });
    },
    { loadRecordedValues: async () => values },
  );
  expect((await runtime.runMaintenance()).eventsRecorded).toBe(40);
  standIn.setPresence(USERS[7].id, 'Away', 'Away');
  const second = await runtime.runMaintenance();
  expect(second).toMatchObject({ presencesRead: 40, eventsRecorded: 1, directoryRefreshed: false });
  expect(recorded[recorded.length - 1]).toMatchObject({ externalUserId: USERS[7].id, values: { availability: 'Away', activity: 'Away' } });
});

test('the polling loop runs repeatedly without overlap and stops cleanly', async () => {
  let runs = 0;
  let running = 0;
  let overlapped = false;
  const loop = startTeamsPolling({
    intervalMs: 5,
    run: async () => {
      running += 1;
      overlapped ||= running > 1;
      runs += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      running -= 1;
    },
  });
  while (runs < 3) await new Promise((resolve) => setTimeout(resolve, 5));
  await loop.stop();
  const after = runs;
  await new Promise((resolve) => setTimeout(resolve, 30));
  expect(runs).toBe(after);
  expect(overlapped).toBe(false);
});
