import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../../../src/errors';
import { createZoomClient, createZoomClientFromConfig, ZOOM_ERROR_CODES, ZoomApiError, type ZoomClientOptions } from '../../../src/sources/zoom/client';
import { zoomConfig } from './helpers';
import { fakeClock, STAND_IN_ACCOUNT, STAND_IN_CLIENT_ID, STAND_IN_CLIENT_SECRET, startZoomRestStandIn, type ZoomRestStandIn } from './zoom-rest-stand-in';

let standIn: ZoomRestStandIn;

beforeEach(async () => {
  standIn = await startZoomRestStandIn({
    users: [
      { id: 'abcD3ojfdbjfg', email: 'jchill@example.com', status: 'In_A_Zoom_Meeting' },
      { id: 'zzZ9', email: 'ada@example.com', status: 'Available' },
    ],
  });
});

afterEach(async () => {
  await standIn.close();
});

function client(overrides: Partial<ZoomClientOptions> = {}) {
  const clock = fakeClock();
  const zoom = createZoomClient({
    accountId: STAND_IN_ACCOUNT,
    clientId: STAND_IN_CLIENT_ID,
    clientSecret: STAND_IN_CLIENT_SECRET,
    apiBaseUrl: standIn.apiBaseUrl,
    oauthBaseUrl: standIn.oauthBaseUrl,
    now: clock.now,
    sleep: clock.sleep,
    ...overrides,
  });
  return { zoom, clock };
}

async function rejection(promise: Promise<unknown>): Promise<ZoomApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ZoomApiError);
    return error as ZoomApiError;
  }
  throw new Error('expected a rejection');
}

describe('Zoom client: Server-to-Server OAuth', () => {
  it('requests a token with Basic auth and grant_type/account_id as a form body', async () => {
    const { zoom } = client();
    await zoom.getPresenceStatus('abcD3ojfdbjfg');
    const [tokenRequest] = standIn.tokenRequests();
    expect(tokenRequest.method).toBe('POST');
    expect(tokenRequest.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(tokenRequest.headers.authorization).toBe('Basic ' + Buffer.from(`${STAND_IN_CLIENT_ID}:${STAND_IN_CLIENT_SECRET}`).toString('base64'));
    expect(Object.fromEntries(new URLSearchParams(tokenRequest.body))).toEqual({
      grant_type: 'account_credentials',
      account_id: STAND_IN_ACCOUNT,
    });
    expect(standIn.apiRequests()[0].headers.authorization).toBe('Bearer token-1');
  });

  it('reuses the token until 60 s before it expires, then gets a new one', async () => {
    const { zoom, clock } = client();
    await zoom.getPresenceStatus('abcD3ojfdbjfg');
    clock.advance(3600_000 - 61_000);
    await zoom.getPresenceStatus('abcD3ojfdbjfg');
    expect(standIn.tokenRequests()).toHaveLength(1);
    clock.advance(2_000);
    await zoom.getPresenceStatus('abcD3ojfdbjfg');
    expect(standIn.tokenRequests()).toHaveLength(2);
    expect(standIn.apiRequests().at(-1)?.headers.authorization).toBe('Bearer token-2');
  });

  it('shares one token request among concurrent reads', async () => {
    const { zoom } = client({ requestsPerSecond: 1000 });
    await Promise.all([1, 2, 3, 4, 5].map(() => zoom.getPresenceStatus('abcD3ojfdbjfg')));
    expect(standIn.tokenRequests()).toHaveLength(1);
    expect(standIn.apiRequests()).toHaveLength(5);
  });

  it('gets a new token once when Zoom rejects the current one (401 code 124)', async () => {
    const { zoom } = client();
    await zoom.getPresenceStatus('abcD3ojfdbjfg');
    standIn.revokeTokens();
    await expect(zoom.getPresenceStatus('abcD3ojfdbjfg')).resolves.toMatchObject({ status: 'In_A_Zoom_Meeting' });
    expect(standIn.tokenRequests()).toHaveLength(2);
  });

  it('fails with a message naming the credentials when Zoom refuses them', async () => {
    const { zoom } = client({ clientSecret: 'wrong' });
    const error = await rejection(zoom.getPresenceStatus('abcD3ojfdbjfg'));
    expect(error.operation).toBe('token');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/invalid_client/);
    expect(error.message).toMatch(/ZOOM_CLIENT_ID/);
    expect(error.affectsAllRequests).toBe(true);
    expect(standIn.apiRequests()).toHaveLength(0);
  });
});

