/**
 * Starts the whole local bridge (express + embedded store + in-process worker + Genesys sandbox) in a
 * fresh temporary data directory, on port 0, with a Zoom secret, for end-to-end tests over HTTP.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/logger';
import { startLocalBridge, type LocalBridge, type StartOptions } from '../../src/server';
import { signZoomRequest } from '../../src/sources/zoom/verify';

export const ZOOM_SECRET = 'test-zoom-secret-token';

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-e2e-'));
}

export async function startTestBridge(env: Record<string, string> = {}, options: Omit<StartOptions, 'config'> = {}): Promise<LocalBridge> {
  const config = loadConfig({
    PORT: '0',
    BRIDGE_DATA_DIR: env.BRIDGE_DATA_DIR ?? tempDataDir(),
    ZOOM_WEBHOOK_SECRET_TOKEN: ZOOM_SECRET,
    GENESYS_REQUESTS_PER_MINUTE: '6000',
    ...env,
  });
  return startLocalBridge({
    config,
    logger: silentLogger,
    settleMs: 50,
    workerRetryMs: 100,
    genesysRetry: { maxAttempts: 2, backoff: { baseMs: 10, capMs: 50 } },
    // Tests bring their own RingCentral stand-in; the sandbox's own tests opt in.
    ringcentralSandbox: false,
    // Tests of one source keep Teams off unless they ask for the Microsoft sandbox.
    microsoftSandbox: false,
    ...options,
    sandboxOptions: { seedDemoUsers: true, ...options.sandboxOptions },
  });
}

export interface ZoomEventInput {
  email: string;
  status: string;
  userId?: string;
  /** Seconds since epoch of the status change (date_time). */
  at: number;
  eventTs?: number;
}

export function zoomPresenceBody(input: ZoomEventInput): Buffer {
  const dateTime = new Date(input.at * 1000).toISOString().replace('.000Z', 'Z');
  return Buffer.from(
    JSON.stringify({
      event: 'user.presence_status_updated',
      event_ts: input.eventTs ?? input.at * 1000 + 123,
      payload: {
        account_id: 'AAAAAABBBB',
        object: { date_time: dateTime, email: input.email, id: input.userId ?? `zoom-${input.email}`, presence_status: input.status },
      },
    }),
  );
}

/** POSTs a body to the bridge's Zoom route, signed with the test secret unless `headers` say otherwise. */
export async function postZoom(bridge: LocalBridge, body: Buffer, headers?: Record<string, string>): Promise<{ status: number; body: string }> {
  const signed = headers ?? signZoomRequest(ZOOM_SECRET, body, Math.floor(Date.now() / 1000));
  const response = await fetch(`${bridge.url}/webhooks/zoom`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...signed },
    body,
  });
  return { status: response.status, body: await response.text() };
}

/** Polls `check` until it returns true (or throws after `timeoutMs`). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The systemPresence the sandbox holds for a user on the bridge's Zoom source. */
export async function sandboxPresence(bridge: LocalBridge, email: string, system: 'zoom' | 'teams' | 'ringcentral' = 'zoom') {
  const sandbox = bridge.sandbox!;
  const user = sandbox.listUsers().find((u) => u.email === email.toLowerCase());
  if (!user) throw new Error(`no sandbox user ${email}`);
  const sources = await bridge.parts.genesys.sources.getSources(bridge.parts.config.genesys.sourceNames);
  const presence = sandbox.getPresence(user.id, sources[system].id);
  if (!presence) return undefined;
  const definition = sandbox.definitions().find((d) => d.id === presence.definitionId);
  return { systemPresence: definition?.systemPresence, message: presence.message, userId: user.id, sourceId: sources[system].id };
}

export function writesFor(bridge: LocalBridge, userId: string): number {
  return bridge.sandbox!.presenceWrites.filter((w) => w.userId === userId).length;
}
