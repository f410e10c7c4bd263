/**
 * Who may see `GET /status`, on both adapters:
 * - the Lambda handler (src/lambda.ts over DynamoDB and SQS stand-ins): 404 without STATUS_PAGE_TOKEN;
 *   with it, 401 (and `WWW-Authenticate: Bearer`) without or with a wrong token, 200 with any of the
 *   comma-separated tokens; the security headers on every answer;
 * - the local express server: open on loopback; with a non-loopback BIND_ADDRESS the token is needed
 *   if set, else only loopback clients are answered.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config';
import { status, useBridgeForTests, webhook } from '../../src/lambda';
import { silentLogger } from '../../src/logger';
import { createAwsBridge, type AwsBridge } from '../../src/runtime/aws-bridge';
import { buildStatusPageDeps } from '../../src/runtime/status-page-deps';
import { startGenesysSandbox, type GenesysSandbox } from '../../src/sandbox';
import { signZoomRequest } from '../../src/sources/zoom/verify';
import { awsStatusAccess, bearerTokenOf, decideStatusAccess, isLoopbackAddress, localStatusAccess, matchesBearerToken } from '../../src/status/status-access';
import { serveStatusPage } from '../../src/status/status-page';
import { createTableIfMissing } from '../../src/store/dynamodb';
import { createExpressApp } from '../../src/webhooks/adapters/express';
import { startDynalite } from '../helpers/dynalite';
import { startTestBridge, ZOOM_SECRET, zoomPresenceBody } from '../helpers/local-bridge';
import { startSqsStandIn, type SqsStandIn } from '../helpers/sqs-stand-in';

function expectSecurityHeaders(headers: Record<string, string>): void {
  expect(headers['cache-control']).toBe('private, no-store');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'unsafe-inline'/);
}

describe('status access rules', () => {
  it('decides by policy: open, off, loopback-only, token', () => {
    expect(localStatusAccess('127.0.0.1', ['t'])).toEqual({ kind: 'open' });
    expect(localStatusAccess('::1', [])).toEqual({ kind: 'open' });
    expect(localStatusAccess('0.0.0.0', ['t'])).toEqual({ kind: 'token', tokens: ['t'] });
    expect(localStatusAccess('0.0.0.0', [])).toEqual({ kind: 'loopback-only' });
    expect(awsStatusAccess([])).toEqual({ kind: 'off' });

    const loopbackOnly = localStatusAccess('192.168.1.10', []);
    expect(decideStatusAccess(loopbackOnly, { headers: {}, remoteAddress: '::ffff:127.0.0.1' })).toEqual({ allowed: true });
    expect(decideStatusAccess(loopbackOnly, { headers: {}, remoteAddress: '10.0.0.5' })).toMatchObject({ allowed: false, status: 403 });
    expect(decideStatusAccess(awsStatusAccess([]), { headers: { authorization: 'Bearer x' } })).toMatchObject({ allowed: false, status: 404 });

    expect(isLoopbackAddress('127.8.9.10')).toBe(true);
    expect(isLoopbackAddress('128.0.0.1')).toBe(false);
    expect(bearerTokenOf('bearer  abc ')).toBe('abc');
    expect(bearerTokenOf('Basic abc')).toBeUndefined();
    expect(matchesBearerToken('new', ['old', 'new'])).toBe(true);
    expect(matchesBearerToken('ne', ['old', 'new'])).toBe(false);
    expect(matchesBearerToken('', ['old'])).toBe(false);
  });
});

describe('status page on the Lambda handler', () => {
  let dynalite: Awaited<ReturnType<typeof startDynalite>>;
  let sqs: SqsStandIn;
  let sandbox: GenesysSandbox;
  const bridges: AwsBridge[] = [];

  beforeAll(async () => {
    dynalite = await startDynalite();
    sqs = await startSqsStandIn();
    sandbox = await startGenesysSandbox({ seedDemoUsers: true });
    await createTableIfMissing(dynalite.client, 'bridge-status-test');
  });

  afterAll(async () => {
    useBridgeForTests(undefined);
    for (const bridge of bridges) await bridge.parts.genesys.close();
    await sandbox.close();
    await sqs.close();
    await dynalite.close();
  });

  function useBridge(env: Record<string, string>): AwsBridge {
    const config = loadConfig({
      BRIDGE_TABLE_NAME: 'bridge-status-test',
      BRIDGE_QUEUE_URL: sqs.queueUrl,
      GENESYS_CLIENT_ID: sandbox.clientId,
      GENESYS_CLIENT_SECRET: sandbox.clientSecret,
      GENESYS_API_BASE_URL: sandbox.url,
      GENESYS_LOGIN_BASE_URL: sandbox.url,
      ZOOM_WEBHOOK_SECRET_TOKEN: ZOOM_SECRET,
      ...env,
    });
    const bridge = createAwsBridge(config, silentLogger, { dynamo: dynalite.client, sqs: sqs.client, genesysRetry: { maxAttempts: 1 } });
    bridges.push(bridge);
    useBridgeForTests(bridge);
    return bridge;
  }

  function statusEvent(path: string, headers: Record<string, string> = {}) {
    return { rawPath: path, rawQueryString: '', headers, requestContext: { http: { method: 'GET', path } } };
  }

  it('is off (404) without STATUS_PAGE_TOKEN, even with a bearer token', async () => {
    useBridge({});
    for (const path of ['/status', '/status.json']) {
      const answer = await status(statusEvent(path, { authorization: 'Bearer anything' }));
      expect(answer.statusCode).toBe(404);
      expectSecurityHeaders(answer.headers);
    }
  });

  it('needs the bearer token when STATUS_PAGE_TOKEN is set: 401 without or wrong, 200 with either rotated value', async () => {
    useBridge({ STATUS_PAGE_TOKEN: 'old-status-token, new-status-token' });
    const at = Math.floor(Date.now() / 1000);
    const body = zoomPresenceBody({ email: 'bob@example.com', status: 'In_Meeting', at });
    const posted = await webhook({
      rawPath: '/webhooks/zoom',
      headers: { 'content-type': 'application/json', ...signZoomRequest(ZOOM_SECRET, body, at) },
      body: body.toString('utf8'),
      requestContext: { http: { method: 'POST', path: '/webhooks/zoom' } },
    });
    expect(posted.statusCode).toBe(200);

    const none = await status(statusEvent('/status'));
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expectSecurityHeaders(none.headers);
    expect(none.body).not.toContain('bob@example.com');

    const wrong = await status(statusEvent('/status', { authorization: 'Bearer old-status-tokenX' }));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Bearer/);
    expect((await status(statusEvent('/status', { authorization: 'Basic b2xkLXN0YXR1cy10b2tlbg==' }))).statusCode).toBe(401);

    const right = await status(statusEvent('/status', { authorization: 'Bearer new-status-token' }));
    expect(right.statusCode).toBe(200);
    expect(right.headers['content-type']).toMatch(/^text\/html/);
    expectSecurityHeaders(right.headers);
    expect(right.body).toContain('bob@example.com');
    expect(right.body).not.toContain('status-token');

    const json = await status(statusEvent('/status.json', { authorization: 'bearer old-status-token' }));
    expect(json.statusCode).toBe(200);
    const report = JSON.parse(json.body);
    expect(report.users.rows.map((row: { email?: string }) => row.email)).toContain('bob@example.com');
    expect(json.body).not.toContain('status-token');
    expect(json.body).not.toContain(ZOOM_SECRET);
  });
});

describe('status page on the local server', () => {
  it('is open on the loopback server as is', async () => {
    const bridge = await startTestBridge({ STATUS_PAGE_TOKEN: 'local-token' });
    try {
      const response = await fetch(`${bridge.url}/status`);
      expect(response.status).toBe(200);
      expectSecurityHeaders(Object.fromEntries(response.headers));
    } finally {
      await bridge.stop();
    }
  });

  it('needs the token when BIND_ADDRESS is not loopback and STATUS_PAGE_TOKEN is set, even from this machine', async () => {
    const bridge = await startTestBridge();
    // The express adapter with the policy a BIND_ADDRESS=0.0.0.0 server gets, listening on loopback for the test.
    const deps = buildStatusPageDeps(bridge.parts, localStatusAccess('0.0.0.0', ['lan-token']));
    const app = createExpressApp({ webhookPaths: [], handle: async () => ({ status: 404, headers: {}, body: '' }), status: (r) => serveStatusPage(r, deps) });
    const server = await new Promise<http.Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const none = await fetch(`${url}/status`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expectSecurityHeaders(Object.fromEntries(none.headers));
      expect((await fetch(`${url}/status`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
      const right = await fetch(`${url}/status.json`, { headers: { authorization: 'Bearer lan-token' } });
      expect(right.status).toBe(200);

      // Without a token such a server answers loopback clients only: this test's client is one.
      const loopbackDeps = buildStatusPageDeps(bridge.parts, localStatusAccess('0.0.0.0', []));
      expect((await serveStatusPage({ method: 'GET', path: '/status', query: {}, headers: {}, remoteAddress: '127.0.0.1' }, loopbackDeps)).status).toBe(200);
      const remote = await serveStatusPage({ method: 'GET', path: '/status', query: {}, headers: {}, remoteAddress: '203.0.113.9' }, loopbackDeps);
      expect(remote.status).toBe(403);
      expect(remote.body).toContain('STATUS_PAGE_TOKEN');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await bridge.stop();
    }
  });
});
