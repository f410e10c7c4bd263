/**
 * "Latest state wins" (docs/architecture.md) as a property of the whole core, not of one store:
 * events for a few users are delivered through `recordEvents` (what every webhook, backfill and poll
 * uses) in any order, with duplicates, in concurrent batches, with pauses that let the real worker
 * apply intermediate states in between — into the embedded store of a running local bridge whose
 * worker writes to the Genesys sandbox. Whatever the interleaving, each user ends at the state of its
 * greatest (order, tiebreak) event, in the store and in Genesys, and no more writes happen than there
 * are distinct events.
 */
import fc from 'fast-check';
import { mapPresence, type PresenceEvent } from '../../src/presence';
import type { LocalBridge } from '../../src/server';
import { ZOOM_PRESENCE_STATUSES } from '../../src/sources/zoom/schema';
import { isNewer } from '../../src/store/state-store';
import { recordEvents } from '../../src/webhooks/record-events';
import { startTestBridge, waitFor } from '../helpers/local-bridge';
import { customSourceId, heldPresence, sleep } from './support';

const USERS_PER_RUN = 3;

interface Scenario {
  /** Per user: distinct (order, tiebreak) versions, each with a status. */
  users: Array<Array<{ order: number; tiebreak: number; status: string }>>;
  /** Indices into the flattened event list: a permutation plus duplicates. */
  deliveries: number[];
  batchSizes: number[];
  pauses: number[];
}

const versionsArb = fc.uniqueArray(
  fc.record({
    order: fc.integer({ min: 1, max: 6 }).map((o) => o * 1000),
    tiebreak: fc.integer({ min: 0, max: 3 }),
    status: fc.constantFrom(...ZOOM_PRESENCE_STATUSES),
  }),
  { minLength: 1, maxLength: 6, selector: (v) => `${v.order}:${v.tiebreak}` },
);

const scenarioArb: fc.Arbitrary<Scenario> = fc.array(versionsArb, { minLength: USERS_PER_RUN, maxLength: USERS_PER_RUN }).chain((users) => {
  const total = users.reduce((n, u) => n + u.length, 0);
  const indices = Array.from({ length: total }, (_, i) => i);
  return fc.record({
    users: fc.constant(users),
    deliveries: fc
      .tuple(fc.shuffledSubarray(indices, { minLength: total, maxLength: total }), fc.array(fc.nat({ max: total - 1 }), { maxLength: 6 }))
      .chain(([order, duplicates]) =>
        fc.shuffledSubarray([...order, ...duplicates], { minLength: total + duplicates.length, maxLength: total + duplicates.length }),
      ),
    batchSizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 30 }),
    pauses: fc.array(fc.constantFrom(0, 0, 5, 30, 80), { minLength: 1, maxLength: 30 }),
  });
});

describe('latest state wins, end to end at the core (property)', () => {
  let bridge: LocalBridge;
  let run = 0;

  beforeAll(async () => {
    bridge = await startTestBridge({}, { settleMs: 20 });
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  it('any interleaving of deliveries (with duplicates) ends in each user’s latest state', async () => {
    const sandbox = bridge.sandbox!;
    const deps = { store: bridge.parts.store, queue: bridge.parts.queue, mapping: bridge.parts.mapping, now: bridge.parts.now };

    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        run += 1;
        const users = scenario.users.map((versions, u) => {
          const email = `lsw-${run}-${u}@reliability.example`;
          const { id } = sandbox.addUser({ email });
          const events: PresenceEvent[] = versions.map((v) => ({
            system: 'zoom',
            externalUserId: `lsw-${run}-${u}`,
            email,
            values: { presence_status: v.status },
            order: v.order,
            tiebreak: v.tiebreak,
          }));
          const latest = events.reduce((a, b) => (isNewer({ order: b.order, tiebreak: b.tiebreak! }, { order: a.order, tiebreak: a.tiebreak! }) ? b : a));
          return { email, genesysUserId: id, events, latest, expected: mapPresence(latest, bridge.parts.mapping) };
        });
        const all = users.flatMap((u) => u.events);

        // Deliver in batches (concurrently within a batch), pausing so the worker sometimes runs between.
        let cursor = 0;
        for (let b = 0; cursor < scenario.deliveries.length; b += 1) {
          const size = scenario.batchSizes[b % scenario.batchSizes.length];
          const batch = scenario.deliveries.slice(cursor, cursor + size).map((i) => all[i]);
          cursor += size;
          await Promise.all(batch.map((event) => recordEvents([event], deps)));
          const pause = scenario.pauses[b % scenario.pauses.length];
          if (pause > 0) await sleep(pause);
        }

        const isConverged = async () => {
          const sourceId = customSourceId(sandbox, bridge.parts.config.genesys.sourceNames.zoom);
          if (!sourceId) return false;
          for (const user of users) {
            const record = await bridge.parts.store.get({ system: 'zoom', externalUserId: user.latest.externalUserId });
            if (record?.status !== 'applied') return false;
            if (record.applied?.order !== user.latest.order || record.applied.tiebreak !== user.latest.tiebreak) return false;
            const held = heldPresence(sandbox, user.genesysUserId, sourceId);
            if (held?.systemPresence !== user.expected.target || held.message !== user.expected.message) return false;
          }
          return true;
        };
        await waitFor(isConverged, 15_000, `run ${run} to converge`);

        for (const user of users) {
          const record = await bridge.parts.store.get({ system: 'zoom', externalUserId: user.latest.externalUserId });
          expect(record?.desired).toMatchObject({ order: user.latest.order, tiebreak: user.latest.tiebreak, target: user.expected.target });
          const writes = sandbox.presenceWrites.filter((w) => w.userId === user.genesysUserId);
          expect(writes.length).toBeLessThanOrEqual(user.events.length);
          expect(writes.at(-1)?.message).toBe(user.expected.message);
        }
      }),
      { numRuns: 30, endOnFailure: true },
    );
    expect(sandbox.violations).toEqual([]);
  }, 120_000);
});
