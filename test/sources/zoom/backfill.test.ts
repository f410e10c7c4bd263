import type { PresenceEvent } from '../../../src/presence';
import { runZoomBackfill } from '../../../src/sources/zoom/backfill';
import { createZoomClient, type ZoomClientOptions } from '../../../src/sources/zoom/client';
import { normalizeZoomPresenceEvent } from '../../../src/sources/zoom/normalize';
import { ZoomPresenceEventSchema } from '../../../src/sources/zoom/schema';
import { isNewer } from '../../../src/store/state-store';
import { fakeClock, STAND_IN_ACCOUNT, STAND_IN_CLIENT_ID, STAND_IN_CLIENT_SECRET, startZoomRestStandIn, type ZoomRestStandIn } from './zoom-rest-stand-in';

let standIn: ZoomRestStandIn;

beforeEach(async () => {
  standIn = await startZoomRestStandIn({
    users: [
      { id: 'abcD3ojfdbjfg', email: 'jchill@example.com', status: 'In_A_Zoom_Meeting' },
      { id: 'zzZ9', email: 'ada@example.com', status: 'Do_No_Disturb' },
      { id: 'qq1', email: 'grace@example.com', status: 'Out_of_Office' },
    ],
  });
});

afterEach(async () => {
  await standIn.close();
});

function zoomClient(clock = fakeClock(), overrides: Partial<ZoomClientOptions> = {}) {
  return createZoomClient({
    accountId: STAND_IN_ACCOUNT,
    clientId: STAND_IN_CLIENT_ID,
    clientSecret: STAND_IN_CLIENT_SECRET,
    apiBaseUrl: standIn.apiBaseUrl,
    oauthBaseUrl: standIn.oauthBaseUrl,
    now: clock.now,
    sleep: clock.sleep,
    ...overrides,
  });
}

function sortById(events: PresenceEvent[]): PresenceEvent[] {
  return [...events].sort((a, b) => a.externalUserId.localeCompare(b.externalUserId));
}

