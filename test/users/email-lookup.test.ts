import { createBatchingEmailLookup } from '../../src/users/email-lookup';

describe('batching email lookup', () => {
  it('shares one search among lookups arriving together, case-insensitively', async () => {
    const calls: string[][] = [];
    const lookup = createBatchingEmailLookup(async (emails) => {
      calls.push([...emails]);
      return new Map([['a@x.example', 'id-a']]);
    });
    const results = await Promise.all([lookup.find('A@x.example'), lookup.find('b@x.example'), lookup.find('a@X.example')]);
    expect(results).toEqual(['id-a', undefined, 'id-a']);
    expect(calls).toEqual([['a@x.example', 'b@x.example']]);
  });

  it('splits into batches of at most 50', async () => {
    const sizes: number[] = [];
    const lookup = createBatchingEmailLookup(async (emails) => {
      sizes.push(emails.length);
      return new Map();
    });
    await Promise.all(Array.from({ length: 120 }, (_, i) => lookup.find(`u${i}@x.example`)));
    expect(sizes.every((s) => s <= 50)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(120);
  });

  it('rejects every waiter of a failed search', async () => {
    const lookup = createBatchingEmailLookup(async () => {
      throw new Error('boom');
    });
    await expect(lookup.find('a@x.example')).rejects.toThrow('boom');
  });
});

describe('look-ahead', () => {
  it('fills a needed search with the emails of keys queued behind, up to 50', async () => {
    const calls: string[][] = [];
    const upcoming = Array.from({ length: 80 }, (_, i) => `next${i}@x.example`);
    const lookup = createBatchingEmailLookup(
      async (emails) => {
        calls.push([...emails]);
        return new Map();
      },
      5,
      50,
      { upcoming: async (room) => upcoming.slice(0, room), isCached: () => false },
    );
    await lookup.find('first@x.example');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(50);
    expect(calls[0][0]).toBe('first@x.example');
  });

  it('searches nothing extra when the asked email is already cached', async () => {
    const calls: string[][] = [];
    const lookup = createBatchingEmailLookup(
      async (emails) => {
        calls.push([...emails]);
        return new Map([['cached@x.example', 'id-1']]);
      },
      5,
      50,
      { upcoming: async () => ['other@x.example'], isCached: (email) => email === 'cached@x.example' },
    );
    expect(await lookup.find('cached@x.example')).toBe('id-1');
    expect(calls).toEqual([['cached@x.example']]);
  });
});
