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
