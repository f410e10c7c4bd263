import { startGenesysSandbox, type GenesysSandbox } from '../../src/sandbox';
import { loginTo, type Api } from './sandbox-test-helpers';

const SEARCH = '/api/v2/users/search';

describe('sandbox users', () => {
  let sandbox: GenesysSandbox;
  let api: Api;

  beforeAll(async () => {
    sandbox = await startGenesysSandbox({
      seedDemoUsers: true,
      users: [
        { email: 'Frank.Fischer@Example.com', name: 'Frank Fischer' },
        { email: 'gone@example.com', state: 'inactive' },
      ],
    });
    api = await loginTo(sandbox);
  });
  afterAll(() => sandbox.close());

  const emailQuery = (criterion: Record<string, unknown>, paging: Record<string, unknown> = {}) => ({
    pageSize: 25,
    pageNumber: 1,
    ...paging,
    query: [{ fields: ['email'], ...criterion }],
  });

  it('finds a user by email with EXACT, case-insensitively', async () => {
    const answer = await api('POST', SEARCH, emailQuery({ type: 'EXACT', value: 'frank.fischer@example.COM' }));

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ total: 1, pageCount: 1, pageSize: 25, pageNumber: 1 });
    expect(answer.body.results).toEqual([
      expect.objectContaining({ id: expect.any(String), name: 'Frank Fischer', email: 'Frank.Fischer@Example.com', state: 'active' }),
    ]);
  });

  it('finds several users with TERMS values in one request', async () => {
    const answer = await api('POST', SEARCH, emailQuery({ type: 'TERMS', values: ['ALICE@example.com', 'bob@example.com', 'nobody@example.com'] }));

    expect(answer.body.results.map((u: { email: string }) => u.email).sort()).toEqual(['alice@example.com', 'bob@example.com']);
  });

  it('answers an empty result for an unknown email', async () => {
    const answer = await api('POST', SEARCH, emailQuery({ type: 'EXACT', value: 'nobody@example.com' }));

    expect(answer.body).toMatchObject({ total: 0, results: [] });
  });

  it('answers 400 to more than 50 values', async () => {
    const values = Array.from({ length: 51 }, (_, i) => `u${i}@example.com`);

    expect((await api('POST', SEARCH, emailQuery({ type: 'TERMS', values }))).status).toBe(400);
  });

  it('answers 400 to a search pageSize over 100', async () => {
    expect((await api('POST', SEARCH, emailQuery({ type: 'EXACT', value: 'a@b.c' }, { pageSize: 101 }))).status).toBe(400);
  });

  it('pages the user listing with nextUri, active users by default', async () => {
    const first = await api('GET', '/api/v2/users?pageSize=4&pageNumber=1');
    const second = await api('GET', '/api/v2/users?pageSize=4&pageNumber=2');

    expect(first.body).toMatchObject({ pageSize: 4, pageNumber: 1, total: 6, pageCount: 2, nextUri: expect.any(String) });
    expect(first.body.entities).toHaveLength(4);
    expect(second.body.entities).toHaveLength(2);
    expect(second.body).not.toHaveProperty('nextUri');
  });

  it('lists inactive users with state=any', async () => {
    const answer = await api('GET', '/api/v2/users?state=any&pageSize=100');

    expect(answer.body.total).toBe(7);
  });

  it('answers 400 to a listing pageSize over 500', async () => {
    expect((await api('GET', '/api/v2/users?pageSize=501')).status).toBe(400);
  });

  it('gets one user by id, and 404 for an unknown id', async () => {
    const bob = sandbox.listUsers().find((u) => u.email === 'bob@example.com')!;

    expect((await api('GET', `/api/v2/users/${bob.id}`)).body).toMatchObject({ id: bob.id, email: 'bob@example.com' });
    expect((await api('GET', '/api/v2/users/unknown')).status).toBe(404);
  });

  it('returns the existing user when addUser is called twice for one email', () => {
    const first = sandbox.addUser({ email: 'henry@example.com' });

    expect(sandbox.addUser({ email: 'HENRY@example.com' })).toEqual(first);
  });
});
