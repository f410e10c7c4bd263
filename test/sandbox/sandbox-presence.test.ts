import { BULK_READ_LIMIT, startGenesysSandbox, VIOLATION_REASONS, type GenesysSandbox } from '../../src/sandbox';
import { loginTo, manualClock, systemDefinitionId, type Api } from './sandbox-test-helpers';

describe('sandbox user presence', () => {
  let sandbox: GenesysSandbox;
  let api: Api;
  let alice: string;
  let bob: string;
  let zoomSource: string;
  const clock = manualClock(Date.parse('2026-03-01T10:00:00.000Z'));

  beforeEach(async () => {
    sandbox = await startGenesysSandbox({ seedDemoUsers: true, now: clock.now });
    api = await loginTo(sandbox);
    alice = sandbox.listUsers().find((u) => u.email === 'alice@example.com')!.id;
    bob = sandbox.listUsers().find((u) => u.email === 'bob@example.com')!.id;
    zoomSource = (await api('POST', '/api/v2/presence/sources', { name: 'Zoom' })).body.id;
  });
  afterEach(() => sandbox.close());

  const patch = (userId: string, sourceId: string, body: unknown) => api('PATCH', `/api/v2/users/${userId}/presences/${sourceId}`, body);

  it('stores a PATCHed presence and answers a UserPresence', async () => {
    const busy = systemDefinitionId(sandbox, 'Busy');

    const answer = await patch(alice, zoomSource, { presenceDefinition: { id: busy }, message: 'On a phone call' });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      sourceId: zoomSource,
      presenceDefinition: { id: busy, systemPresence: 'Busy' },
      message: 'On a phone call',
      modifiedDate: '2026-03-01T10:00:00.000Z',
      primary: false,
    });
    expect(sandbox.getPresence(alice, zoomSource)).toEqual({ definitionId: busy, message: 'On a phone call', modifiedDate: '2026-03-01T10:00:00.000Z' });
    expect(sandbox.presenceWrites).toEqual([{ at: clock.now(), userId: alice, sourceId: zoomSource, definitionId: busy, message: 'On a phone call' }]);
    expect(sandbox.violations).toEqual([]);
  });

  it('reads back a stored presence with GET', async () => {
    const away = systemDefinitionId(sandbox, 'Away');
    await patch(alice, zoomSource, { presenceDefinition: { id: away }, message: 'Away' });

    const answer = await api('GET', `/api/v2/users/${alice}/presences/${zoomSource}`);

    expect(answer.status).toBe(200);
    expect(answer.body.presenceDefinition.id).toBe(away);
  });

  it('answers 404 to GET of a presence never set', async () => {
    expect((await api('GET', `/api/v2/users/${alice}/presences/${zoomSource}`)).status).toBe(404);
  });

  it('answers 404 for an unknown user', async () => {
    const answer = await patch('no-such-user', zoomSource, { message: 'x' });

    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('not.found');
  });

  it('answers 404 for a deleted source', async () => {
    sandbox.deleteSource(zoomSource);

    expect((await patch(alice, zoomSource, { message: 'x' })).status).toBe(404);
  });

  it('answers 400 for a deactivated source', async () => {
    sandbox.deactivateSource(zoomSource);

    expect((await patch(alice, zoomSource, { message: 'x' })).status).toBe(400);
    expect(sandbox.presenceWrites).toEqual([]);
  });

  it('answers 400 for an unknown presence definition id', async () => {
    const answer = await patch(alice, zoomSource, { presenceDefinition: { id: '6a3af858-942f-489d-9700-5f9bcdcdae9b' } });

    expect(answer.status).toBe(400);
    expect(sandbox.getPresence(alice, zoomSource)).toBeUndefined();
  });

  it('refuses a write to a registered source and records a violation', async () => {
    const registeredTeams = sandbox.listSources().find((s) => s.type === 'System' && s.name === 'Microsoft Teams')!.id;

    const answer = await patch(alice, registeredTeams, { message: 'x' });

    expect(answer.status).toBe(400);
    expect(sandbox.violations.map((v) => v.reason)).toEqual([VIOLATION_REASONS.wroteRegisteredSourcePresence]);
  });

  it('applies a PATCH carrying primary like Genesys would, and records a violation', async () => {
    const answer = await patch(alice, zoomSource, { presenceDefinition: { id: systemDefinitionId(sandbox, 'Busy') }, primary: true });

    expect(answer.status).toBe(200);
    expect(sandbox.primarySourceOf(alice)).toBe(zoomSource);
    expect(sandbox.violations).toEqual([
      expect.objectContaining({ method: 'PATCH', path: `/api/v2/users/${alice}/presences/${zoomSource}`, reason: VIOLATION_REASONS.primaryInPresencePatch }),
    ]);
  });

  it('records a violation for primary: false too', async () => {
    await patch(alice, zoomSource, { message: 'x', primary: false });

    expect(sandbox.violations.map((v) => v.reason)).toEqual([VIOLATION_REASONS.primaryInPresencePatch]);
  });

  it('records a violation for a PATCH of the purecloud presence', async () => {
    const answer = await patch(alice, 'purecloud', { presenceDefinition: { id: systemDefinitionId(sandbox, 'Available') } });

    expect(answer.status).toBe(200);
    expect(sandbox.violations.map((v) => v.reason)).toEqual([VIOLATION_REASONS.patchedPurecloudPresence]);
  });

  it('reports PURECLOUD as the registered primary source by default', async () => {
    const answer = await api('GET', `/api/v2/presence/users/${alice}/primarysource`);

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ sourceId: 'PURECLOUD', registered: true });
  });

  it('applies a PUT of the primary source and records a violation', async () => {
    const answer = await api('PUT', `/api/v2/presence/users/${alice}/primarysource`, { sourceId: zoomSource });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ sourceId: zoomSource, registered: false });
    expect(sandbox.violations.map((v) => v.reason)).toEqual([VIOLATION_REASONS.changedPrimarySource]);
  });

  it('records a violation for a bulk PUT that carries primary', async () => {
    const answer = await api('PUT', '/api/v2/users/presences/bulk', [{ userId: alice, sourceId: zoomSource, message: 'x', primary: true }]);

    expect(answer.status).toBe(200);
    expect(sandbox.violations.map((v) => v.reason)).toEqual([VIOLATION_REASONS.primaryInBulkPresence]);
  });

  it('reads presences in bulk as UcUserPresence with userId', async () => {
    const meeting = systemDefinitionId(sandbox, 'Meeting');
    await patch(alice, zoomSource, { presenceDefinition: { id: meeting }, message: 'In a meeting' });

    const answer = await api('GET', `/api/v2/users/presences/${zoomSource}/bulk?id=${alice},${bob}`);

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([
      expect.objectContaining({ userId: alice, sourceId: zoomSource, presenceDefinition: expect.objectContaining({ id: meeting }), message: 'In a meeting' }),
    ]);
  });

  it(`answers 400 to a bulk read of more than ${BULK_READ_LIMIT} ids`, async () => {
    const ids = Array.from({ length: BULK_READ_LIMIT + 1 }, (_, i) => `user-${i}`).join(',');

    const answer = await api('GET', `/api/v2/users/presences/${zoomSource}/bulk?id=${ids}`);

    expect(answer.status).toBe(400);
  });

  it(`accepts a bulk read of exactly ${BULK_READ_LIMIT} ids`, async () => {
    const ids = Array.from({ length: BULK_READ_LIMIT }, (_, i) => `user-${i}`).join(',');

    expect((await api('GET', `/api/v2/users/presences/${zoomSource}/bulk?id=${ids}`)).status).toBe(200);
  });
});