describe('runZoomBackfill', () => {
  it('records every user in webhook vocabulary, stamped with the read time, and collects failures', async () => {
    const clock = fakeClock();
    const recorded: PresenceEvent[] = [];
    const progress: Array<[number, number, number]> = [];
    const summary = await runZoomBackfill({
      client: zoomClient(clock),
      users: [
        { externalUserId: 'abcD3ojfdbjfg', email: 'JChill@example.com' },
        { externalUserId: '', email: 'ada@example.com' },
        { externalUserId: 'gone', email: 'gone@example.com' },
        { externalUserId: 'qq1', email: 'grace@example.com' },
      ],
      record: async (event) => {
        recorded.push(event);
      },
      onProgress: (done, total, failures) => progress.push([done, total, failures]),
      now: clock.now,
    });

    expect(summary).toMatchObject({ total: 4, recorded: 3, failed: 1 });
    expect(summary.stoppedEarly).toBeUndefined();
    expect(summary.failures).toEqual([expect.objectContaining({ externalUserId: 'gone', email: 'gone@example.com', status: 404, code: 1001 })]);
    expect(sortById(recorded).map((e) => [e.externalUserId, e.email, e.values.presence_status])).toEqual([
      // Ids exactly as Zoom spells them (case-sensitive); emails lower-cased.
      ['abcD3ojfdbjfg', 'jchill@example.com', 'In_Meeting'],
      ['qq1', 'grace@example.com', 'Out_of_Office'],
      ['zzZ9', 'ada@example.com', 'Do_Not_Disturb'],
    ]);
    for (const event of recorded) {
      expect(event.system).toBe('zoom');
      expect(event.order).toBe(Math.floor((event.tiebreak as number) / 1000) * 1000);
    }
    expect(progress.map(([done]) => done)).toEqual([1, 2, 3, 4]);
    expect(progress.at(-1)).toEqual([4, 4, 1]);
  });

  it('resolves an email-only user to its Zoom id, so backfill and webhooks share one state key', async () => {
    const recorded: PresenceEvent[] = [];
    await runZoomBackfill({
      client: zoomClient(),
      users: [{ externalUserId: '', email: 'ada@example.com' }],
      record: async (event) => {
        recorded.push(event);
      },
    });
    const webhook = normalizeZoomPresenceEvent(
      ZoomPresenceEventSchema.parse({
        event: 'user.presence_status_updated',
        event_ts: 1,
        payload: { object: { id: 'zzZ9', date_time: '2024-01-01T00:00:00Z', presence_status: 'Away' } },
      }),
    );
    expect(recorded[0].externalUserId).toBe(webhook.externalUserId);
    expect(standIn.apiRequests().map((r) => r.path)).toEqual(['/v2/users/ada@example.com', '/v2/users/zzZ9/presence_status']);
  });

  it('reads a stored id Zoom answers 404 / 1001 for (e.g. one stored lower-cased) by email, under the same key', async () => {
    const recorded: PresenceEvent[] = [];
    const summary = await runZoomBackfill({
      client: zoomClient(),
      users: [{ externalUserId: 'abcd3ojfdbjfg', email: 'jchill@example.com' }],
      record: async (event) => {
        recorded.push(event);
      },
    });
    expect(summary).toMatchObject({ recorded: 1, failed: 0 });
    // The key stays the one the webhooks used; no second key is invented for the same user.
    expect(recorded.map((e) => [e.externalUserId, e.values.presence_status])).toEqual([['abcd3ojfdbjfg', 'In_Meeting']]);
    expect(standIn.apiRequests().map((r) => r.path)).toEqual(['/v2/users/abcd3ojfdbjfg/presence_status', '/v2/users/jchill@example.com/presence_status']);
  });

  it('keeps the 404 / 1001 when there is no email to re-resolve by, or the email is unknown too', async () => {
    const summary = await runZoomBackfill({
      client: zoomClient(),
      users: [
        { externalUserId: 'abcd3ojfdbjfg', email: '' },
        { externalUserId: 'gone', email: 'gone@example.com' },
      ],
      record: async () => undefined,
      concurrency: 1,
    });
    expect(summary.failures).toEqual([
      expect.objectContaining({ externalUserId: 'abcd3ojfdbjfg', status: 404, code: 1001, reason: expect.stringContaining('abcd3ojfdbjfg') }),
      expect.objectContaining({ externalUserId: 'gone', status: 404, code: 1001, reason: expect.stringContaining('getPresenceStatus(gone)') }),
    ]);
  });

  it('stamps the read with its start time: a webhook for a later change wins, an earlier one loses', async () => {
    const clock = fakeClock(Date.parse('2024-03-27T04:00:00.400Z'));
    const recorded: PresenceEvent[] = [];
    await runZoomBackfill({
      client: zoomClient(clock),
      users: [{ externalUserId: 'zzZ9', email: 'ada@example.com' }],
      record: async (event) => {
        recorded.push(event);
      },
      now: clock.now,
    });
    const [read] = recorded;
    const webhookAt = (eventTs: number) =>
      normalizeZoomPresenceEvent(
        ZoomPresenceEventSchema.parse({
          event: 'user.presence_status_updated',
          event_ts: eventTs,
          payload: { object: { id: 'zzZ9', date_time: new Date(Math.floor(eventTs / 1000) * 1000).toISOString(), presence_status: 'Available' } },
        }),
      );
    const version = (e: PresenceEvent) => ({ order: e.order, tiebreak: e.tiebreak ?? 0 });
    const readAt = read.tiebreak as number;
    // Same second, after the read started (date_time alone could not tell): the webhook wins.
    expect(isNewer(version(webhookAt(readAt + 300)), version(read))).toBe(true);
    // A change from before the read: the read already reflects it, so the read stays.
    expect(isNewer(version(webhookAt(readAt - 300)), version(read))).toBe(false);
    expect(isNewer(version(webhookAt(readAt - 5000)), version(read))).toBe(false);
  });

  it('rides out a 429 with Retry-After (real clock)', async () => {
    standIn.script(/presence_status$/, { status: 429, headers: { 'retry-after': '1' }, body: { code: 429, message: 'per-second rate limit' } });
    const recorded: PresenceEvent[] = [];
    const started = Date.now();
    const summary = await runZoomBackfill({
      client: zoomClient(undefined, { now: Date.now, sleep: undefined }),
      users: [{ externalUserId: 'zzZ9', email: 'ada@example.com' }],
      record: async (event) => {
        recorded.push(event);
      },
    });
    expect(summary).toMatchObject({ recorded: 1, failed: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(standIn.apiRequests()).toHaveLength(2);
  });

  it('stops early when every read would fail the same way (bad credentials)', async () => {
    const summary = await runZoomBackfill({
      client: zoomClient(undefined, { clientSecret: 'wrong', maxAttempts: 1 }),
      users: Array.from({ length: 20 }, (_, i) => ({ externalUserId: `u${i}`, email: `u${i}@example.com` })),
      record: async () => undefined,
      concurrency: 3,
    });
    expect(summary).toMatchObject({ total: 20, recorded: 0, failed: 20 });
    expect(summary.stoppedEarly).toMatch(/ZOOM_CLIENT_ID/);
    expect(standIn.tokenRequests().length).toBeLessThanOrEqual(3);
    expect(standIn.apiRequests()).toHaveLength(0);
  });

  it('collects a failure to record without stopping', async () => {
    const summary = await runZoomBackfill({
      client: zoomClient(),
      users: [
        { externalUserId: 'zzZ9', email: 'ada@example.com' },
        { externalUserId: 'qq1', email: 'grace@example.com' },
      ],
      record: async (event) => {
        if (event.externalUserId === 'zzZ9') throw new Error('disk full');
      },
      concurrency: 1,
    });
    expect(summary).toMatchObject({ recorded: 1, failed: 1 });
    expect(summary.failures[0].reason).toMatch(/disk full/);
  });

  it('keeps at most `concurrency` reads in flight', async () => {
    await standIn.close();
    standIn = await startZoomRestStandIn({
      latencyMs: 20,
      users: Array.from({ length: 12 }, (_, i) => ({ id: `u${i}`, email: `u${i}@example.com`, status: 'Available' })),
    });
    const summary = await runZoomBackfill({
      client: zoomClient(undefined, { now: Date.now, sleep: undefined, requestsPerSecond: 1000 }),
      users: Array.from({ length: 12 }, (_, i) => ({ externalUserId: `u${i}`, email: `u${i}@example.com` })),
      record: async () => undefined,
      concurrency: 2,
    });
    expect(summary.recorded).toBe(12);
    expect(standIn.maxInFlight()).toBeLessThanOrEqual(2);
  });

  it('handles an empty user list', async () => {
    const summary = await runZoomBackfill({ client: zoomClient(), users: [], record: async () => undefined });
    expect(summary).toMatchObject({ total: 0, recorded: 0, failed: 0, failures: [] });
  });
});
