/**
 * The one contract every StateStore implementation must meet, so the local and AWS stores cannot drift apart.
 * Each implementation's test file calls `describeStateStoreContract` with a factory; the suite opens a fresh,
 * empty store for every test and closes it afterwards.
 */
import fc from 'fast-check';
import { StoreError } from '../../src/errors';
import type { AppliedState, DesiredState, DesiredVersion, RecordOutcome, StateKey, StateStore } from '../../src/store/state-store';
import { isNewer } from '../../src/store/state-store';
import type { SystemName } from '../../src/systems';

/** What a factory receives: the clock the store must use for `updatedAt` and delivery expiry. */
export interface StoreFactoryOptions {
  readonly now: () => Date;
}

/** Creates a fresh, empty store. */
export type StoreFactory = (options: StoreFactoryOptions) => Promise<StateStore>;

const START = Date.parse('2025-03-01T12:00:00.000Z');

function userKey(externalUserId = 'abc123', system: SystemName = 'zoom'): StateKey {
  return { system, externalUserId };
}

/** A desired state whose content is derived from its version, so equal versions are equal states. */
function desiredAt(order: number, tiebreak = 0, target: string | null = 'Available'): DesiredState {
  return {
    target,
    message: `state ${order}/${tiebreak}`,
    values: { presence_status: `v${order}.${tiebreak}` },
    order,
    tiebreak,
    recordedAt: new Date(START).toISOString(),
  };
}

function appliedFor(desired: DesiredState): AppliedState {
  return {
    definitionId: 'def-available',
    target: desired.target ?? 'Available',
    message: desired.message,
    order: desired.order,
    tiebreak: desired.tiebreak,
    ...(desired.sequence !== undefined ? { sequence: desired.sequence } : {}),
    appliedAt: new Date(START).toISOString(),
    genesysUserId: 'genesys-user-1',
    sourceId: 'source-zoom',
  };
}

function versionOf(desired: DesiredState): DesiredVersion {
  return { order: desired.order, tiebreak: desired.tiebreak, ...(desired.sequence !== undefined ? { sequence: desired.sequence } : {}) };
}

/** A desired state with a source sequence (Graph presence `sequenceNumber`), learned at `order`. */
function sequencedAt(sequence: string, order: number, tiebreak = 0): DesiredState {
  return { ...desiredAt(order, tiebreak), message: `state ${sequence}`, sequence };
}

function sameKey(a: StateKey, b: StateKey): boolean {
  return a.system === b.system && a.externalUserId === b.externalUserId;
}

