import { batchByValues } from '../../src/genesys/users';
import { startSandboxClient, type SandboxClientSetup } from './helpers/sandbox-client';

function searches(setup: SandboxClientSetup) {
  return setup.sandbox.requests.filter((r) => r.path === '/api/v2/users/search');
}

describe('GenesysUsers (against the sandbox)', () => {
  let setup: SandboxClientSetup;

  beforeEach(async () => {
    setup = await startSandboxClient({
      sandbox: { seedDemoUsers: true, users: [{ email: 'Mixed.Case@Example.com' }, { email: 'gone@example.com', state: 'inactive' }] },
    });
  });
  afterEach(async () => {
    await setup.close();
  });

  it('finds users by email case-insensitively, in one batched EXACT search', async () => {
    const alice = setup.sandbox.listUsers().find((u) => u.email === 'alice@example.com')!;
    const mixed = setup.sandbox.listUsers().find((u) => u.email === 'Mixed.Case@Example.com')!;

    const found = await setup.client.users.findByEmails(['ALICE@example.com', 'mixed.case@example.com', 'nobody@example.com']);

    expect(found).toEqual(
      new Map([
        ['alice@example.com', alice.id],
        ['mixed.case@example.com', mixed.id],
      ]),
    );
    expect(searches(setup)).toHaveLength(1);
    const body = searches(setup)[0]!.body as { query: Array<{ type: string; fields: string[]; values: string[] }>; pageSize: number };
    expect(body.pageSize).toBe(100);
    expect(body.query[0]).toMatchObject({ type: 'EXACT', fields: ['email'] });
  });

  it('skips inactive users', async () => {
    expect(await setup.client.users.findByEmail('gone@example.com')).toBeUndefined();
  });

  it('caches found and not-found answers', async () => {
    await setup.client.users.findByEmails(['bob@example.com', 'nobody@example.com']);
    const again = await setup.client.users.findByEmails(['BOB@example.com', 'nobody@example.com']);

    expect(again.has('bob@example.com')).toBe(true);
    expect(searches(setup)).toHaveLength(1);
  });

  it('shares one search between concurrent lookups of the same email', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => setup.client.users.findByEmail('carol@example.com')));

    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toBeDefined();
    expect(searches(setup)).toHaveLength(1);
  });

  it('splits large lookups into batches of at most 50 values', async () => {
    const emails = Array.from({ length: 120 }, (_, i) => `person${i}@example.com`);
    for (const email of emails.slice(0, 3)) setup.sandbox.addUser({ email });

    const found = await setup.client.users.findByEmails(emails);

    expect(found.size).toBe(3);
    const bodies = searches(setup).map((r) => r.body as { query: Array<{ values: string[] }> });
    expect(bodies.length).toBe(3);
    for (const body of bodies) expect(body.query[0]!.values.length).toBeLessThanOrEqual(50);
  });

  it('lists every active user across pages', async () => {
    for (let i = 0; i < 150; i += 1) setup.sandbox.addUser({ email: `Bulk${i}@Example.com` });

    const all = await setup.client.users.listAll();

    expect(all.size).toBe(5 + 1 + 150);
    expect(all.has('bulk149@example.com')).toBe(true);
    expect(all.has('gone@example.com')).toBe(false);
    const pages = setup.sandbox.requests.filter((r) => r.path === '/api/v2/users');
    expect(pages).toHaveLength(2);
    expect(new URLSearchParams(pages[0]!.query).get('state')).toBe('active');
  });
});

describe('batchByValues', () => {
  it('counts each email as given and lower-cased', () => {
    const batches = batchByValues(['A@x.com', 'b@x.com', 'C@x.com'], 3);
    expect(batches).toEqual([['A@x.com', 'b@x.com'], ['C@x.com']]);
  });
});
