import { findDefinition, normalizePresenceName, type PresenceDefinitionEntry } from '../../src/genesys/definitions';
import { startSandboxClient, type SandboxClientSetup } from './helpers/sandbox-client';

const SPELLINGS = ['On Queue', 'OnQueue', 'ON_QUEUE', 'on queue', 'onqueue', 'On-Queue'];

describe('PresenceDefinitions (against the sandbox)', () => {
  let setup: SandboxClientSetup;

  beforeEach(async () => {
    setup = await startSandboxClient();
  });
  afterEach(async () => {
    await setup.close();
  });

  function systemId(systemPresence: string): string {
    const found = setup.sandbox.definitions().find((d) => d.type === 'System' && d.systemPresence === systemPresence);
    if (!found) throw new Error(`no ${systemPresence}`);
    return found.id;
  }

  it.each(SPELLINGS)('resolves %j from /api/v2/presence/definitions', async (spelling) => {
    const resolved = await setup.client.definitions.resolve(spelling);

    expect(resolved?.id).toBe(systemId('OnQueue'));
    expect(setup.sandbox.requests.some((r) => r.path === '/api/v2/presence/definitions')).toBe(true);
    expect(setup.sandbox.requests.some((r) => r.path === '/api/v2/presencedefinitions')).toBe(false);
  });

  it.each(SPELLINGS)('resolves %j from the deprecated endpoint when the current one is missing', async (spelling) => {
    setup.sandbox.setFaults({ definitionsEndpointMissing: true });

    const resolved = await setup.client.definitions.resolve(spelling);

    expect(resolved).toMatchObject({ id: systemId('OnQueue'), systemPresence: 'On Queue' });
    expect(setup.client.definitions.endpoint).toBe('/api/v2/presencedefinitions');
  });

  it.each(['Available', 'Away', 'Busy', 'Meeting', 'Offline'])('resolves the default target %s on both endpoints to the System definition', async (target) => {
    const secondary = setup.sandbox.addSecondaryPresence(target, `${target} (custom)`);

    const current = await setup.client.definitions.resolve(target);
    setup.sandbox.setFaults({ definitionsEndpointMissing: true });
    setup.client.definitions.invalidate();
    const deprecated = await setup.client.definitions.resolve(target.toUpperCase());

    expect(current?.id).toBe(systemId(target));
    expect(deprecated?.id).toBe(systemId(target));
    expect(current?.id).not.toBe(secondary.id);
  });

  it('resolves a secondary presence by its label, case-insensitively', async () => {
    const lunch = setup.sandbox.addSecondaryPresence('Meal', 'Lunch Break');

    expect((await setup.client.definitions.resolve('lunch break'))?.id).toBe(lunch.id);
    setup.sandbox.setFaults({ definitionsEndpointMissing: true });
    setup.client.definitions.invalidate();
    expect((await setup.client.definitions.resolve('LUNCH BREAK'))?.id).toBe(lunch.id);
  });

  it('does not reload on a miss while the list is younger than a minute', async () => {
    await setup.client.definitions.list();
    setup.sandbox.addSecondaryPresence('Busy', 'Focus time');

    expect(await setup.client.definitions.resolve('Focus time')).toBeUndefined();
    expect(setup.sandbox.requests.filter((r) => r.path === '/api/v2/presence/definitions')).toHaveLength(1);
  });

  it('reads every page of the deprecated endpoint', async () => {
    const added = Array.from({ length: 120 }, (_, index) => setup.sandbox.addSecondaryPresence('Away', `Away ${index}`));
    setup.sandbox.setFaults({ definitionsEndpointMissing: true });

    expect((await setup.client.definitions.resolve('away 119'))?.id).toBe(added[119]!.id);
    expect(await setup.client.definitions.list()).toHaveLength(130);
    const pages = setup.sandbox.requests.filter((r) => r.path === '/api/v2/presencedefinitions');
    expect(pages.map((r) => new URLSearchParams(r.query).get('pageNumber'))).toEqual(['1', '2']);
  });

  it('caches the list and shares one load between concurrent callers', async () => {
    await Promise.all([setup.client.definitions.resolve('Available'), setup.client.definitions.resolve('Busy'), setup.client.definitions.resolve('Away')]);
    await setup.client.definitions.resolve('Offline');

    expect(setup.sandbox.requests.filter((r) => r.path === '/api/v2/presence/definitions')).toHaveLength(1);
  });

  it('answers undefined for an unknown target', async () => {
    expect(await setup.client.definitions.resolve('Gardening')).toBeUndefined();
  });
});

describe('PresenceDefinitions with a clock', () => {
  it('reloads on a miss once the list is older than a minute', async () => {
    let now = Date.now();
    const setup = await startSandboxClient({ client: { now: () => now } });
    try {
      await setup.client.definitions.list();
      const added = setup.sandbox.addSecondaryPresence('Busy', 'Focus time');
      now += 61_000;

      expect((await setup.client.definitions.resolve('focus time'))?.id).toBe(added.id);
      expect(setup.sandbox.requests.filter((r) => r.path === '/api/v2/presence/definitions')).toHaveLength(2);
    } finally {
      await setup.close();
    }
  });
});

describe('findDefinition and normalizePresenceName', () => {
  const entries: PresenceDefinitionEntry[] = [
    { id: 'sec-busy', systemPresence: 'Busy', primary: false, languageLabels: { en_US: 'In a call', de: 'Im Gespräch' }, label: 'In a call' },
    { id: 'busy', systemPresence: 'Busy', primary: true, languageLabels: { en_US: 'Busy' }, label: 'Busy' },
    { id: 'queue', systemPresence: 'On Queue', primary: undefined, languageLabels: {}, label: 'On Queue' },
  ];

  it('folds case, spaces, underscores and hyphens', () => {
    expect(normalizePresenceName(' ON_QUEUE ')).toBe('onqueue');
    expect(normalizePresenceName('On-Queue')).toBe('onqueue');
  });

  it('prefers the primary definition of a system presence', () => {
    expect(findDefinition(entries, 'busy')?.id).toBe('busy');
    expect(findDefinition(entries, 'OnQueue')?.id).toBe('queue');
  });

  it('matches secondary labels in any language', () => {
    expect(findDefinition(entries, 'im gespräch')?.id).toBe('sec-busy');
    expect(findDefinition(entries, '')).toBeUndefined();
  });
});