/** Defines the shared StateStore contract tests for one implementation. */
export function describeStateStoreContract(name: string, factory: StoreFactory): void {
  describe(`${name} (StateStore contract)`, () => {
    let clockMs = START;
    let store: StateStore;

    beforeEach(async () => {
      clockMs = START;
      store = await factory({ now: () => new Date(clockMs) });
    });

    afterEach(async () => {
      await store.close();
    });

    describe('recordDesired', () => {
      it('records the first state as pending, with the email', async () => {
        const outcome = await store.recordDesired(userKey(), desiredAt(10), 'Ann@Example.com');

        expect(outcome).toBe('recorded');
        const record = await store.get(userKey());
        expect(record).toMatchObject({
          key: userKey(),
          email: 'Ann@Example.com',
          desired: desiredAt(10),
          status: 'pending',
          updatedAt: new Date(START).toISOString(),
        });
        expect(record?.applied).toBeUndefined();
      });

      it('stores a newer order and refuses an older one as stale', async () => {
        await store.recordDesired(userKey(), desiredAt(10));

        expect(await store.recordDesired(userKey(), desiredAt(20))).toBe('recorded');
        expect(await store.recordDesired(userKey(), desiredAt(15))).toBe('stale');
        expect((await store.get(userKey()))?.desired).toEqual(desiredAt(20));
      });

      it('answers duplicate for the same order and tiebreak, and keeps the stored state', async () => {
        await store.recordDesired(userKey(), desiredAt(10, 1));

        const outcome = await store.recordDesired(userKey(), { ...desiredAt(10, 1), message: 'replayed' });

        expect(outcome).toBe('duplicate');
        expect((await store.get(userKey()))?.desired.message).toBe('state 10/1');
      });

      it('breaks equal orders by tiebreak', async () => {
        await store.recordDesired(userKey(), desiredAt(10, 1));

        expect(await store.recordDesired(userKey(), desiredAt(10, 2))).toBe('recorded');
        expect(await store.recordDesired(userKey(), desiredAt(10, 0))).toBe('stale');
        expect((await store.get(userKey()))?.desired).toEqual(desiredAt(10, 2));
      });

      it('keeps users and systems apart', async () => {
        await store.recordDesired(userKey('u1', 'zoom'), desiredAt(10));

        expect(await store.recordDesired(userKey('u1', 'teams'), desiredAt(5))).toBe('recorded');
        expect(await store.recordDesired(userKey('u2', 'zoom'), desiredAt(5))).toBe('recorded');
        expect(await store.get(userKey('u3', 'zoom'))).toBeUndefined();
      });

      it('keeps ids with separators intact', async () => {
        const odd = userKey('team:user#1/ä', 'teams');

        await store.recordDesired(odd, desiredAt(1));

        expect((await store.get(odd))?.key).toEqual(odd);
        expect(await store.listUnfinished(new Date(clockMs))).toEqual([odd]);
      });

      it('stores a null target (skip) and empty values', async () => {
        const skip = { ...desiredAt(3, 0, null), values: {} };

        await store.recordDesired(userKey(), skip);

        expect((await store.get(userKey()))?.desired).toEqual(skip);
      });

      it('makes an outcome pending again, keeping applied state and email, dropping old details', async () => {
        const first = desiredAt(10);
        await store.recordDesired(userKey(), first, 'ann@example.com');
        await store.markApplied(userKey(), appliedFor(first), versionOf(first));
        await store.markStatus(userKey(), { status: 'parked', detail: 'quota', retryAt: '2030-01-01T00:00:00.000Z' }, versionOf(first));
        clockMs += 1000;

        await store.recordDesired(userKey(), desiredAt(11));

        const record = await store.get(userKey());
        expect(record).toMatchObject({ status: 'pending', email: 'ann@example.com', applied: appliedFor(first) });
        expect(record?.detail).toBeUndefined();
        expect(record?.retryAt).toBeUndefined();
        expect(record?.updatedAt).toBe(new Date(START + 1000).toISOString());
      });

      it('replaces the email when a new one is given', async () => {
        await store.recordDesired(userKey(), desiredAt(1), 'old@example.com');

        await store.recordDesired(userKey(), desiredAt(2), 'new@example.com');

        expect((await store.get(userKey()))?.email).toBe('new@example.com');
      });

      it('refuses a version that cannot be compared', async () => {
        await expect(store.recordDesired(userKey(), desiredAt(Number.NaN))).rejects.toBeInstanceOf(StoreError);
        await expect(store.recordDesired(userKey(), sequencedAt('', 1))).rejects.toBeInstanceOf(StoreError);
      });
    });

    describe('recordDesired with sequences (both sides sequenced: the sequence decides)', () => {
      const teams = (): StateKey => userKey('entra-object-1', 'teams');

      it('records a newer sequence even with an older receipt time', async () => {
        await store.recordDesired(teams(), sequencedAt('00000000000000000002', 200));

        expect(await store.recordDesired(teams(), sequencedAt('00000000000000000003', 100))).toBe('recorded');
        expect((await store.get(teams()))?.desired).toEqual(sequencedAt('00000000000000000003', 100));
      });

      it('calls an older sequence stale even with a newer receipt time', async () => {
        await store.recordDesired(teams(), sequencedAt('00000000000000000005', 100));

        expect(await store.recordDesired(teams(), sequencedAt('00000000000000000004', 900, 3))).toBe('stale');
        expect((await store.get(teams()))?.desired).toEqual(sequencedAt('00000000000000000005', 100));
      });

      it('compares lexicographically, not numerically', async () => {
        await store.recordDesired(teams(), sequencedAt('9', 100));

        expect(await store.recordDesired(teams(), sequencedAt('10', 200))).toBe('stale');
        expect(await store.recordDesired(teams(), sequencedAt('9a', 50))).toBe('recorded');
      });

      it('calls the same sequence a duplicate whenever it was learned, and keeps the stored state', async () => {
        await store.recordDesired(teams(), sequencedAt('0007', 100));

        expect(await store.recordDesired(teams(), { ...sequencedAt('0007', 500, 2), message: 're-read' })).toBe('duplicate');
        expect(await store.recordDesired(teams(), sequencedAt('0007', 50))).toBe('duplicate');
        expect((await store.get(teams()))?.desired).toEqual(sequencedAt('0007', 100));
      });

      it('falls back to (order, tiebreak) when the stored state has no sequence (older records)', async () => {
        await store.recordDesired(teams(), desiredAt(100));

        expect(await store.recordDesired(teams(), sequencedAt('0001', 50))).toBe('stale');
        expect(await store.recordDesired(teams(), sequencedAt('0001', 150))).toBe('recorded');
        expect((await store.get(teams()))?.desired).toEqual(sequencedAt('0001', 150));
      });

      it('falls back to (order, tiebreak) when the incoming state has no sequence, and then forgets the sequence', async () => {
        await store.recordDesired(teams(), sequencedAt('0009', 100));

        expect(await store.recordDesired(teams(), desiredAt(90))).toBe('stale');
        expect(await store.recordDesired(teams(), desiredAt(100))).toBe('duplicate');
        expect(await store.recordDesired(teams(), desiredAt(110))).toBe('recorded');
        expect((await store.get(teams()))?.desired).toEqual(desiredAt(110));
        // The stored state has no sequence now, so a sequenced state is judged by time again.
        expect(await store.recordDesired(teams(), sequencedAt('0001', 120))).toBe('recorded');
      });

      it('keeps an outcome for an equal-time state of another sequence from landing on the newer one', async () => {
        const first = sequencedAt('0001', 100);
        const second = sequencedAt('0002', 100);
        await store.recordDesired(teams(), first);
        await store.recordDesired(teams(), second);

        await store.markStatus(teams(), { status: 'failed', detail: 'for the first' }, versionOf(first));
        await store.markApplied(teams(), appliedFor(first), versionOf(first));

        const record = await store.get(teams());
        expect(record).toMatchObject({ status: 'pending', desired: second, applied: appliedFor(first) });
        expect(record?.detail).toBeUndefined();

        await store.markApplied(teams(), appliedFor(second), versionOf(second));
        expect(await store.get(teams())).toMatchObject({ status: 'applied', applied: appliedFor(second) });
      });

      it('does not take an unsequenced outcome for a sequenced state of the same time', async () => {
        const sequenced = sequencedAt('0003', 100);
        await store.recordDesired(teams(), sequenced);

        await store.markStatus(teams(), { status: 'skipped' }, { order: 100, tiebreak: 0 });

        expect((await store.get(teams()))?.status).toBe('pending');
      });
    });

    describe('markApplied', () => {
      it('marks the current version applied and remembers the Genesys user', async () => {
        const desired = desiredAt(10);
        await store.recordDesired(userKey(), desired);

        await store.markApplied(userKey(), appliedFor(desired), versionOf(desired));

        expect(await store.get(userKey())).toMatchObject({
          status: 'applied',
          applied: appliedFor(desired),
          genesysUserId: 'genesys-user-1',
        });
      });

      it('stores the applied state but stays pending when a newer desired state arrived meanwhile', async () => {
        const old = desiredAt(10);
        await store.recordDesired(userKey(), old);
        await store.recordDesired(userKey(), desiredAt(11));

        await store.markApplied(userKey(), appliedFor(old), versionOf(old));

        const record = await store.get(userKey());
        expect(record).toMatchObject({ status: 'pending', applied: appliedFor(old), desired: desiredAt(11) });
        expect(await store.listUnfinished(new Date(clockMs))).toEqual([userKey()]);
      });

      it('fails for a key that has no record', async () => {
        const desired = desiredAt(1);

        await expect(store.markApplied(userKey('nobody'), appliedFor(desired), versionOf(desired))).rejects.toBeInstanceOf(StoreError);
      });

      it('remembers an email learned by the worker, so list can filter by it', async () => {
        const desired = desiredAt(1);
        await store.recordDesired(userKey('ext-1', 'ringcentral'), desired);

        await store.markApplied(userKey('ext-1', 'ringcentral'), appliedFor(desired), versionOf(desired), 'Bob@Example.com');

        expect(await store.get(userKey('ext-1', 'ringcentral'))).toMatchObject({ status: 'applied', email: 'Bob@Example.com' });
        expect((await store.list({ email: 'bob@example.com' })).map((r) => r.key.externalUserId)).toEqual(['ext-1']);
      });

      it('keeps the stored email when none is given', async () => {
        const desired = desiredAt(1);
        await store.recordDesired(userKey(), desired, 'ann@example.com');

        await store.markApplied(userKey(), appliedFor(desired), versionOf(desired));

        expect((await store.get(userKey()))?.email).toBe('ann@example.com');
      });
    });

    describe('markStatus', () => {
      it('stores the outcome for the current version', async () => {
        const desired = desiredAt(10);
        await store.recordDesired(userKey(), desired);

        await store.markStatus(userKey(), { status: 'unmatched', detail: 'no Genesys user with this email', genesysUserId: undefined }, versionOf(desired));

        expect(await store.get(userKey())).toMatchObject({ status: 'unmatched', detail: 'no Genesys user with this email' });
      });

      it('remembers an email learned with the outcome, so list can filter by it', async () => {
        const desired = desiredAt(10);
        await store.recordDesired(userKey('ext-2', 'ringcentral'), desired);

        await store.markStatus(
          userKey('ext-2', 'ringcentral'),
          { status: 'unmatched', detail: 'no Genesys user', email: 'zed@example.com' },
          versionOf(desired),
        );

        expect((await store.list({ email: 'ZED@example.com', status: 'unmatched' })).map((r) => r.key.externalUserId)).toEqual(['ext-2']);
      });

      it('ignores an outcome for an old version', async () => {
        const old = desiredAt(10);
        await store.recordDesired(userKey(), old);
        await store.recordDesired(userKey(), desiredAt(12));

        await store.markStatus(userKey(), { status: 'failed', detail: 'boom' }, versionOf(old));

        const record = await store.get(userKey());
        expect(record?.status).toBe('pending');
        expect(record?.detail).toBeUndefined();
      });

      it('does nothing for a key that has no record', async () => {
        await store.markStatus(userKey('nobody'), { status: 'skipped' }, { order: 1, tiebreak: 0 });

        expect(await store.get(userKey('nobody'))).toBeUndefined();
      });

      it('remembers the Genesys user it was given', async () => {
        const desired = desiredAt(1);
        await store.recordDesired(userKey(), desired);

        await store.markStatus(userKey(), { status: 'skipped', genesysUserId: 'g-9' }, versionOf(desired));

        expect((await store.get(userKey()))?.genesysUserId).toBe('g-9');
      });

      it('forgets the Genesys user when told it is gone', async () => {
        const desired = desiredAt(1);
        await store.recordDesired(userKey(), desired);
        await store.markStatus(userKey(), { status: 'failed', genesysUserId: 'g-9' }, versionOf(desired));

        await store.markStatus(userKey(), { status: 'unmatched', detail: 'gone', forgetGenesysUser: true }, versionOf(desired));

        const record = await store.get(userKey());
        expect(record?.genesysUserId).toBeUndefined();
        expect(record?.status).toBe('unmatched');
      });
    });

    describe('listUnfinished', () => {
      it('lists pending and due parked records only', async () => {
        const now = new Date(START);
        const cases: Array<[string, (key: StateKey, version: DesiredVersion) => Promise<void>]> = [
          ['pending', async () => undefined],
          ['parked-due', (key, v) => store.markStatus(key, { status: 'parked', retryAt: new Date(START - 1).toISOString() }, v)],
          ['parked-now', (key, v) => store.markStatus(key, { status: 'parked', retryAt: now.toISOString() }, v)],
          ['parked-later', (key, v) => store.markStatus(key, { status: 'parked', retryAt: new Date(START + 60_000).toISOString() }, v)],
          ['applied', (key, v) => store.markApplied(key, appliedFor(desiredAt(1)), v)],
          ['skipped', (key, v) => store.markStatus(key, { status: 'skipped' }, v)],
          ['unmatched', (key, v) => store.markStatus(key, { status: 'unmatched' }, v)],
          ['failed', (key, v) => store.markStatus(key, { status: 'failed', detail: 'bad request' }, v)],
        ];
        for (const [id, settle] of cases) {
          await store.recordDesired(userKey(id), desiredAt(1));
          await settle(userKey(id), { order: 1, tiebreak: 0 });
        }

        const unfinished = await store.listUnfinished(now);

        expect(unfinished).toHaveLength(3);
        for (const id of ['pending', 'parked-due', 'parked-now']) {
          expect(unfinished.some((key) => sameKey(key, userKey(id)))).toBe(true);
        }
      });

      it('includes a parked record once its retryAt has passed', async () => {
        const desired = desiredAt(1);
        await store.recordDesired(userKey(), desired);
        await store.markStatus(userKey(), { status: 'parked', retryAt: new Date(START + 60_000).toISOString() }, versionOf(desired));

        expect(await store.listUnfinished(new Date(START))).toEqual([]);
        expect(await store.listUnfinished(new Date(START + 60_000))).toEqual([userKey()]);
      });

      it('treats a parked record without retryAt as due, so it is never forgotten', async () => {
        const desired = desiredAt(1);
        await store.recordDesired(userKey(), desired);

        await store.markStatus(userKey(), { status: 'parked', detail: 'waiting' }, versionOf(desired));

        expect(await store.listUnfinished(new Date(START))).toEqual([userKey()]);
      });

      it('drops a record once it is applied', async () => {
        const desired = desiredAt(1);
        await store.recordDesired(userKey(), desired);

        await store.markApplied(userKey(), appliedFor(desired), versionOf(desired));

        expect(await store.listUnfinished(new Date(START))).toEqual([]);
      });
    });

    describe('claimApply / releaseApply', () => {
      it('lets one claimant hold a key until it releases it', async () => {
        await store.recordDesired(userKey(), desiredAt(1));

        expect(await store.claimApply(userKey(), 'worker-a', 60_000)).toBe(true);
        expect(await store.claimApply(userKey(), 'worker-b', 60_000)).toBe(false);
        await store.releaseApply(userKey(), 'worker-a');
        expect(await store.claimApply(userKey(), 'worker-b', 60_000)).toBe(true);
      });

      it('lets the holder claim again (extending its lease), and ignores a release by another', async () => {
        await store.recordDesired(userKey(), desiredAt(1));
        await store.claimApply(userKey(), 'worker-a', 60_000);

        expect(await store.claimApply(userKey(), 'worker-a', 60_000)).toBe(true);
        await store.releaseApply(userKey(), 'worker-b');
        expect(await store.claimApply(userKey(), 'worker-b', 60_000)).toBe(false);
      });

      it('frees the key once the lease has passed, so a worker that died blocks it only that long', async () => {
        await store.recordDesired(userKey(), desiredAt(1));
        await store.claimApply(userKey(), 'worker-a', 60_000);

        clockMs += 59_000;
        expect(await store.claimApply(userKey(), 'worker-b', 60_000)).toBe(false);
        clockMs += 1_000;
        expect(await store.claimApply(userKey(), 'worker-b', 60_000)).toBe(true);
        // The late holder's release no longer touches the new claim.
        await store.releaseApply(userKey(), 'worker-a');
        expect(await store.claimApply(userKey(), 'worker-c', 60_000)).toBe(false);
      });

      it('keeps keys apart and refuses a key without a record', async () => {
        await store.recordDesired(userKey('u1'), desiredAt(1));
        await store.recordDesired(userKey('u2'), desiredAt(1));

        expect(await store.claimApply(userKey('u1'), 'worker-a', 60_000)).toBe(true);
        expect(await store.claimApply(userKey('u2'), 'worker-b', 60_000)).toBe(true);
        expect(await store.claimApply(userKey('nobody'), 'worker-a', 60_000)).toBe(false);
        expect(await store.get(userKey('nobody'))).toBeUndefined();
      });

      it('survives outcomes and new desired states, and does not change the record', async () => {
        const first = desiredAt(1);
        await store.recordDesired(userKey(), first);
        await store.claimApply(userKey(), 'worker-a', 60_000);

        await store.markApplied(userKey(), appliedFor(first), versionOf(first));
        await store.recordDesired(userKey(), desiredAt(2));

        expect(await store.claimApply(userKey(), 'worker-b', 60_000)).toBe(false);
        expect(await store.get(userKey())).toEqual({
          key: userKey(),
          desired: desiredAt(2),
          applied: appliedFor(first),
          genesysUserId: 'genesys-user-1',
          status: 'pending',
          updatedAt: new Date(START).toISOString(),
        });
      });

      it('lets exactly one of many concurrent claimants win', async () => {
        await store.recordDesired(userKey(), desiredAt(1));

        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.claimApply(userKey(), `worker-${i}`, 60_000)));

        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('refuses a lease that is not a positive number', async () => {
        await store.recordDesired(userKey(), desiredAt(1));

        await expect(store.claimApply(userKey(), 'worker-a', 0)).rejects.toBeInstanceOf(StoreError);
      });
    });

    describe('markQueued', () => {
      it('leaves a queued key out of listUnfinished until its mark passes', async () => {
        await store.recordDesired(userKey('queued'), desiredAt(1));
        await store.recordDesired(userKey('other'), desiredAt(1));

        await store.markQueued(userKey('queued'), START + 60_000);

        expect(await store.listUnfinished(new Date(START))).toEqual([userKey('other')]);
        expect(await store.listUnfinished(new Date(START + 60_000))).toEqual([userKey('other'), userKey('queued')]);
      });

      it('only pushes the mark later', async () => {
        await store.recordDesired(userKey(), desiredAt(1));

        await store.markQueued(userKey(), START + 60_000);
        await store.markQueued(userKey(), START + 1_000);

        expect(await store.listUnfinished(new Date(START + 30_000))).toEqual([]);
      });

      it('does not delay a parked key beyond its retryAt when the mark is earlier', async () => {
        const desired = desiredAt(1);
        await store.recordDesired(userKey(), desired);
        await store.markStatus(userKey(), { status: 'parked', retryAt: new Date(START + 60_000).toISOString() }, versionOf(desired));

        await store.markQueued(userKey(), START + 10_000);

        expect(await store.listUnfinished(new Date(START + 30_000))).toEqual([]);
        expect(await store.listUnfinished(new Date(START + 60_000))).toEqual([userKey()]);
      });

      it('is cleared by a newer desired state, and ignored for a finished key', async () => {
        const first = desiredAt(1);
        await store.recordDesired(userKey(), first);
        await store.markQueued(userKey(), START + 60_000);

        await store.recordDesired(userKey(), desiredAt(2));
        expect(await store.listUnfinished(new Date(START))).toEqual([userKey()]);

        await store.markApplied(userKey(), appliedFor(desiredAt(2)), versionOf(desiredAt(2)));
        await store.markQueued(userKey(), START + 60_000);
        expect(await store.listUnfinished(new Date(START))).toEqual([]);
        expect((await store.get(userKey()))?.status).toBe('applied');
      });

      it('does nothing for a key without a record', async () => {
        await store.markQueued(userKey('nobody'), START + 60_000);

        expect(await store.get(userKey('nobody'))).toBeUndefined();
      });
    });

    describe('list', () => {
      beforeEach(async () => {
        await store.recordDesired(userKey('z1', 'zoom'), desiredAt(1), 'Ann@Example.com');
        await store.recordDesired(userKey('t1', 'teams'), desiredAt(1), 'ann@example.COM');
        await store.recordDesired(userKey('t2', 'teams'), desiredAt(1), 'bob@example.com');
        await store.recordDesired(userKey('r1', 'ringcentral'), desiredAt(1));
        await store.markStatus(userKey('t2', 'teams'), { status: 'unmatched' }, { order: 1, tiebreak: 0 });
      });

      const idsOf = async (filter?: Parameters<StateStore['list']>[0]): Promise<string[]> =>
        (await store.list(filter)).map((record) => record.key.externalUserId).sort();

      it('lists every record without a filter', async () => {
        expect(await idsOf()).toEqual(['r1', 't1', 't2', 'z1']);
      });

      it('filters by system', async () => {
        expect(await idsOf({ system: 'teams' })).toEqual(['t1', 't2']);
      });

      it('filters by email case-insensitively', async () => {
        expect(await idsOf({ email: 'ANN@example.com' })).toEqual(['t1', 'z1']);
      });

      it('filters by status, and combines filters', async () => {
        expect(await idsOf({ status: 'unmatched' })).toEqual(['t2']);
        expect(await idsOf({ system: 'teams', email: 'ann@example.com', status: 'pending' })).toEqual(['t1']);
        expect(await idsOf({ system: 'zoom', status: 'unmatched' })).toEqual([]);
      });

      it('returns whole records', async () => {
        const [record] = await store.list({ system: 'zoom' });

        expect(record).toMatchObject({ key: userKey('z1', 'zoom'), email: 'Ann@Example.com', desired: desiredAt(1), status: 'pending' });
      });
    });

    describe('documents', () => {
      it('creates a document once, at version 1', async () => {
        expect(await store.getDocument('sources')).toBeUndefined();

        expect(await store.putDocument('sources', { zoom: 'id-1' })).toBe(true);
        expect(await store.putDocument('sources', { zoom: 'id-2' })).toBe(false);
        expect(await store.getDocument('sources')).toEqual({ value: { zoom: 'id-1' }, version: 1 });
      });

      it('updates only at the expected version', async () => {
        await store.putDocument('subs', { n: 1 });

        expect(await store.putDocument('subs', { n: 2 }, 1)).toBe(true);
        expect(await store.putDocument('subs', { n: 3 }, 1)).toBe(false);
        expect(await store.getDocument('subs')).toEqual({ value: { n: 2 }, version: 2 });
      });

      it('refuses an expected version for a document that does not exist', async () => {
        expect(await store.putDocument('missing', { n: 1 }, 1)).toBe(false);
        expect(await store.getDocument('missing')).toBeUndefined();
      });

      it('keeps nested values, and a returned value cannot change the store', async () => {
        const value = { list: [1, 'two', { three: true }], nothing: null, text: 'ü "quoted"' };
        await store.putDocument('nested', value);

        const first = await store.getDocument<typeof value>('nested');
        first?.value.list.push(4);

        expect(await store.getDocument('nested')).toEqual({ value, version: 1 });
      });

      it('lets exactly one of many concurrent writers win a version', async () => {
        await store.putDocument('race', { winner: 'none' });

        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.putDocument('race', { winner: i }, 1)));

        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await store.getDocument('race'))?.version).toBe(2);
      });
    });

    describe('checkWritable', () => {
      it('resolves on a working store and leaves no user record or document behind', async () => {
        await store.checkWritable();
        await store.checkWritable();

        expect(await store.list()).toEqual([]);
        expect(await store.listUnfinished(new Date(clockMs))).toEqual([]);
      });
    });

    describe('latest state wins, under any order', () => {
      const versionArb = fc.record({ order: fc.integer({ min: 0, max: 4 }), tiebreak: fc.integer({ min: 0, max: 2 }) });

      it('ends with the greatest (order, tiebreak) whatever the order of arrival', async () => {
        let run = 0;
        await fc.assert(
          fc.asyncProperty(fc.array(versionArb, { minLength: 1, maxLength: 8 }), fc.boolean(), async (versions, concurrent) => {
            run += 1;
            const key = userKey(`prop-${run}`);
            const max = versions.reduce((best, v) => (isNewer(v, best) ? v : best));

            let outcomes: RecordOutcome[];
            if (concurrent) {
              outcomes = await Promise.all(versions.map((v) => store.recordDesired(key, desiredAt(v.order, v.tiebreak))));
            } else {
              outcomes = [];
              let stored: DesiredVersion | undefined;
              for (const v of versions) {
                const outcome = await store.recordDesired(key, desiredAt(v.order, v.tiebreak));
                const expected: RecordOutcome =
                  stored === undefined || isNewer(v, stored) ? 'recorded' : v.order === stored.order && v.tiebreak === stored.tiebreak ? 'duplicate' : 'stale';
                expect(outcome).toBe(expected);
                if (expected === 'recorded') stored = v;
                outcomes.push(outcome);
              }
            }

            expect((await store.get(key))?.desired).toEqual(desiredAt(max.order, max.tiebreak));
            // Each distinct version is recorded at most once; the greatest exactly once.
            const recorded = versions.filter((_, i) => outcomes[i] === 'recorded').map((v) => `${v.order}/${v.tiebreak}`);
            expect(new Set(recorded).size).toBe(recorded.length);
            expect(recorded).toContain(`${max.order}/${max.tiebreak}`);
          }),
          { numRuns: 40 },
        );
      });

      it('is safe under many concurrent writers of one key', async () => {
        const versions = fc.sample(
          fc.shuffledSubarray(
            Array.from({ length: 60 }, (_, i) => i),
            { minLength: 60 },
          ),
          1,
        )[0]!;
        // Every version twice: duplicates race with their twin.
        const writes = [...versions, ...versions].map((order) => store.recordDesired(userKey(), desiredAt(order)));

        const outcomes = await Promise.all(writes);

        expect((await store.get(userKey()))?.desired).toEqual(desiredAt(59));
        const maxOutcomes = outcomes.filter((_, i) => [...versions, ...versions][i] === 59);
        expect(maxOutcomes.sort()).toEqual(['duplicate', 'recorded']);
        expect(outcomes.filter((o) => o === 'recorded').length).toBeGreaterThanOrEqual(1);
      });
    });
  });
}
