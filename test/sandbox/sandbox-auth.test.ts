import { startGenesysSandbox, type GenesysSandbox } from '../../src/sandbox';
import { apiWith, basic, http, manualClock, tokenFor } from './sandbox-test-helpers';

describe('sandbox OAuth and bearer tokens', () => {
  let sandbox: GenesysSandbox;
  const clock = manualClock();

  beforeAll(async () => {
    sandbox = await startGenesysSandbox({ clientId: 'cid', clientSecret: 'secret', tokenTtlSeconds: 600, now: clock.now });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const tokenRequest = (authorization: string, body = 'grant_type=client_credentials') =>
    http(`${sandbox.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });

  it('issues a bearer token for the right client credentials', async () => {
    const answer = await tokenRequest(basic('cid', 'secret'));

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 600 });
  });

  it('answers 401 invalid_client for a wrong secret', async () => {
    const answer = await tokenRequest(basic('cid', 'wrong'));

    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe('invalid_client');
  });

  it('answers 400 for a grant other than client_credentials', async () => {
    const answer = await tokenRequest(basic('cid', 'secret'), 'grant_type=password&username=a&password=b');

    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('unsupported_grant_type');
  });

  it('answers 401 authentication.required without a bearer token, with a Genesys error body', async () => {
    const answer = await http(`${sandbox.url}/api/v2/presence/sources`);

    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ code: 'authentication.required', status: 401, message: expect.any(String) });
    expect(answer.body.contextId).toBe(answer.headers.get('inin-correlation-id'));
  });

  it('answers 401 bad.credentials for an unknown token', async () => {
    const answer = await apiWith(sandbox, 'not-a-token')('GET', '/api/v2/presence/sources');

    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('bad.credentials');
  });

  it('answers 401 for every token issued before expireAllTokens, but not for new ones', async () => {
    const old = await tokenFor(sandbox);
    sandbox.expireAllTokens();
    const fresh = await tokenFor(sandbox);

    expect((await apiWith(sandbox, old)('GET', '/api/v2/presence/sources')).status).toBe(401);
    expect((await apiWith(sandbox, fresh)('GET', '/api/v2/presence/sources')).status).toBe(200);
  });

  it('answers 401 once a token outlives expires_in', async () => {
    const api = apiWith(sandbox, await tokenFor(sandbox));
    clock.advance(600_000);

    const answer = await api('GET', '/api/v2/presence/sources');

    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('bad.credentials');
  });

  it('records every request in order, including /oauth/token, with the token used', async () => {
    const token = await tokenFor(sandbox);
    await apiWith(sandbox, token)('GET', '/api/v2/presence/sources?deactivated=false');

    expect(sandbox.requests.map((r) => [r.method, r.path, r.query, r.status])).toEqual([
      ['POST', '/oauth/token', '', 200],
      ['GET', '/api/v2/presence/sources', 'deactivated=false', 200],
    ]);
    expect(sandbox.requests[1]?.token).toBe(token);
  });
});
