import { startGenesysSandbox, VIOLATION_REASONS, type GenesysSandbox } from '../../src/sandbox';
import { loginTo, type Api } from './sandbox-test-helpers';

const SOURCES = '/api/v2/presence/sources';

describe('sandbox presence sources', () => {
  let sandbox: GenesysSandbox;
  let api: Api;

  beforeEach(async () => {
    sandbox = await startGenesysSandbox();
    api = await loginTo(sandbox);
  });
  afterEach(() => sandbox.close());

  const systemSource = (name: string) => {
    const found = sandbox.listSources().find((s) => s.type === 'System' && s.name === name);
    if (!found) throw new Error(`no System source ${name}`);
    return found;
  };

  it('lists the registered System sources as a SourceEntityListing without paging', async () => {
    const answer = await api('GET', SOURCES);

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ total: 2, entities: expect.any(Array), selfUri: SOURCES });
    expect(answer.body.entities.map((s: { name: string; type: string }) => [s.name, s.type])).toEqual([
      ['Microsoft Teams', 'System'],
      ['Zoom Phone', 'System'],
    ]);
  });

  it('creates a User source, even one named like a registered source', async () => {
    const answer = await api('POST', SOURCES, { name: 'Microsoft Teams', description: 'bridge' });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: expect.any(String), name: 'Microsoft Teams', description: 'bridge', type: 'User', deactivated: false });
    expect((await api('GET', `${SOURCES}/${answer.body.id}`)).body.name).toBe('Microsoft Teams');
  });

  it('answers 400 to a create without a name', async () => {
    const answer = await api('POST', SOURCES, { description: 'nameless' });

    expect(answer.status).toBe(400);
  });

  it('answers 409 duplicate.value to a second active User source with the same name', async () => {
    await api('POST', SOURCES, { name: 'Zoom' });

    const answer = await api('POST', SOURCES, { name: 'zoom' });

    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('duplicate.value');
  });

  it('moves a source deactivated with PUT to the deactivated=true listing', async () => {
    const created = (await api('POST', SOURCES, { name: 'Zoom' })).body;

    const put = await api('PUT', `${SOURCES}/${created.id}`, { name: 'Zoom', deactivated: true });

    expect(put.status).toBe(200);
    expect((await api('GET', `${SOURCES}?deactivated=true`)).body.entities.map((s: { id: string }) => s.id)).toEqual([created.id]);
    expect((await api('GET', SOURCES)).body.entities.map((s: { id: string }) => s.id)).not.toContain(created.id);
  });

  it('lets a deactivated name be reused', async () => {
    const created = (await api('POST', SOURCES, { name: 'Zoom' })).body;
    sandbox.deactivateSource(created.id);

    expect((await api('POST', SOURCES, { name: 'Zoom' })).status).toBe(200);
  });

  it('answers 404 for a source an admin deleted', async () => {
    const created = (await api('POST', SOURCES, { name: 'RingCentral' })).body;
    sandbox.deleteSource(created.id);

    const answer = await api('GET', `${SOURCES}/${created.id}`);

    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('not.found');
  });

  it('deletes a User source with DELETE', async () => {
    const created = (await api('POST', SOURCES, { name: 'RingCentral' })).body;

    expect((await api('DELETE', `${SOURCES}/${created.id}`)).status).toBe(204);
    expect(sandbox.listSources().map((s) => s.id)).not.toContain(created.id);
    expect(sandbox.violations).toEqual([]);
  });

  it('refuses a PUT on a System source and records a violation', async () => {
    const teams = systemSource('Microsoft Teams');

    const answer = await api('PUT', `${SOURCES}/${teams.id}`, { name: 'Microsoft Teams', deactivated: true });

    expect(answer.status).toBe(400);
    expect(systemSource('Microsoft Teams').deactivated).toBe(false);
    expect(sandbox.violations).toEqual([
      expect.objectContaining({ method: 'PUT', path: `${SOURCES}/${teams.id}`, reason: VIOLATION_REASONS.modifiedSystemSource }),
    ]);
  });

  it('refuses a DELETE of a System source and records a violation', async () => {
    const zoomPhone = systemSource('Zoom Phone');

    const answer = await api('DELETE', `${SOURCES}/${zoomPhone.id}`);

    expect(answer.status).toBe(400);
    expect(sandbox.violations.map((v) => v.reason)).toEqual([VIOLATION_REASONS.modifiedSystemSource]);
  });

  it('answers 400 to deactivated=maybe', async () => {
    expect((await api('GET', `${SOURCES}?deactivated=maybe`)).status).toBe(400);
  });
});