describe('Zoom client: GET /users/{id}/presence_status', () => {
  it('returns the status as Zoom reports it (REST vocabulary)', async () => {
    const { zoom } = client();
    await expect(zoom.getPresenceStatus('abcD3ojfdbjfg')).resolves.toEqual({ status: 'In_A_Zoom_Meeting' });
    expect(standIn.apiRequests()[0].path).toBe('/v2/users/abcD3ojfdbjfg/presence_status');
  });

  it('accepts an email as the user id', async () => {
    const { zoom } = client();
    await expect(zoom.getPresenceStatus('Ada@Example.com')).resolves.toEqual({ status: 'Available' });
    expect(standIn.apiRequests()[0].rawUrl).toBe('/v2/users/Ada@Example.com/presence_status');
  });

  it('keeps the DND timing fields when Zoom sends them', async () => {
    standIn.script(/presence_status$/, {
      status: 200,
      body: { status: 'Do_No_Disturb', end_time: '2024-03-27T04:00:00Z', remaining_time: 60 },
    });
    const { zoom } = client();
    await expect(zoom.getPresenceStatus('abcD3ojfdbjfg')).resolves.toEqual({
      status: 'Do_No_Disturb',
      end_time: '2024-03-27T04:00:00Z',
      remaining_time: 60,
    });
  });

  it('throws ZoomApiError 404 / 1001 for an unknown user, without retrying', async () => {
    const { zoom } = client();
    const error = await rejection(zoom.getPresenceStatus('nobody@example.com'));
    expect(error).toMatchObject({ status: 404, code: ZOOM_ERROR_CODES.userNotFound, operation: 'getPresenceStatus' });
    expect(error.message).toMatch(/no such Zoom user/);
    expect(error.affectsAllRequests).toBe(false);
    expect(standIn.apiRequests()).toHaveLength(1);
  });

  it('treats user ids as case-sensitive, as Zoom does: the same id in another case is 404 / 1001', async () => {
    const { zoom } = client();
    const error = await rejection(zoom.getPresenceStatus('abcd3ojfdbjfg'));
    expect(error).toMatchObject({ status: 404, code: ZOOM_ERROR_CODES.userNotFound });
    expect(error.zoomMessage).toBe('User does not exist: abcd3ojfdbjfg.');
    await expect(zoom.getPresenceStatus('abcD3ojfdbjfg')).resolves.toEqual({ status: 'In_A_Zoom_Meeting' });
    await expect(zoom.getPresenceStatus('JCHILL@example.COM')).resolves.toEqual({ status: 'In_A_Zoom_Meeting' });
  });

  it('says which scope is missing on 400 / 5411', async () => {
    standIn.script(/presence_status$/, { status: 400, body: { code: 5411, message: 'No permission.' } });
    const { zoom } = client();
    const error = await rejection(zoom.getPresenceStatus('abcD3ojfdbjfg'));
    expect(error).toMatchObject({ status: 400, code: 5411 });
    expect(error.message).toContain('user:read:presence_status:admin');
    expect(error.affectsAllRequests).toBe(true);
  });

  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    standIn.script(/presence_status$/, {
      status: 429,
      headers: { 'retry-after': '2' },
      body: { code: 429, message: 'You have reached the maximum per-second rate limit for this API. Try again later.' },
    });
    const { zoom, clock } = client();
    const started = clock.now();
    await expect(zoom.getPresenceStatus('abcD3ojfdbjfg')).resolves.toEqual({ status: 'In_A_Zoom_Meeting' });
    expect(standIn.apiRequests()).toHaveLength(2);
    expect(clock.now() - started).toBeGreaterThanOrEqual(2000);
  });

  it('backs off exponentially on 429 without Retry-After', async () => {
    const limited = { status: 429, body: { code: 429, message: 'per-second rate limit' } };
    standIn.script(/presence_status$/, limited, limited);
    const { zoom, clock } = client();
    const started = clock.now();
    await zoom.getPresenceStatus('abcD3ojfdbjfg');
    expect(standIn.apiRequests()).toHaveLength(3);
    expect(clock.now() - started).toBeGreaterThanOrEqual(1000 + 2000);
  });

  it('gives up after the last attempt with ZoomApiError 429', async () => {
    const limited = { status: 429, headers: { 'retry-after': '1' } };
    standIn.script(/presence_status$/, limited, limited, limited);
    const { zoom } = client({ maxAttempts: 3 });
    const error = await rejection(zoom.getPresenceStatus('abcD3ojfdbjfg'));
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBe(1000);
    expect(standIn.apiRequests()).toHaveLength(3);
  });

  it("does not retry Zoom's daily limit", async () => {
    standIn.script(/presence_status$/, {
      status: 429,
      body: {
        code: 429,
        message: 'You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request.',
      },
    });
    const { zoom } = client();
    const error = await rejection(zoom.getPresenceStatus('abcD3ojfdbjfg'));
    expect(error.status).toBe(429);
    expect(error.affectsAllRequests).toBe(true);
    expect(standIn.apiRequests()).toHaveLength(1);
  });

  it('does not sit out a Retry-After longer than maxRetryAfterMs', async () => {
    standIn.script(/presence_status$/, { status: 429, headers: { 'retry-after': '3600' } });
    const { zoom } = client({ maxRetryAfterMs: 60_000 });
    const error = await rejection(zoom.getPresenceStatus('abcD3ojfdbjfg'));
    expect(error.retryAfterMs).toBe(3600_000);
    expect(standIn.apiRequests()).toHaveLength(1);
  });

  it('retries a 5xx', async () => {
    standIn.script(/presence_status$/, { status: 503, body: { code: 503, message: 'unavailable' } });
    const { zoom } = client();
    await expect(zoom.getPresenceStatus('abcD3ojfdbjfg')).resolves.toEqual({ status: 'In_A_Zoom_Meeting' });
    expect(standIn.apiRequests()).toHaveLength(2);
  });

  it('keeps to the requests-per-second limit', async () => {
    const { zoom, clock } = client({ requestsPerSecond: 5 });
    const started = clock.now();
    for (let i = 0; i < 6; i++) await zoom.getPresenceStatus('abcD3ojfdbjfg');
    // Six requests at 5/s: the sixth may leave no earlier than one second after the first.
    expect(clock.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('reports an unexpected body as ZoomApiError', async () => {
    standIn.script(/presence_status$/, { status: 200, body: { presence: 'Available' } });
    const { zoom } = client();
    const error = await rejection(zoom.getPresenceStatus('abcD3ojfdbjfg'));
    expect(error.message).toMatch(/unexpected body/);
  });
});

describe('Zoom client: GET /users/{id}', () => {
  it('resolves an email to the Zoom user id', async () => {
    const { zoom } = client();
    await expect(zoom.getUser('jchill@example.com')).resolves.toMatchObject({ id: 'abcD3ojfdbjfg', email: 'jchill@example.com' });
  });
});

describe('Zoom client: no answer at all', () => {
  it('retries, then throws ZoomApiError with status 0', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const { zoom } = client({ apiBaseUrl: `http://127.0.0.1:${port}/v2`, oauthBaseUrl: `http://127.0.0.1:${port}`, maxAttempts: 2 });
    const error = await rejection(zoom.getPresenceStatus('abcD3ojfdbjfg'));
    expect(error).toMatchObject({ operation: 'token', status: 0 });
    expect(error.message).toMatch(/got no response/);
  });
});

describe('createZoomClientFromConfig', () => {
  it('names every missing credential', () => {
    expect(() => createZoomClientFromConfig(zoomConfig({ accountId: 'a' }))).toThrow(ConfigError);
    expect(() => createZoomClientFromConfig(zoomConfig({ accountId: 'a' }))).toThrow(/ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET/);
  });

  it('builds a working client from configuration', async () => {
    const zoom = createZoomClientFromConfig(
      zoomConfig({
        accountId: STAND_IN_ACCOUNT,
        clientId: STAND_IN_CLIENT_ID,
        clientSecret: STAND_IN_CLIENT_SECRET,
        apiBaseUrl: standIn.apiBaseUrl,
        oauthBaseUrl: standIn.oauthBaseUrl,
      }),
    );
    await expect(zoom.getPresenceStatus('zzZ9')).resolves.toEqual({ status: 'Available' });
  });
});
