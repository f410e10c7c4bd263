/**
 * Shared helpers of the reliability tests: a seeded PRNG (failures reproduce from the printed seed),
 * request-log analysis for the Genesys budget (docs/architecture.md: the budget holds) and the primary-source
 * rule (the primary source is never written), and reading what the sandbox holds without spending the
 * bridge's budget.
 */
import net from 'node:net';
import type { GenesysSandbox, SandboxRequestRecord } from '../../src/sandbox';
import { maxInWindow as maxInClosedWindow } from '../helpers/windows';

/** mulberry32: tiny, seedable, good enough to shuffle test inputs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `task` over `items` with at most `limit` in flight. */
export async function forEachLimit<T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index], index);
    }
  });
  await Promise.all(lanes);
}

/** Busiest window of `windowMs`, both ends inclusive. `times` must be sorted ascending. */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  return maxInClosedWindow(times, windowMs, { closed: true });
}

export interface PacingReport {
  /** Worst (requests in a span) − (requests the pacing allows in that span + tolerance). ≤ 0 means paced. */
  readonly worstExcess: number;
  readonly worstSpan?: { from: number; to: number; count: number; allowed: number };
  readonly minGapMs: number;
}

/**
 * Checks the local budget's pacing (src/genesys/local-budget.ts): consecutive slots are at least
 * `spacingMs` apart, so any span of d ms can hold at most floor((d + tolerance) / spacing) + 1 arrivals.
 * The tolerance absorbs event-loop stalls and network jitter between the slot and the arrival (the
 * sandbox stamps a request when it arrives). Checked over every pair, i.e. every window length.
 */
export function checkPacing(times: readonly number[], spacingMs: number, toleranceMs: number): PacingReport {
  let worstExcess = Number.NEGATIVE_INFINITY;
  let worstSpan: PacingReport['worstSpan'];
  let minGapMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < times.length; i += 1) {
    if (i > 0) minGapMs = Math.min(minGapMs, times[i] - times[i - 1]);
    for (let j = i + 1; j < times.length; j += 1) {
      const count = j - i + 1;
      const allowed = Math.floor((times[j] - times[i] + toleranceMs) / spacingMs) + 1;
      if (count - allowed > worstExcess) {
        worstExcess = count - allowed;
        worstSpan = { from: times[i], to: times[j], count, allowed };
      }
    }
  }
  return { worstExcess: times.length < 2 ? 0 : worstExcess, worstSpan, minGapMs };
}

const PRESENCE_PATCH = /^\/api\/v2\/users\/([^/]+)\/presences\/([^/]+)$/;

/** The user and source of a presence PATCH, or undefined for any other request. */
export function presencePatchOf(record: SandboxRequestRecord): { userId: string; sourceId: string } | undefined {
  if (record.method !== 'PATCH') return undefined;
  const match = PRESENCE_PATCH.exec(record.path);
  return match ? { userId: decodeURIComponent(match[1]), sourceId: decodeURIComponent(match[2]) } : undefined;
}

function hasPrimaryKey(value: unknown, depth = 0): boolean {
  if (depth > 20 || typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some((item) => hasPrimaryKey(item, depth + 1));
  return Object.entries(value).some(([key, inner]) => key.toLowerCase() === 'primary' || hasPrimaryKey(inner, depth + 1));
}

/**
 * Every request that could touch a primary source, whatever its answer. (The sandbox's `violations` only sees
 * requests that got past injected faults, auth and rate limiting; this looks at every request sent.)
 */
export function primarySourceOffences(requests: readonly SandboxRequestRecord[]): SandboxRequestRecord[] {
  return requests.filter(
    (r) => hasPrimaryKey(r.body) || (r.method === 'PUT' && /\/primarysource$/i.test(r.path)) || (r.method !== 'GET' && /\/presences\/purecloud$/i.test(r.path)),
  );
}

/** The systemPresence and message the sandbox holds for one user on one source. */
export function heldPresence(sandbox: GenesysSandbox, userId: string, sourceId: string): { systemPresence?: string; message: string } | undefined {
  const presence = sandbox.getPresence(userId, sourceId);
  if (!presence) return undefined;
  const definition = sandbox.definitions().find((d) => d.id === presence.definitionId);
  return { systemPresence: definition?.systemPresence, message: presence.message };
}

/** The id of the bridge's custom source named `name` (undefined until the bridge created it). */
export function customSourceId(sandbox: GenesysSandbox, name: string): string | undefined {
  return sandbox.listSources().find((s) => s.name === name && s.type === 'User' && !s.deactivated)?.id;
}

/** A port that was free a moment ago (a child process cannot report port 0 back to us). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
