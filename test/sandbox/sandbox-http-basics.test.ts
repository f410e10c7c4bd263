import { MAX_REQUEST_BYTES, startGenesysSandbox, type GenesysSandbox } from '../../src/sandbox';
import { http, loginTo, tokenFor, type Api } from './sandbox-test-helpers';

describe('sandbox HTTP basics', () => {
  let sandbox: GenesysSandbox;
  let api: Api;

  beforeAll(async () => {
    sandbox = await startGenesysSandbox();
    api = await loginTo(sandbox);
  });
  afterAll(() => sandbox.close());

  it('listens on loopback on an ephemeral port', () => {
    expect(sandbox.url).toBe(`http://127.0.0.1:${sandbox.port}`);
    expect(sandbox.port).toBeGreaterThan(0);
  });

  it('answers an unknown /api/v2 path with a Genesys 404 body', async () => {
    const answer = await api('GET', '/api/v2/nothing/here');

    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ code: 'not.found', status: 404, contextId: expect.any(String) });
  });

  it('answers an unknown path outside /api/v2 with 404', async () => {
    expect((await http(`${sandbox.url}/somewhere`)).status).toBe(404);
  });

  it('puts an inin-correlation-id on every response', async () => {
    const answers = [await api('GET', '/api/v2/presence/sources'), await http(`${sandbox.url}/api/v2/users`)];

    for (const answer of answers) expect(answer.headers.get('inin-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 413 to a body over request.bytes.max', async () => {
    const answer = await api('POST', '/api/v2/presence/sources', { name: 'x', description: 'y'.repeat(MAX_REQUEST_BYTES) });

    expect(answer.status).toBe(413);
    expect(answer.body.status).toBe(413);
  });

  it('writes one JSON object per line to the log option', async () => {
    const lines: string[] = [];
    const logged = await startGenesysSandbox({ log: (line) => lines.push(line) });
    try {
      await http(`${logged.url}/api/v2/presence/sources`);
    } finally {
      await logged.close();
    }

    const entries = lines.map((line) => JSON.parse(line) as { message: string; status?: number });
    expect(entries).toContainEqual(expect.objectContaining({ message: 'genesys sandbox request', status: 401 }));
  });

  it('answers 400 to a body that is not JSON', async () => {
    const answer = await http(`${sandbox.url}/api/v2/presence/sources`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenFor(sandbox)}`, 'content-type': 'application/json' },
      body: '{not json',
    });

    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('bad.request');
  });
});
