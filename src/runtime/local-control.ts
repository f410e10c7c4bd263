/**
 * The local bridge's control routes, for the operator CLI on the same machine: `npm start` owns the
 * embedded store, so work that writes it (a Teams sign-in) runs inside the bridge process.
 *
 * `POST /local/teams/login` `{"account":"demo","timeoutSeconds":900}` runs the device-code sign-in
 * here, streams the prompt and the outcome as JSON lines (`application/x-ndjson`), and then runs
 * Teams maintenance at once so the account's subscription is made without waiting for the timer.
 *
 * Security: answered only for loopback peers AND with the random bearer token the bridge wrote into
 * the 0600 runtime file (src/runtime/local-runtime.ts): 403 from elsewhere, 401 without the token,
 * 400 for bad input — checked before anything runs.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { describeError } from '../errors';
import type { Logger } from '../logger';
import { validateAccountName, type DeviceCodePrompt } from '../sources/teams/service-accounts';
import type { TeamsMaintenanceReport } from '../sources/teams/maintainer';

export const LOCAL_TEAMS_LOGIN_PATH = '/local/teams/login';

/** What the sign-in's maintenance did for one service account. */
export interface MaintenanceAccountLine {
  readonly account: string;
  readonly users: number;
  readonly action?: string;
  readonly error?: string;
}

/** One JSON line of the login stream. */
export type LocalLoginEvent =
  | { readonly event: 'prompt'; readonly message: string }
  | { readonly event: 'signed-in'; readonly account: string; readonly username: string }
  | { readonly event: 'maintenance'; readonly accounts: readonly MaintenanceAccountLine[]; readonly errors: readonly string[] }
  | { readonly event: 'error'; readonly message: string };

export interface LocalControlDeps {
  /** The bearer token the CLI must send (from the runtime file). */
  readonly token: string;
  readonly teamsLogin: (
    account: string,
    onPrompt: (prompt: DeviceCodePrompt) => void,
    options: { timeoutSeconds: number },
  ) => Promise<{ readonly name: string; readonly username: string }>;
  readonly runTeamsMaintenance: () => Promise<TeamsMaintenanceReport>;
  /** Hears every finished Teams maintenance run (the timer's too); returns the unsubscribe function. */
  readonly onTeamsMaintenanceFinished: (listener: (report: TeamsMaintenanceReport) => void) => () => void;
  readonly logger: Logger;
}

/** A fresh random control token (256 bits). */
export function createControlToken(): string {
  return randomBytes(32).toString('base64url');
}

const loginBody = z.object({
  account: z.string().min(1).max(63),
  timeoutSeconds: z.number().int().min(1).max(3600).optional(),
});

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

function hasToken(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function refuse(req: Request, res: Response, token: string): boolean {
  if (!isLoopback(req.socket.remoteAddress)) {
    res.status(403).json({ error: 'control routes answer only requests from this machine' });
    return true;
  }
  if (!hasToken(req.headers.authorization, token)) {
    res
      .status(401)
      .set('www-authenticate', 'Bearer')
      .json({ error: 'missing or wrong control token: use the presence-bridge CLI with the same BRIDGE_DATA_DIR as npm start' });
    return true;
  }
  return false;
}

/**
 * Each account as the sign-in's own run left it, with the action of the first run since the sign-in
 * began that changed it: when the timer's run made the subscription, ours finds it "unchanged", and
 * "created" is what the operator should read.
 */
export function accountsSinceSignIn(overlapping: readonly TeamsMaintenanceReport[], own: TeamsMaintenanceReport): MaintenanceAccountLine[] {
  return own.accounts.map((a) => {
    const changed = overlapping
      .flatMap((report) => report.accounts)
      .find((earlier) => earlier.account === a.account && !earlier.error && earlier.action !== undefined && earlier.action !== 'unchanged');
    const action = !a.error && (a.action === undefined || a.action === 'unchanged') && changed ? changed.action : a.action;
    return { account: a.account, users: a.users, action, error: a.error };
  });
}

/** The control routes as an express router (mounted by the express adapter). */
export function createLocalControlRouter(deps: LocalControlDeps): express.Router {
  const router = express.Router();
  // Who may ask is checked before the body is even read.
  const guard = (req: Request, res: Response, next: () => void): void => {
    if (!refuse(req, res, deps.token)) next();
  };
  router.post(LOCAL_TEAMS_LOGIN_PATH, guard, express.json({ limit: '4kb', type: () => true }), async (req: Request, res: Response) => {
    const parsed = loginBody.safeParse(req.body);
    if (!parsed.success) {
      res
        .status(400)
        .json({ error: `invalid login request: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ')}` });
      return;
    }
    let account: string;
    try {
      account = validateAccountName(parsed.data.account);
    } catch (error) {
      res.status(400).json({ error: (error as Error).message });
      return;
    }
    res.status(200).set('content-type', 'application/x-ndjson').set('cache-control', 'no-store');
    res.flushHeaders();
    const write = (event: LocalLoginEvent): void => void res.write(JSON.stringify(event) + '\n');
    // A run of the timer may overlap the sign-in and make the subscription first: report what it did.
    const overlapping: TeamsMaintenanceReport[] = [];
    const stopListening = deps.onTeamsMaintenanceFinished((report) => overlapping.push(report));
    try {
      const record = await deps.teamsLogin(account, (prompt) => write({ event: 'prompt', message: prompt.message }), {
        timeoutSeconds: parsed.data.timeoutSeconds ?? 900,
      });
      write({ event: 'signed-in', account: record.name, username: record.username });
      deps.logger.info('Teams service account signed in through the local control route', { account: record.name, username: record.username });
      const report = await deps.runTeamsMaintenance();
      write({ event: 'maintenance', accounts: accountsSinceSignIn(overlapping, report), errors: [...report.errors] });
    } catch (error) {
      deps.logger.warn('Teams sign-in through the local control route failed', { account, error: describeError(error) });
      write({ event: 'error', message: (error as Error).message });
    } finally {
      stopListening();
    }
    res.end();
  });
  // JSON parse failures of this router: a clear 400, not express's HTML page.
  router.use((error: unknown, req: Request, res: Response, next: (error?: unknown) => void) => {
    if (!req.path.startsWith('/local/') || res.headersSent) return next(error);
    res.status(400).json({ error: 'body must be JSON: {"account":"demo"}' });
  });
  return router;
}
