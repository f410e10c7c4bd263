import { zoomBackfillUsers } from '../../../src/sources/zoom/backfill-users';
import { openEmbeddedStore, type EmbeddedStateStore } from '../../../src/store/embedded';
import { NO_OVERRIDES, parseUserMapping } from '../../../src/users/user-mapping-file';
import { tempDataDir } from '../../helpers/local-bridge';

let store: EmbeddedStateStore;

beforeEach(async () => {
  store = await openEmbeddedStore(tempDataDir());
});
afterEach(() => store.close());

async function record(externalUserId: string, email: string, order: number): Promise<void> {
  const desired = { target: 'Busy', message: 'Busy', values: { presence_status: 'Busy' }, order, tiebreak: order, recordedAt: new Date(order).toISOString() };
  await store.recordDesired({ system: 'zoom', externalUserId }, desired, email);
}

describe('zoomBackfillUsers', () => {
  it('keeps ids exactly: two ids that differ only in case are two users', async () => {
    await record('AbC1', 'a@example.com', 1_000);
    const overrides = parseUserMapping('{"zoom:abc1":"b@corp.example","zoom:AbC1":"a@corp.example"}', 'f');
    expect(await zoomBackfillUsers(store, overrides)).toEqual([
      { externalUserId: 'AbC1', email: 'a@example.com' },
      { externalUserId: 'abc1', email: '' },
    ]);
  });

  it('reads only the newest id of an email, e.g. not the lower-cased one an older version stored', async () => {
    await record('kdcugim1qgepto8wboqwiq', 'kim@example.com', 1_000);
    await record('KDcuGIm1QgePTO8WbOqwIQ', 'kim@example.com', 2_000);
    expect(await zoomBackfillUsers(store, NO_OVERRIDES)).toEqual([{ externalUserId: 'KDcuGIm1QgePTO8WbOqwIQ', email: 'kim@example.com' }]);
    expect(await zoomBackfillUsers(store, NO_OVERRIDES, ['Kim@Example.com'])).toEqual([{ externalUserId: 'KDcuGIm1QgePTO8WbOqwIQ', email: 'Kim@Example.com' }]);
  });

  it('leaves the id empty for an email it has no record of (backfill looks it up)', async () => {
    expect(await zoomBackfillUsers(store, NO_OVERRIDES, ['new@example.com'])).toEqual([{ externalUserId: '', email: 'new@example.com' }]);
  });
});
