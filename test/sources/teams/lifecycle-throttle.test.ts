/**
 * A replayed lifecycle notification passes clientState; what it can make the bridge do is bounded:
 * once per subscription and event per interval, shared through the store, and a failed attempt that
 * will be retried does not count.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLifecycleThrottle, LIFECYCLE_MIN_INTERVAL_MS } from '../../../src/sources/teams/lifecycle-throttle';
import type { SubscriptionManager } from '../../../src/sources/teams/subscriptions';
import { createTeamsTaskRunner } from '../../../src/sources/teams/task-runner';
import { readSubscriptionUsersTask, reauthorizeTask } from '../../../src/sources/teams/tasks';
import { GraphRequestError } from '../../../src/sources/teams/teams-errors';
import { openEmbeddedStore, type EmbeddedStateStore } from '../../../src/store/embedded';

const USERS = Array.from({ length: 650 }, (_, i) => `6a1b2c3d-0000-4000-8000-${String(i).padStart(12, '0')}`);

describe('lifecycle throttle in the Teams task runner', () => {
  let store: EmbeddedStateStore;
  let now: number;
  let reads: number;
  let renewals: number;
  let failNextRead: boolean;

  beforeEach(async () => {
    store = await openEmbeddedStore(fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-')));
    now = Date.UTC(2026, 10, 28, 12);
    reads = 0;
    renewals = 0;
    failNextRead = false;
  });
  afterEach(async () => store.close());

  function runner() {
    const subscriptions = {
      findAccount: async (id: string) => (id.startsWith('sub-') ? `account-of-${id}` : undefined),
      usersOf: async () => USERS,
      renew: async () => {
        renewals += 1;
        return 'renewed';
      },
    } as unknown as SubscriptionManager;
    return createTeamsTaskRunner({
      readPresences: async () => {
        reads += 1;
        if (failNextRead) {
          failNextRead = false;
          throw new GraphRequestError('Graph answered 503', 503);
        }
        return [];
      },
      recordEvents: async () => undefined,
      subscriptions,
      lifecycleThrottle: createLifecycleThrottle(store, () => now),
      now: () => now,
    });
  }

  it('reads a subscription’s users once per interval however often `missed` is replayed', async () => {
    const run = runner();
    for (let replay = 0; replay < 5; replay += 1) expect(await run(readSubscriptionUsersTask('sub-1'))).toEqual({ kind: 'done' });
    expect(reads).toBe(1);

    await run(readSubscriptionUsersTask('sub-2'));
    expect(reads).toBe(2);

    now += LIFECYCLE_MIN_INTERVAL_MS;
    await run(readSubscriptionUsersTask('sub-1'));
    expect(reads).toBe(3);
  });

  it('counts each event on its own: a renewal is not held back by a read', async () => {
    const run = runner();
    await run(readSubscriptionUsersTask('sub-1'));
    await run(reauthorizeTask('sub-1'));
    await run(reauthorizeTask('sub-1'));
    expect({ reads, renewals }).toEqual({ reads: 1, renewals: 1 });
  });

  it('lets the retry of a failed attempt run', async () => {
    const run = runner();
    failNextRead = true;
    expect(await run(readSubscriptionUsersTask('sub-1'))).toMatchObject({ kind: 'retry' });
    expect(await run(readSubscriptionUsersTask('sub-1'))).toEqual({ kind: 'done' });
    expect(reads).toBe(2);
  });

  it('is shared by every runner on the same store (each Lambda container)', async () => {
    await runner()(readSubscriptionUsersTask('sub-1'));
    await runner()(readSubscriptionUsersTask('sub-1'));
    expect(reads).toBe(1);
  });
});
