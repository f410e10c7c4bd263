/**
 * SIGKILL of the real local process mid-burst, then a restart on the same BRIDGE_DATA_DIR
 * (docs/architecture.md, nothing lost: "every verified event is durably recorded before it is acknowledged …
 * after a restart the bridge finishes what was pending").
 *
 * Design: the Genesys sandbox runs in the test process and the bridge (`node bin/start.js`) is pointed
 * at it with GENESYS_CLIENT_ID/SECRET and GENESYS_API_BASE_URL/GENESYS_LOGIN_BASE_URL. Genesys then
 * outlives the bridge, as in production. (With the built-in sandbox the SIGKILL would also kill
 * "Genesys", whose state file is saved debounced: a write the bridge saw acknowledged could vanish
 * with it — an artifact of the stand-in, not something the contract speaks about.) The bridge's own
 * store is read from disk with the read-only snapshot reader the CLI uses.
 *
 * Checked:
 * 1. right after the kill, before any restart: for every user, the durable desired state is at least as
 *    new as the newest acknowledged event (nothing acknowledged was lost);
 * 2. after the restart, every user converges: store status applied, applied = desired, and the sandbox
 *    shows the desired state on the Zoom source;
 * 3. a user whose state was applied before the kill is not written again by the restart; replaying old
 *    acknowledged events after the restart changes nothing (latest state wins across runs);
 * 4. the restarted process exits cleanly on SIGTERM and releases the data directory;
 * 5. no primary-source violations.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mapPresence } from '../../src/presence';
import { startGenesysSandbox, type GenesysSandbox } from '../../src/sandbox';
import { signZoomRequest } from '../../src/sources/zoom/verify';
import { openEmbeddedStore, openEmbeddedStoreSnapshot } from '../../src/store/embedded';
import type { UserStateRecord } from '../../src/store/state-store';
import { waitFor, zoomPresenceBody } from '../helpers/local-bridge';
import { startBridgeProcess, stopBridgeProcess, type BridgeProcess } from './bridge-process';
import { customSourceId, heldPresence, primarySourceOffences, seededRandom, sleep } from './support';

const SECRET = 'kill-restart-zoom-secret';
const USERS = ['alice@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com', 'erin@example.com'];
/** A user whose state settled before the burst: the restart must not write it again. */
const SETTLED = 'frank@example.com';
const EVENTS_PER_USER = 80;
/** SIGKILL once this many deliveries were acknowledged (out of USERS × EVENTS_PER_USER). */
const KILL_AFTER_ACKS = 200;
/** Pause between one user's deliveries: the burst spans a few worker passes, so the kill finds keys applied, pending and in flight. */
const LANE_PAUSE_MS = 25;
const STATUSES = [
  'Available',
  'Away',
  'Do_Not_Disturb',
  'In_Meeting',
  'Presenting',
  'On_Phone_Call',
  'In_Calendar_Event',
  'Offline',
  'Busy',
  'Mobile_signed_in',
];
const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 100_000);

interface ZoomEvent {
  email: string;
  status: string;
  at: number;
}

const keyOf = (email: string) => ({ system: 'zoom' as const, externalUserId: `zoom-${email}` });
const versionOf = (event: ZoomEvent) => ({ order: event.at * 1000, tiebreak: event.at * 1000 + 123 });
const targetOf = (status: string) => mapPresence({ system: 'zoom', externalUserId: 'x', values: { presence_status: status }, order: 0 });

async function post(bridge: BridgeProcess, event: ZoomEvent): Promise<number> {
  const body = zoomPresenceBody(event);
  const response = await fetch(`${bridge.url}/webhooks/zoom`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signZoomRequest(SECRET, body, Math.floor(Date.now() / 1000)) },
    body,
    signal: AbortSignal.timeout(15_000),
  });
  await response.arrayBuffer();
  return response.status;
}

async function readStore(dataDir: string): Promise<Map<string, UserStateRecord>> {
  const store = await openEmbeddedStoreSnapshot(path.join(dataDir, 'state'));
  const records = await store.list({ system: 'zoom' });
  return new Map(records.map((r) => [r.key.externalUserId, r]));
}

