/**
 * Microsoft's own published payloads (test/fixtures/teams/README.md) through the real webhook source.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TEAMS_TASKS } from '../../../src/sources/teams/tasks';
import { createTeamsWebhookSource } from '../../../src/sources/teams/webhook';
import { inbound } from './support';

const FIXTURES = path.join(__dirname, '../../fixtures/teams');
const USER_ID = 'fa8bf3dc-eca7-46b7-bad1-db199b62afc3';
// The blog's own values: its subscription id and clientState.
const SUBSCRIPTION_ID = '37a10357-9c28-4cb8-8a4f-a85a1e9b5a7b';
const CLIENT_STATE = 'PresenceTesting';

/** The fixture's bytes with Microsoft's `{userId}` placeholder filled in, and nothing else changed. */
function fixture(name: string, userId = USER_ID): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8').split('{userId}').join(userId);
}

describe('presence basic notification of the April 2024 breaking-change announcement', () => {
  const originalTz = process.env.TZ;
  // Away from UTC, so reading the zoneless expiry as local time would show.
  beforeAll(() => {
    process.env.TZ = 'America/Los_Angeles';
  });
  afterAll(() => {
    process.env.TZ = originalTz;
  });

  const source = (told: Array<{ ids: readonly string[]; expiries?: Readonly<Record<string, number>> }>) =>
    createTeamsWebhookSource({
      clientStates: [CLIENT_STATE],
      isKnownSubscription: (id) => id === SUBSCRIPTION_ID,
      onVerifiedNotifications: (ids, _at, expiries) => told.push({ ids, expiries }),
    });

  test('is accepted as is: the user is read from Graph, the zoneless expiry is read as UTC', async () => {
    const told: Array<{ ids: readonly string[]; expiries?: Readonly<Record<string, number>> }> = [];
    const outcome = await source(told).handle(inbound('/webhooks/teams', fixture('presence-basic-breaking-change-2024.json')));
    expect(outcome).toEqual({
      kind: 'accepted',
      ackStatus: 202,
      events: [],
      tasks: [{ kind: 'task', system: 'teams', task: TEAMS_TASKS.readPresence, data: { userIds: USER_ID } }],
    });
    expect(told).toEqual([{ ids: [SUBSCRIPTION_ID], expiries: { [SUBSCRIPTION_ID]: Date.UTC(2024, 3, 19, 23, 58, 0, 456) } }]);
  });

  test('the user id comes from the %27-quoted filter in `resource` when resourceData is absent', async () => {
    const body = JSON.parse(fixture('presence-basic-breaking-change-2024.json', USER_ID.toUpperCase())) as { value: Array<Record<string, unknown>> };
    delete body.value[0].resourceData;
    const outcome = await source([]).handle(inbound('/webhooks/teams', body));
    expect(outcome).toMatchObject({ kind: 'accepted', tasks: [{ task: TEAMS_TASKS.readPresence, data: { userIds: USER_ID } }] });
  });
});
