import { startGenesysSandbox, SYSTEM_PRESENCES, type GenesysSandbox } from '../../src/sandbox';
import { loginTo, type Api } from './sandbox-test-helpers';

/**
 * The seemingly org-independent ids of real Genesys orgs (docs/vendors.md#genesys-presence-definitions);
 * the sandbox must not use them.
 */
const WELL_KNOWN_IDS = ['6a3af858-942f-489d-9700-5f9bcdcdae9b', 'e08eaf1b-ee47-4fa9-a231-1200e284798f', '31fe3bac-dea6-44b7-bed7-47f91660a1a0'];

describe('sandbox presence definitions', () => {
  let sandbox: GenesysSandbox;
  let api: Api;

  beforeEach(async () => {
    sandbox = await startGenesysSandbox();
    api = await loginTo(sandbox);
  });
  afterEach(() => sandbox.close());

  it('lists one System definition per systemPresence, spelled the SDK way, on /presence/definitions', async () => {
    const answer = await api('GET', '/api/v2/presence/definitions');

    expect(answer.status).toBe(200);
    expect(answer.body.total).toBe(SYSTEM_PRESENCES.length);
    expect(answer.body.entities.map((d: { systemPresence: string }) => d.systemPresence)).toEqual([...SYSTEM_PRESENCES]);
    expect(answer.body.entities[5]).toMatchObject({ systemPresence: 'OnQueue', type: 'System', languageLabels: { en_US: 'On Queue' } });
  });

  it('spells On Queue with a space, adds primary and omits type on the deprecated /presencedefinitions', async () => {
    const answer = await api('GET', '/api/v2/presencedefinitions');

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ pageSize: 25, pageNumber: 1, total: 10, pageCount: 1 });
    const onQueue = answer.body.entities.find((d: { systemPresence: string }) => d.systemPresence === 'On Queue');
    expect(onQueue).toMatchObject({ primary: true, id: expect.any(String) });
    expect(onQueue).not.toHaveProperty('type');
  });

  it('uses the same ids on both endpoints', async () => {
    const current = (await api('GET', '/api/v2/presence/definitions')).body.entities.map((d: { id: string }) => d.id).sort();
    const deprecated = (await api('GET', '/api/v2/presencedefinitions')).body.entities.map((d: { id: string }) => d.id).sort();

    expect(deprecated).toEqual(current);
  });

  it('generates different ids per sandbox, none of them the well-known Genesys ids', async () => {
    const other = await startGenesysSandbox();
    try {
      const mine = sandbox.definitions().map((d) => d.id);
      const theirs = other.definitions().map((d) => d.id);

      expect(mine.filter((id) => theirs.includes(id))).toEqual([]);
      expect(mine.filter((id) => WELL_KNOWN_IDS.includes(id))).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('lists a secondary presence as type User with its label and system presence on both endpoints', async () => {
    const { id } = sandbox.addSecondaryPresence('On Queue', 'Outbound campaign');

    const current = (await api('GET', '/api/v2/presence/definitions')).body.entities.find((d: { id: string }) => d.id === id);
    const deprecated = (await api('GET', '/api/v2/presencedefinitions')).body.entities.find((d: { id: string }) => d.id === id);

    expect(current).toMatchObject({ type: 'User', systemPresence: 'OnQueue', languageLabels: { en_US: 'Outbound campaign' } });
    expect(deprecated).toMatchObject({ primary: false, systemPresence: 'On Queue', languageLabels: { en_US: 'Outbound campaign' } });
  });

  it('pages the deprecated endpoint', async () => {
    const answer = await api('GET', '/api/v2/presencedefinitions?pageSize=4&pageNumber=3');

    expect(answer.body).toMatchObject({ pageSize: 4, pageNumber: 3, total: 10, pageCount: 3 });
    expect(answer.body.entities).toHaveLength(2);
  });

  it('answers 404 on /presence/definitions only, with definitionsEndpointMissing', async () => {
    sandbox.setFaults({ definitionsEndpointMissing: true });

    expect((await api('GET', '/api/v2/presence/definitions')).status).toBe(404);
    expect((await api('GET', '/api/v2/presencedefinitions')).status).toBe(200);
  });
});
