import fs from 'node:fs';
import path from 'node:path';
import { GenesysApiError, GenesysPrimarySourceGuardError, classifyGenesysFailure } from '../../src/genesys/genesys-errors';
import { assertCustomSourceId, buildPresenceWrite } from '../../src/genesys/presence';
import { DEFAULT_SOURCE_NAMES, startSandboxClient, type SandboxClientSetup } from './helpers/sandbox-client';

describe('PresenceApi (against the sandbox)', () => {
  let setup: SandboxClientSetup;
  let users: Array<{ id: string; email: string }>;

  beforeEach(async () => {
    setup = await startSandboxClient({ sandbox: { seedDemoUsers: true } });
    users = setup.sandbox.listUsers();
  });
  afterEach(async () => {
    await setup.close();
  });

  async function prepare() {
    const sources = await setup.client.sources.ensureSources(DEFAULT_SOURCE_NAMES);
    const busy = await setup.client.definitions.resolve('Busy');
    return { sources, busy: busy!.id };
  }

  it('writes exactly {presenceDefinition:{id}, message} and leaves the primary source alone', async () => {
    const { sources, busy } = await prepare();
    const alice = users[0]!;

    await setup.client.presence.setSourcePresence(alice.id, sources.teams.id, busy, 'In a meeting');

    const patch = setup.sandbox.requests.find((r) => r.method === 'PATCH');
    expect(patch?.path).toBe(`/api/v2/users/${alice.id}/presences/${sources.teams.id}`);
    expect(patch?.body).toEqual({ presenceDefinition: { id: busy }, message: 'In a meeting' });
    expect(setup.sandbox.getPresence(alice.id, sources.teams.id)).toMatchObject({ definitionId: busy, message: 'In a meeting' });
    expect(setup.sandbox.primarySourceOf(alice.id)).toBe('PURECLOUD');
    expect(setup.sandbox.violations).toEqual([]);
  });

  it.each(['purecloud', 'PURECLOUD', 'PureCloud', ' purecloud '])('refuses the source id %j without sending anything', async (sourceId) => {
    const { busy } = await prepare();
    setup.sandbox.reset();

    await expect(setup.client.presence.setSourcePresence(users[0]!.id, sourceId, busy, 'x')).rejects.toBeInstanceOf(GenesysPrimarySourceGuardError);
    expect(setup.sandbox.requests).toEqual([]);
  });

  it('reads one presence, many presences in chunks of 50, and the primary source', async () => {
    const { sources, busy } = await prepare();
    const many = Array.from({ length: 55 }, (_, i) => setup.sandbox.addUser({ email: `user${i}@example.com` }));
    for (const user of [users[0]!, many[54]!]) {
      await setup.client.presence.setSourcePresence(user.id, sources.zoom.id, busy, 'On a phone call');
    }

    const one = await setup.client.presence.getSourcePresence(users[0]!.id, sources.zoom.id);
    const none = await setup.client.presence.getSourcePresence(users[1]!.id, sources.zoom.id);
    const bulk = await setup.client.presence.getSourcePresenceBulk(sources.zoom.id, [users[0]!.id, ...many.map((u) => u.id)]);
    const primary = await setup.client.presence.getPrimarySource(users[0]!.id);

    expect(one).toMatchObject({ presenceDefinition: { id: busy }, message: 'On a phone call' });
    expect(none).toBeUndefined();
    expect([...bulk.keys()].sort()).toEqual([users[0]!.id, many[54]!.id].sort());
    const bulkReads = setup.sandbox.requests.filter((r) => r.path.endsWith('/bulk'));
    expect(bulkReads).toHaveLength(2);
    expect(primary).toMatchObject({ sourceId: 'PURECLOUD' });
    expect(setup.sandbox.violations).toEqual([]);
  });

  it('says "source gone" when the source was deleted, and "user gone" for an unknown user', async () => {
    const { sources, busy } = await prepare();
    setup.sandbox.deleteSource(sources.zoom.id);

    const sourceGone = await setup.client.presence.setSourcePresence(users[0]!.id, sources.zoom.id, busy, 'x').catch((error: unknown) => error);
    const userGone = await setup.client.presence.setSourcePresence('no-such-user', sources.teams.id, busy, 'x').catch((error: unknown) => error);

    expect(sourceGone).toBeInstanceOf(GenesysApiError);
    expect((sourceGone as GenesysApiError).gone).toBe('source');
    expect(classifyGenesysFailure(sourceGone).kind).toBe('source-gone');
    expect((userGone as GenesysApiError).gone).toBe('user');
    expect(classifyGenesysFailure(userGone).kind).toBe('user-gone');
  });

  it('says "source gone" when the source was deactivated', async () => {
    const { sources, busy } = await prepare();
    setup.sandbox.deactivateSource(sources.zoom.id);

    const error = await setup.client.presence.setSourcePresence(users[0]!.id, sources.zoom.id, busy, 'x').catch((e: unknown) => e);

    expect((error as GenesysApiError).gone).toBe('source');
  });
});

describe('presence write guards (pure)', () => {
  it('builds a body with exactly two keys', () => {
    expect(buildPresenceWrite('def-1', 'Busy')).toEqual({ presenceDefinition: { id: 'def-1' }, message: 'Busy' });
    expect(Object.keys(buildPresenceWrite('def-1', ''))).toEqual(['presenceDefinition', 'message']);
  });

  it('accepts custom source ids and refuses PURECLOUD', () => {
    expect(assertCustomSourceId(' 2d1c… ')).toBe('2d1c…');
    expect(() => assertCustomSourceId('PureCloud')).toThrow(/PURECLOUD/);
  });

  it('no source file of the Genesys client mentions "primarysource" outside the read in presence.ts', () => {
    const dir = path.join(__dirname, '../../src/genesys');
    const offenders = fs
      .readdirSync(dir)
      .filter((file) => file.endsWith('.ts') && file !== 'presence.ts')
      .filter((file) => fs.readFileSync(path.join(dir, file), 'utf8').includes('primarysource'));
    expect(offenders).toEqual([]);
    const presence = fs.readFileSync(path.join(dir, 'presence.ts'), 'utf8');
    expect(presence.match(/primarysource/g)).toHaveLength(1);
  });
});
