import { SOURCES_DOCUMENT, pickSource, type SourcesDocument } from '../../src/genesys/sources';
import { clientFor, DEFAULT_SOURCE_NAMES, startSandboxClient, type SandboxClientSetup } from './helpers/sandbox-client';

function sourcesNamed(setup: SandboxClientSetup, name: string) {
  return setup.sandbox.listSources().filter((source) => source.name === name);
}

function writesTo(setup: SandboxClientSetup, method: string) {
  return setup.sandbox.requests.filter((request) => request.method === method && request.path.startsWith('/api/v2/presence/sources'));
}

describe('PresenceSources.ensureSources (against the sandbox)', () => {
  let setup: SandboxClientSetup;

  beforeEach(async () => {
    setup = await startSandboxClient();
  });
  afterEach(async () => {
    await setup.close();
  });

  it('creates one User source per system, never adopting the System source named "Microsoft Teams"', async () => {
    const systemTeams = setup.sandbox.listSources().find((source) => source.type === 'System' && source.name === 'Microsoft Teams');
    expect(systemTeams).toBeDefined();

    const ensured = await setup.client.sources.ensureSources(DEFAULT_SOURCE_NAMES);

    expect(ensured.teams.id).not.toBe(systemTeams!.id);
    for (const system of ['teams', 'zoom', 'ringcentral'] as const) {
      const source = setup.sandbox.listSources().find((s) => s.id === ensured[system].id);
      expect(source).toMatchObject({ name: DEFAULT_SOURCE_NAMES[system], type: 'User', deactivated: false });
    }
    expect(setup.sandbox.listSources().find((s) => s.id === systemTeams!.id)).toEqual(systemTeams);
    const posted = writesTo(setup, 'POST').map((request) => request.body);
    expect(posted).toHaveLength(3);
    for (const body of posted) expect(Object.keys(body as object).sort()).toEqual(['description', 'name']);
    expect(setup.sandbox.violations).toEqual([]);
  });

  it('creates each source once under concurrent calls, and remembers the ids', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => setup.client.sources.ensureSources(DEFAULT_SOURCE_NAMES)));

    for (const result of results) expect(result).toEqual(results[0]);
    expect(writesTo(setup, 'POST')).toHaveLength(3);
    for (const system of ['teams', 'zoom', 'ringcentral'] as const) {
      expect(sourcesNamed(setup, DEFAULT_SOURCE_NAMES[system]).filter((s) => s.type === 'User')).toHaveLength(1);
    }
    const stored = await setup.documents.getDocument<SourcesDocument>(SOURCES_DOCUMENT);
    expect(stored?.value.sources).toEqual(results[0]);
  });

  it('converges when two processes ensure at the same time (409 on create → adopt)', async () => {
    const other = clientFor(setup.sandbox, { documents: setup.documents });
    try {
      const [mine, theirs] = await Promise.all([
        setup.client.sources.ensureSources(DEFAULT_SOURCE_NAMES),
        other.client.sources.ensureSources(DEFAULT_SOURCE_NAMES),
      ]);
      expect(theirs).toEqual(mine);
      for (const system of ['teams', 'zoom', 'ringcentral'] as const) {
        expect(sourcesNamed(setup, DEFAULT_SOURCE_NAMES[system]).filter((s) => s.type === 'User')).toHaveLength(1);
      }
    } finally {
      await other.client.close();
    }
  });

  it('is idempotent: a second ensure only lists', async () => {
    const first = await setup.client.sources.ensureSources(DEFAULT_SOURCE_NAMES);
    setup.sandbox.reset();

    const second = await setup.client.sources.ensureSources(DEFAULT_SOURCE_NAMES);

    expect(second).toEqual(first);
    expect(setup.sandbox.requests.filter((r) => r.method !== 'GET' && r.path !== '/oauth/token')).toEqual([]);
  });

  it('reactivates a deactivated source with PUT {...source, deactivated:false}', async () => {
    const first = await setup.client.sources.ensureSources(DEFAULT_SOURCE_NAMES);
    setup.sandbox.deactivateSource(first.zoom.id);

    const second = await setup.client.sources.ensureSources(DEFAULT_SOURCE_NAMES);

    expect(second.zoom.id).toBe(first.zoom.id);
    expect(setup.sandbox.listSources().find((s) => s.id === first.zoom.id)?.deactivated).toBe(false);
    const put = writesTo(setup, 'PUT');
    expect(put).toHaveLength(1);
    expect(put[0]!.path).toBe(`/api/v2/presence/sources/${first.zoom.id}`);
    expect(put[0]!.body).toMatchObject({ id: first.zoom.id, name: 'Zoom', deactivated: false });
  });

  it('re-creates a deleted source and remembers the new id', async () => {
    const first = await setup.client.sources.ensureSources(DEFAULT_SOURCE_NAMES);
    setup.sandbox.deleteSource(first.ringcentral.id);

    const second = await setup.client.sources.ensureSources(DEFAULT_SOURCE_NAMES);

    expect(second.ringcentral.id).not.toBe(first.ringcentral.id);
    expect(second.teams).toEqual(first.teams);
    const stored = await setup.documents.getDocument<SourcesDocument>(SOURCES_DOCUMENT);
    expect(stored?.value.sources.ringcentral?.id).toBe(second.ringcentral.id);
  });

  it('getSources answers from its cache until forget()', async () => {
    const first = await setup.client.sources.getSources(DEFAULT_SOURCE_NAMES);
    setup.sandbox.reset();
    expect(await setup.client.sources.getSources(DEFAULT_SOURCE_NAMES)).toEqual(first);
    expect(setup.sandbox.requests).toEqual([]);

    setup.client.sources.forget();
    await setup.client.sources.getSources(DEFAULT_SOURCE_NAMES);
    expect(setup.sandbox.requests.length).toBeGreaterThan(0);
  });

  it('listSources returns System and User sources, active and deactivated', async () => {
    const ensured = await setup.client.sources.ensureSources(DEFAULT_SOURCE_NAMES);
    setup.sandbox.deactivateSource(ensured.zoom.id);

    const listed = await setup.client.sources.listSources();

    expect(listed.map((s) => s.id).sort()).toEqual(
      setup.sandbox
        .listSources()
        .map((s) => s.id)
        .sort(),
    );
    expect(listed.find((s) => s.id === ensured.zoom.id)?.deactivated).toBe(true);
    expect(listed.some((s) => s.type === 'System')).toBe(true);
  });
});

