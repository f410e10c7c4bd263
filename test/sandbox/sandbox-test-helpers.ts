/**
 * Small HTTP helpers for the sandbox tests: every test talks to the sandbox over real HTTP.
 */
import type { GenesysSandbox } from '../../src/sandbox';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON payloads
  body: any;
}

/** Sends a request and reads the JSON answer (undefined when there is none). */
export async function http(url: string, init: RequestInit = {}): Promise<HttpAnswer> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** Basic auth header of a client id and secret. */
export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

/** Asks the sandbox for a client-credentials token. */
export async function tokenFor(sandbox: GenesysSandbox): Promise<string> {
  const answer = await http(`${sandbox.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic(sandbox.clientId, sandbox.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  if (answer.status !== 200) throw new Error(`token request failed: ${answer.status}`);
  return answer.body.access_token as string;
}

/** A bound API caller: `api('GET', '/api/v2/...')`. */
export type Api = (method: string, path: string, body?: unknown) => Promise<HttpAnswer>;

/** Creates an API caller that sends `token` as bearer. */
export function apiWith(sandbox: GenesysSandbox, token: string): Api {
  return (method, path, body) =>
    http(`${sandbox.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
}

/** Logs in and returns an API caller. */
export async function loginTo(sandbox: GenesysSandbox): Promise<Api> {
  return apiWith(sandbox, await tokenFor(sandbox));
}

/** A clock tests move by hand. */
export function manualClock(start = Date.UTC(2026, 0, 1)): { now: () => number; advance: (ms: number) => void } {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
  };
}

/** Id of the System definition of a system presence. */
export function systemDefinitionId(sandbox: GenesysSandbox, systemPresence: string): string {
  const found = sandbox.definitions().find((d) => d.type === 'System' && d.systemPresence === systemPresence);
  if (!found) throw new Error(`no ${systemPresence} definition`);
  return found.id;
}