describe('SIGKILL mid-burst and restart', () => {
  let sandbox: GenesysSandbox;
  let dataDir: string;
  const running: BridgeProcess[] = [];

  beforeAll(async () => {
    sandbox = await startGenesysSandbox({ seedDemoUsers: true, users: [{ email: SETTLED }], requestsPerMinutePerToken: 6000 });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-kill-'));
  });

  afterAll(async () => {
    for (const bridge of running) await stopBridgeProcess(bridge, 'SIGKILL');
    await sandbox?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no acknowledged event and converges after the restart', async () => {
    const env = {
      BRIDGE_DATA_DIR: dataDir,
      ZOOM_WEBHOOK_SECRET_TOKEN: SECRET,
      GENESYS_CLIENT_ID: sandbox.clientId,
      GENESYS_CLIENT_SECRET: sandbox.clientSecret,
      GENESYS_API_BASE_URL: sandbox.url,
      GENESYS_LOGIN_BASE_URL: sandbox.url,
      GENESYS_REQUESTS_PER_MINUTE: '6000',
      LOG_LEVEL: 'info',
    };
    const random = seededRandom(SEED);
    const base = Math.floor(Date.now() / 1000) - EVENTS_PER_USER;
    const plan = new Map(
      USERS.map((email) => [
        email,
        Array.from({ length: EVENTS_PER_USER }, (_, i) => ({ email, status: STATUSES[Math.floor(random() * STATUSES.length)], at: base + i })),
      ]),
    );

    // ── Run 1: a settled user first, then a burst, one sender per user, killed after KILL_AFTER_ACKS acknowledgements. ──
    const first = await startBridgeProcess(env);
    running.push(first);
    const sandboxUsers = new Map(sandbox.listUsers().map((u) => [u.email, u.id]));
    const settledEvents = ['Busy', 'Away', 'In_Meeting'].map((status, i) => ({ email: SETTLED, status, at: base + i }));
    for (const event of settledEvents) expect(await post(first, event)).toBe(200);
    await waitFor(
      () => heldPresence(sandbox, sandboxUsers.get(SETTLED)!, customSourceId(sandbox, 'Zoom') ?? '-')?.systemPresence === 'Meeting',
      30_000,
      'the settled user to be written',
    );
    const settledWrites = () => sandbox.presenceWrites.filter((w) => w.userId === sandboxUsers.get(SETTLED)).length;
    const settledWritesBefore = settledWrites();
    const acked = new Map<string, ZoomEvent[]>(USERS.map((email) => [email, []]));
    const attempted = new Map<string, ZoomEvent[]>(USERS.map((email) => [email, []]));
    let ackCount = 0;
    let killedAt = 0;
    let writesAtKill = 0;
    await Promise.all(
      USERS.map(async (email) => {
        for (const event of plan.get(email)!) {
          if (killedAt) return;
          attempted.get(email)!.push(event);
          let status: number;
          try {
            status = await post(first, event);
          } catch {
            return; // the process is gone: this delivery was never acknowledged
          }
          if (status < 200 || status >= 300) throw new Error(`delivery answered ${status}`);
          acked.get(email)!.push(event);
          ackCount += 1;
          if (ackCount === KILL_AFTER_ACKS) {
            killedAt = Date.now();
            writesAtKill = sandbox.presenceWrites.length;
            first.child.kill('SIGKILL');
          }
          await sleep(LANE_PAUSE_MS);
        }
      }),
    );
    expect(killedAt).toBeGreaterThan(0);
    expect((await first.exited).signal).toBe('SIGKILL');
    const inFlightAtKill = [...attempted.values()].reduce((n, list) => n + list.length, 0) - ackCount;

    // ── 1. Durability: what is on disk after the kill covers every acknowledged event. ──
    const atKill = await readStore(dataDir);
    for (const email of USERS) {
      const newestAcked = acked.get(email)!.at(-1);
      if (!newestAcked) continue;
      const record = atKill.get(keyOf(email).externalUserId);
      expect({ email, recorded: record?.desired.order !== undefined && record.desired.order >= versionOf(newestAcked).order }).toEqual({
        email,
        recorded: true,
      });
    }
    const unfinishedAtKill = [...atKill.values()].filter((r) => r.status === 'pending').length;
    const appliedAtKill = [...atKill.values()].filter((r) => r.status === 'applied').length;

    // ── Run 2: same data directory; it resumes what was pending. ──
    const second = await startBridgeProcess(env);
    running.push(second);

    // ── 2. Convergence: applied = desired for every user, and the sandbox shows it. ──
    const sourceName = 'Zoom';
    const convergedView = async () => {
      const sourceId = customSourceId(sandbox, sourceName);
      if (!sourceId) return undefined;
      const records = await readStore(dataDir);
      for (const email of USERS) {
        if (acked.get(email)!.length === 0) continue;
        const record = records.get(keyOf(email).externalUserId);
        if (!record || record.status !== 'applied' || record.applied?.order !== record.desired.order) return undefined;
        if (record.applied.tiebreak !== record.desired.tiebreak) return undefined;
        const held = heldPresence(sandbox, sandboxUsers.get(email)!, sourceId);
        if (held?.systemPresence !== record.desired.target || held.message !== record.desired.message) return undefined;
      }
      return records;
    };
    let converged: Map<string, UserStateRecord> | undefined;
    await waitFor(async () => (converged = await convergedView()) !== undefined, 45_000, 'convergence after the restart');

    // The settled user was applied before the kill: the restart does not write it again.
    expect(atKill.get(keyOf(SETTLED).externalUserId)?.status).toBe('applied');
    expect(settledWrites()).toBe(settledWritesBefore);

    // ── 3. Replays of old acknowledged events after the restart are acknowledged and change nothing. ──
    const writesBefore = sandbox.presenceWrites.length;
    for (const email of USERS) {
      const oldest = acked.get(email)![0];
      if (oldest) expect(await post(second, oldest)).toBe(200);
    }
    await sleep(800); // settle window (250 ms) + a worker pass, had anything been enqueued
    expect(sandbox.presenceWrites.length).toBe(writesBefore);
    expect(await convergedView()).toBeDefined();

    // ── 4. Clean shutdown releases the directory: the store opens with its lock. ──
    const stopped = await stopBridgeProcess(second, 'SIGTERM');
    expect(stopped).toEqual({ code: 0, signal: null });
    const store = await openEmbeddedStore(path.join(dataDir, 'state'));
    try {
      for (const email of USERS) {
        const acks = acked.get(email)!;
        if (acks.length === 0) continue;
        const record = (await store.get(keyOf(email)))!;
        // The final desired state is the newest acknowledged event, or a newer one that was recorded
        // but whose acknowledgement the kill swallowed — never anything older, never anything unsent.
        const candidates = attempted.get(email)!.filter((e) => versionOf(e).order >= versionOf(acks.at(-1)!).order);
        const match = candidates.find((e) => versionOf(e).order === record.desired.order && versionOf(e).tiebreak === record.desired.tiebreak);
        expect({ email, desiredIsNewestAckedOrLater: match !== undefined }).toEqual({ email, desiredIsNewestAckedOrLater: true });
        expect(record.desired.target).toBe(targetOf(match!.status).target);
        expect(record.status).toBe('applied');
        const held = heldPresence(sandbox, sandboxUsers.get(email)!, customSourceId(sandbox, sourceName)!);
        expect(held).toEqual({ systemPresence: targetOf(match!.status).target, message: targetOf(match!.status).message });
      }
    } finally {
      await store.close();
    }

    if (unfinishedAtKill > 0) {
      expect(second.output.some((line) => line.includes('resuming unfinished work from the previous run'))).toBe(true);
    }

    // ── 5. Guarantee 1 across both runs. ──
    expect(primarySourceOffences(sandbox.requests)).toEqual([]);
    expect(sandbox.violations).toEqual([]);

    console.log(
      JSON.stringify({
        seed: SEED,
        acknowledgedBeforeKill: ackCount,
        inFlightAtKill,
        pendingKeysAtKill: unfinishedAtKill,
        appliedKeysAtKill: appliedAtKill,
        writesBeforeKill: writesAtKill,
        settledUserWrites: settledWrites(),
        recordsAfter: converged?.size,
        presenceWrites: sandbox.presenceWrites.length,
      }),
    );
  }, 150_000);
});
