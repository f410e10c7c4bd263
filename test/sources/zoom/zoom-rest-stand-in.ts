/**
 * A tiny Zoom REST stand-in on 127.0.0.1 (port 0): `/oauth/token` (Server-to-Server OAuth) and
 * `/v2/users/:id[/presence_status]`, with scripted responses for 429, 5xx and error codes.
 *
 * Like Zoom, `{userId}` is either the user id, matched exactly (Zoom ids are case-sensitive:
 * `t2bS3bJKRamtTrbWCKMVtA` and `t2bs3bjkramttrbwckmvta` are different ids), or the user's email, matched
 * case-insensitively. Anything else is 404 `{"code":1001,"message":"User does not exist: …"}`
 * (https://developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId}/presence_status).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInUser {
  readonly id: string;
  readonly email: string;
  status: string;
}

export interface ScriptedResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly rawUrl: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface ZoomRestStandIn {
  readonly oauthBaseUrl: string;
  readonly apiBaseUrl: string;
  readonly requests: RecordedRequest[];
  readonly users: StandInUser[];
  /** Responses served (in order) before normal handling, for requests whose path matches. */
  script(match: RegExp, ...responses: ScriptedResponse[]): void;
  tokenRequests(): RecordedRequest[];
  apiRequests(): RecordedRequest[];
  /** Invalidates every issued token (the next API call gets 401 code 124). */
  revokeTokens(): void;
  maxInFlight(): number;
  close(): Promise<void>;
}

export const STAND_IN_ACCOUNT = 'acct-123';
export const STAND_IN_CLIENT_ID = 'client-abc';
export const STAND_IN_CLIENT_SECRET = 'secret-xyz';

export async function startZoomRestStandIn(options: { users?: StandInUser[]; expiresIn?: number; latencyMs?: number } = {}): Promise<ZoomRestStandIn> {
  const requests: RecordedRequest[] = [];
  const users: StandInUser[] = options.users ?? [];
  const scripts: Array<{ match: RegExp; responses: ScriptedResponse[] }> = [];
  const validTokens = new Set<string>();
  let issued = 0;
  let inFlight = 0;
  let maxInFlight = 0;

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const record: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        rawUrl: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(record);
      setTimeout(() => {
        inFlight -= 1;
        handle(record, url, res);
      }, options.latencyMs ?? 0);
    });
  });

  /** An email matches whatever its case; an id only exactly. */
  function findUser(userIdOrEmail: string): StandInUser | undefined {
    if (userIdOrEmail.includes('@')) return users.find((u) => u.email.toLowerCase() === userIdOrEmail.toLowerCase());
    return users.find((u) => u.id === userIdOrEmail);
  }

  function handle(record: RecordedRequest, url: URL, res: http.ServerResponse): void {
    const script = scripts.find((s) => s.match.test(record.path) && s.responses.length > 0);
    if (script) {
      const next = script.responses.shift() as ScriptedResponse;
      send(res, next.status, next.body, next.headers);
      return;
    }
    if (record.method === 'POST' && record.path === '/oauth/token') {
      const expected = 'Basic ' + Buffer.from(`${STAND_IN_CLIENT_ID}:${STAND_IN_CLIENT_SECRET}`).toString('base64');
      const form = new URLSearchParams(record.body);
      if (record.headers.authorization !== expected) {
        send(res, 400, { reason: 'Invalid client_id or client_secret', error: 'invalid_client' });
        return;
      }
      if (form.get('grant_type') !== 'account_credentials' || form.get('account_id') !== STAND_IN_ACCOUNT) {
        send(res, 400, { reason: 'Unsupported grant type', error: 'unsupported_grant_type' });
        return;
      }
      issued += 1;
      const token = `token-${issued}`;
      validTokens.add(token);
      send(res, 200, {
        access_token: token,
        token_type: 'bearer',
        expires_in: options.expiresIn ?? 3600,
        scope: 'user:read:presence_status:admin user:read:user:admin',
        api_url: 'https://api.zoom.us',
      });
      return;
    }
    const match = /^\/v2\/users\/([^/]+)(\/presence_status)?$/.exec(record.path);
    if (record.method === 'GET' && match) {
      const token = (record.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!validTokens.has(token)) {
        send(res, 401, { code: 124, message: 'Invalid access token.' });
        return;
      }
      const key = decodeURIComponent(match[1]);
      const user = findUser(key);
      if (!user) {
        send(res, 404, { code: 1001, message: `User does not exist: ${key}.` });
        return;
      }
      send(res, 200, match[2] ? { status: user.status } : { id: user.id, email: user.email, type: 1 });
      return;
    }
    send(res, 404, { code: 404, message: `no route ${record.method} ${url.pathname}` });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    oauthBaseUrl: base,
    apiBaseUrl: `${base}/v2`,
    requests,
    users,
    script: (match, ...responses) => {
      scripts.push({ match, responses });
    },
    tokenRequests: () => requests.filter((r) => r.path === '/oauth/token'),
    apiRequests: () => requests.filter((r) => r.path.startsWith('/v2/')),
    revokeTokens: () => validTokens.clear(),
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A clock whose `sleep` advances it instantly and records every wait. */
export function fakeClock(start = 1_711_512_000_000): {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  sleeps: number[];
  advance: (ms: number) => void;
} {
  let offset = 0;
  const sleeps: number[] = [];
  return {
    now: () => start + offset,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      offset += ms;
    },
    sleeps,
    advance: (ms: number) => {
      offset += ms;
    },
  };
}
