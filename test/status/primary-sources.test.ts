/**
 * The primary-source reader shared by `presence-bridge status` and the status page: it spends the
 * Genesys budget, so it reads at most `limit` users, the source list once per call, and keeps answers
 * for a minute.
 */
import { createPrimarySourceReader } from '../../src/status/primary-sources';

describe('primary source reader', () => {
  function fakeGenesys() {
    const calls = { primary: [] as string[], lists: 0 };
    return {
      calls,
      genesys: {
        async getPrimarySource(id: string) {
          calls.primary.push(id);
          if (id === 'broken') throw new Error('403 missing presence:userPrimarySource:view');
          return { sourceId: id === 'u-zoom' ? 'src-zoom' : 'PURECLOUD' };
        },
        async listSources() {
          calls.lists += 1;
          return [{ id: 'src-zoom', name: 'Zoom' }];
        },
      },
    };
  }

  it('reads at most `limit` distinct users, lists the sources once, and names what it cannot read', async () => {
    const { calls, genesys } = fakeGenesys();
    const reader = createPrimarySourceReader(() => genesys);
    const names = await reader.read(['u-zoom', 'u-zoom', 'u-other', 'broken', 'u-beyond'], 3);
    expect([...names]).toEqual([
      ['u-zoom', 'Zoom'],
      ['u-other', 'PURECLOUD'],
      ['broken', '(unreadable: Error: 403 missing presence:userPrimarySource:view)'],
    ]);
    expect(calls.primary).toEqual(['u-zoom', 'u-other', 'broken']);
    expect(calls.lists).toBe(1);
  });

  it('answers from its cache for a minute, then reads again', async () => {
    const { calls, genesys } = fakeGenesys();
    let now = 1_000_000;
    const reader = createPrimarySourceReader(
      () => genesys,
      () => now,
    );
    await reader.read(['u-zoom']);
    now += 59_000;
    expect((await reader.read(['u-zoom'])).get('u-zoom')).toBe('Zoom');
    expect(calls.primary).toHaveLength(1);
    now += 2_000;
    await reader.read(['u-zoom']);
    expect(calls.primary).toHaveLength(2);
  });
});