describe('pickSource', () => {
  const sources = [
    { id: 'sys', name: 'Microsoft Teams', type: 'System' },
    { id: 'b', name: 'microsoft teams', type: 'User', deactivated: true },
    { id: 'c', name: 'Microsoft Teams', deactivated: false },
    { id: 'd', name: 'Zoom', type: 'User', deactivated: true },
  ];

  it('never picks a System source it did not create, prefers an active one, treats a missing type as User', () => {
    expect(pickSource(sources, 'Microsoft Teams', undefined)?.id).toBe('c');
    expect(pickSource(sources, 'Microsoft Teams', 'b')?.id).toBe('c');
    expect(pickSource(sources.slice(0, 1), 'Microsoft Teams', undefined)).toBeUndefined();
  });

  it('adopts the remembered source (the bridge created it) whatever its type says', () => {
    expect(pickSource(sources, 'Microsoft Teams', 'sys')?.id).toBe('sys');
    expect(pickSource(sources.slice(0, 1), 'Microsoft Teams', 'sys')?.id).toBe('sys');
  });

  it('prefers the remembered id among equals, and finds deactivated ones', () => {
    expect(pickSource(sources, 'Microsoft Teams', 'b')?.id).toBe('c');
    expect(pickSource(sources, 'zoom', undefined)?.id).toBe('d');
  });
});

describe('source names', () => {
  it('refuses two systems sharing one source name, before any request', async () => {
    const setup = await startSandboxClient();
    try {
      await expect(setup.client.sources.ensureSources({ ...DEFAULT_SOURCE_NAMES, zoom: 'microsoft teams' })).rejects.toThrow(
        /GENESYS_SOURCE_NAME_TEAMS and GENESYS_SOURCE_NAME_ZOOM/,
      );
      expect(setup.sandbox.requests).toEqual([]);
    } finally {
      await setup.close();
    }
  });
});
