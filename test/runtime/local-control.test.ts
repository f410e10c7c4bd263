/**
 * The local control route `POST /local/teams/login`: only loopback peers with the runtime file's bearer
 * token get in (403 / 401 otherwise, before anything runs); bad input gets a clear 400; a good request
 * streams the device-code prompt, who signed in, and the maintenance run right after the sign-in.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { silentLogger } from '../../src/logger';
import { createControlToken, createLocalControlRouter, type LocalControlDeps } from '../../src/runtime/local-control';
import { loginThroughLocalBridge } from '../../src/runtime/local-control-client';
import type { TeamsMaintenanceReport } from '../../src/sources/teams/maintainer';
import { createExpressApp } from '../../src/webhooks/adapters/express';

const report: TeamsMaintenanceReport = {
  mode: 'subscription',
  users: 5,
  accountsNeeded: 1,
  directoryRefreshed: false,
  accounts: [{ account: 'demo', users: 5, action: 'created' }],
  uncovered: 0,
  presencesRead: 5,
  eventsRecorded: 0,
  errors: [],
} as unknown as TeamsMaintenanceReport;

describe('local control route', () => {
  const token = createControlToken();
  const calls: string[] = [];
  let fail: Error | undefined;
  let ownReport = report;
  /** A run of the timer that finishes while the sign-in is going (undefined: none). */
  let timerRunDuringSignIn: TeamsMaintenanceReport | undefined;
  const listeners = new Set<(report: TeamsMaintenanceReport) => void>();
  const deps: LocalControlDeps = {
    token,
    teamsLogin: async (account, onPrompt, options) => {
      calls.push(`login ${account} ${options.timeoutSeconds}`);
      onPrompt({
        message: 'To sign in, enter the code ABCD1234',
        userCode: 'ABCD1234',
        verificationUri: 'https://127.0.0.1/devicelogin',
        expiresInSeconds: 900,
      });
      if (fail) throw fail;
      if (timerRunDuringSignIn) for (const listener of listeners) listener(timerRunDuringSignIn);
      return { name: account, username: 'teams-service@example.com' };
    },
    runTeamsMaintenance: async () => {
      calls.push('maintenance');
      return ownReport;
    },
    onTeamsMaintenanceFinished: (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    logger: silentLogger,
  };
  const app = createExpressApp({ webhookPaths: [], handle: async () => ({ status: 404, headers: {}, body: '' }), routers: [createLocalControlRouter(deps)] });
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    server = await new Promise<http.Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    calls.length = 0;
    fail = undefined;
    ownReport = report;
    timerRunDuringSignIn = undefined;
  });

  const post = (body: string, authorization?: string): Promise<Response> =>
    fetch(`http://127.0.0.1:${port}/local/teams/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body,
    });

  it.each([
    ['no token', undefined],
    ['a wrong token', `Bearer ${createControlToken()}`],
    ['a token of another length', `Bearer ${token}x`],
    ['another scheme', `Basic ${token}`],
  ])('answers 401 with %s, and runs nothing', async (_name, authorization) => {
    const response = await post('{"account":"demo"}', authorization);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toMatch(/control token/);
    expect(calls).toEqual([]);
  });

  it('answers 403 to a peer that is not this machine, even with the token', async () => {
    // A request as it arrives from another host (the server binds BIND_ADDRESS, which may be 0.0.0.0).
    const socket = new net.Socket();
    Object.defineProperty(socket, 'remoteAddress', { value: '192.0.2.10' });
    const req = new http.IncomingMessage(socket);
    Object.assign(req, { method: 'POST', url: '/local/teams/login', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    req.push('{"account":"demo"}');
    req.push(null);
    const res = new http.ServerResponse(req);
    const answered = new Promise<{ status: number; body: string }>((resolve) => {
      const chunks: string[] = [];
      res.write = ((chunk: unknown) => (chunks.push(String(chunk)), true)) as typeof res.write;
      res.end = ((chunk?: unknown) => {
        if (chunk) chunks.push(String(chunk));
        resolve({ status: res.statusCode, body: chunks.join('') });
        return res;
      }) as typeof res.end;
    });
    app(req as never, res as never);
    const answer = await answered;
    expect(answer.status).toBe(403);
    expect(answer.body).toMatch(/only requests from this machine/);
    expect(calls).toEqual([]);
    socket.destroy();
  });

  it.each([
    ['not JSON', '{account', /body must be JSON/],
    ['no account', '{}', /account/],
    ['a bad account name', '{"account":"../etc"}', /account name/],
    ['a bad timeout', '{"account":"demo","timeoutSeconds":0}', /timeoutSeconds/],
  ])('answers 400 for %s, and runs nothing', async (_name, body, message) => {
    const response = await post(body, `Bearer ${token}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(message);
    expect(calls).toEqual([]);
  });

  it('streams the prompt and the sign-in, then runs maintenance at once', async () => {
    const events: unknown[] = [];
    await loginThroughLocalBridge({ port, controlToken: token }, { account: 'Demo', timeoutSeconds: 30 }, (event) => events.push(event));
    expect(calls).toEqual(['login demo 30', 'maintenance']);
    expect(events).toEqual([
      { event: 'prompt', message: 'To sign in, enter the code ABCD1234' },
      { event: 'signed-in', account: 'demo', username: 'teams-service@example.com' },
      { event: 'maintenance', accounts: [{ account: 'demo', users: 5, action: 'created' }], errors: [] },
    ]);
  });

  it('reports "created" when a timer run during the sign-in made the subscription and ours found it unchanged', async () => {
    timerRunDuringSignIn = { ...report, accounts: [{ account: 'demo', users: 5, action: 'created' }] };
    ownReport = { ...report, accounts: [{ account: 'demo', users: 5, action: 'unchanged' }] };
    const events: Array<{ event: string }> = [];
    await loginThroughLocalBridge({ port, controlToken: token }, { account: 'demo', timeoutSeconds: 30 }, (event) => events.push(event));
    expect(events.at(-1)).toEqual({ event: 'maintenance', accounts: [{ account: 'demo', users: 5, action: 'created' }], errors: [] });
    expect(listeners.size).toBe(0);
  });

  it("keeps its own run's error over an earlier run's success", async () => {
    timerRunDuringSignIn = { ...report, accounts: [{ account: 'demo', users: 5, action: 'created' }] };
    ownReport = { ...report, accounts: [{ account: 'demo', users: 5, error: 'Graph answered 403' }] };
    const events: Array<{ event: string }> = [];
    await loginThroughLocalBridge({ port, controlToken: token }, { account: 'demo', timeoutSeconds: 30 }, (event) => events.push(event));
    expect(events.at(-1)).toEqual({ event: 'maintenance', accounts: [{ account: 'demo', users: 5, error: 'Graph answered 403' }], errors: [] });
  });

  it('streams a sign-in failure as an error event and skips maintenance', async () => {
    fail = new Error('the sign-in timed out after 30 s');
    const events: unknown[] = [];
    await loginThroughLocalBridge({ port, controlToken: token }, { account: 'demo', timeoutSeconds: 30 }, (event) => events.push(event));
    expect(events.at(-1)).toEqual({ event: 'error', message: 'the sign-in timed out after 30 s' });
    expect(calls).toEqual(['login demo 30']);
  });

  it('the CLI client reports a refusal with its reason', async () => {
    await expect(loginThroughLocalBridge({ port, controlToken: 'stale' }, { account: 'demo', timeoutSeconds: 30 }, () => undefined)).rejects.toThrow(
      /refused the sign-in \(HTTP 401\).*control token/,
    );
  });
});
