/**
 * Genesys edge cases of the bridge's presence sources (issue 9, item 8): a source the bridge created
 * is adopted whatever `type` Genesys reports; a System source it did not create is never used or
 * modified; a refused reactivation falls back to a new source.
 */
import { createLogger } from '../../src/logger';
import { SOURCES_DOCUMENT, type SourcesDocument } from '../../src/genesys/sources';
import { DEFAULT_SOURCE_NAMES, startSandboxClient, type SandboxClientSetup } from './helpers/sandbox-client';

function nonGetSourceRequests(setup: SandboxClientSetup) {
  return setup.sandbox.requests.filter((r) => r.method !== 'GET' && r.path.startsWith('/api/v2/presence/sources'));
}

describe('a source the bridge created is adopted whatever its type says', () => {
  let setup: SandboxClientSetup;
  beforeEach(async () => {
    setup = await startSandboxClient({ sandbox: { seedDemoUsers: true } });
  });
  afterEach(async () => {
    await setup.close();
  });

  it('keeps using its remembered source when Genesys reports it as System, and writes to it', async () => {
    const first = await setup.client.sources.ensureSources(DEFAULT_SOURCE_NAMES);
    setup.sandbox.reportSourceTypeAs(first.zoom.id, 'System');
    setup.sandbox.reset();

    const second = await setup.client.sources.ensureSources(DEFAULT_SOURCE_NAMES);

    expect(second).toEqual(first);
    expect(nonGetSourceRequests(setup)).toEqual([]);
    const listed = await setup.client.sources.listSources();
    expect(listed.find((s) => s.id === first.zoom.id)?.type).toBe('System');
    const alice = setup.sandbox.listUsers().find((u) => u.email === 'alice@example.com')!;
    const busy = await setup.client.definitions.resolve('Busy');
    await setup.client.presence.setSourcePresence(alice.id, second.zoom.id, busy!.id, 'In a meeting');
    expect(setup.sandbox.getPresence(alice.id, first.zoom.id)?.definitionId).toBe(busy!.id);
    expect(setup.sandbox.violations).toEqual([]);
  });

  it('reactivates its remembered source even when Genesys reports it as System', async () => {
    const first = await setup.client.sources.ensureSources(DEFAULT_SOURCE_NAMES);
    setup.sandbox.reportSourceTypeAs(first.teams.id, 'System');
    setup.sandbox.deactivateSource(first.teams.id);
    setup.sandbox.reset();

    const second = await setup.client.sources.ensureSources(DEFAULT_SOURCE_NAMES);

    expect(second.teams.id).toBe(first.teams.id);
    expect(nonGetSourceRequests(setup).map((r) => `${r.method} ${r.path}`)).toEqual([`PUT /api/v2/presence/sources/${first.teams.id}`]);
    expect(setup.sandbox.violations).toEqual([]);
  });

  it('never uses or modifies a System source it did not create, even with the configured name', async () => {
    // "Zoom Phone" is a registered (System) source in every sandbox org.
    const names = { ...DEFAULT_SOURCE_NAMES, zoom: 'Zoom Phone' };
    const registered = setup.sandbox.listSources().find((s) => s.type === 'System' && s.name === 'Zoom Phone')!;
    setup.sandbox.deactivateSource(registered.id);

    const ensured = await setup.client.sources.ensureSources(names);

    expect(ensured.zoom.id).not.toBe(registered.id);
    expect(setup.sandbox.listSources().find((s) => s.id === ensured.zoom.id)).toMatchObject({ type: 'User', name: 'Zoom Phone' });
    expect(setup.sandbox.listSources().find((s) => s.id === registered.id)).toMatchObject({ deactivated: true, type: 'System' });
    expect(nonGetSourceRequests(setup).some((r) => r.path.endsWith(registered.id))).toBe(false);
    expect(setup.sandbox.violations).toEqual([]);
  });

  it('does not adopt a System source by name when a different id is remembered', async () => {
    const names = { ...DEFAULT_SOURCE_NAMES, teams: 'Microsoft Teams' };
    const registered = setup.sandbox.listSources().find((s) => s.type === 'System' && s.name === 'Microsoft Teams')!;
    const first = await setup.client.sources.ensureSources(names);
    setup.sandbox.deleteSource(first.teams.id);

    const second = await setup.client.sources.ensureSources(names);

    expect(second.teams.id).not.toBe(registered.id);
    expect(second.teams.id).not.toBe(first.teams.id);
    const stored = await setup.documents.getDocument<SourcesDocument>(SOURCES_DOCUMENT);
    expect(stored?.value.sources.teams?.id).toBe(second.teams.id);
    expect(setup.sandbox.violations).toEqual([]);
  });
});

describe('a refused reactivation falls back to a new source', () => {
  it('creates a new source when Genesys answers 400 to the reactivation, and logs why', async () => {
    const lines: string[] = [];
    const setup = await startSandboxClient({ client: { logger: createLogger('debug', (line) => lines.push(line)) } });
    try {
      const first = await setup.client.sources.ensureSources(DEFAULT_SOURCE_NAMES);
      setup.sandbox.deactivateSource(first.zoom.id);
      setup.sandbox.setFaults({ refuseSourceReactivation: true });
      setup.sandbox.reset();
      setup.sandbox.setFaults({ refuseSourceReactivation: true });

      const second = await setup.client.sources.ensureSources(DEFAULT_SOURCE_NAMES);

      expect(second.zoom.id).not.toBe(first.zoom.id);
      expect(second.teams).toEqual(first.teams);
      const put = setup.sandbox.requests.find((r) => r.method === 'PUT');
      expect(put?.status).toBe(400);
      const created = setup.sandbox.listSources().find((s) => s.id === second.zoom.id);
      expect(created).toMatchObject({ name: 'Zoom', type: 'User', deactivated: false });
      const stored = await setup.documents.getDocument<SourcesDocument>(SOURCES_DOCUMENT);
      expect(stored?.value.sources.zoom?.id).toBe(second.zoom.id);
      const why = lines.map((line) => JSON.parse(line)).find((entry) => /refused to reactivate/.test(entry.msg ?? entry.message ?? ''));
      expect(why).toBeDefined();
      expect(JSON.stringify(why)).toContain('400');

      // The next run keeps the new source: nothing is created or modified.
      setup.sandbox.reset();
      expect(await setup.client.sources.ensureSources(DEFAULT_SOURCE_NAMES)).toEqual(second);
      expect(nonGetSourceRequests(setup)).toEqual([]);
      expect(setup.sandbox.violations).toEqual([]);
    } finally {
      await setup.close();
    }
  });

  it('the sandbox refuses the reactivation with a Genesys-shaped 400 body', async () => {
    const setup = await startSandboxClient();
    try {
      const first = await setup.client.sources.ensureSources(DEFAULT_SOURCE_NAMES);
      setup.sandbox.deactivateSource(first.zoom.id);
      setup.sandbox.setFaults({ refuseSourceReactivation: true });
      const error = await setup.client.http
        .request({ method: 'PUT', path: `/api/v2/presence/sources/${first.zoom.id}`, body: { name: 'Zoom', deactivated: false } })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 400, code: 'bad.request' });
      expect((error as { genesysMessage?: string }).genesysMessage).toMatch(/cannot be reactivated/);
      expect((error as { requestId?: string }).requestId).toBeDefined();
    } finally {
      await setup.close();
    }
  });
});
