/**
 * `GET /status` on the local bridge over real HTTP: after Zoom events went through the whole pipeline
 * (webhook → store → worker → Genesys sandbox) and events of the other systems were recorded, the JSON
 * and the HTML show the systems, the users, their status and lag; filters and paging narrow the table;
 * values from outside are escaped; the answers carry the security headers.
 */
import type { LocalBridge } from '../../src/server';
import { buildEventRecorder } from '../../src/runtime/bridge';
import type { PresenceEvent } from '../../src/presence';
import type { StatusReport } from '../../src/status/status-report';
import { postZoom, startTestBridge, waitFor, zoomPresenceBody } from '../helpers/local-bridge';

async function getJson(bridge: LocalBridge, query = ''): Promise<StatusReport> {
  const response = await fetch(`${bridge.url}/status.json${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as StatusReport;
}

describe('status page (local bridge)', () => {
  let bridge: LocalBridge;
  const at = Math.floor(Date.now() / 1000) - 2;

  beforeAll(async () => {
    bridge = await startTestBridge();
    for (const [email, status] of [
      ['bob@example.com', 'On_Phone_Call'],
      ['alice@example.com', 'Available'],
    ]) {
      expect((await postZoom(bridge, zoomPresenceBody({ email, status, at }))).status).toBe(200);
    }
    const record = buildEventRecorder(bridge.parts);
    const now = Date.now();
    const events: PresenceEvent[] = [
      { system: 'teams', externalUserId: 'entra-carol', email: 'carol@example.com', values: { availability: 'Busy', activity: 'InACall' }, order: now - 1000 },
      { system: 'ringcentral', externalUserId: '1001', email: 'dave@example.com', values: { presenceStatus: 'Available' }, order: now - 1000 },
      // Not a Genesys user, and an email that must never reach the page unescaped.
      { system: 'zoom', externalUserId: 'z-evil', email: '<script>alert(1)</script>@x.example', values: { presence_status: 'Away' }, order: now - 1000 },
    ];
    await record(events);
    await waitFor(
      async () => {
        const report = await getJson(bridge);
        return report.users.rows.every((row) => row.status === 'applied' || row.status === 'unmatched');
      },
      15_000,
      'every user to be applied or unmatched',
    );
  }, 30_000);

  afterAll(async () => {
    await bridge?.stop();
  });

  it('serves JSON with the systems, counts and user rows (status, lag)', async () => {
    const report = await getJson(bridge);
    expect(report.users.total).toBe(5);
    const zoom = report.systems.find((s) => s.system === 'zoom')!;
    expect(zoom.source.name).toBe('Zoom');
    expect(zoom.source.id).toEqual(expect.any(String));
    expect(zoom.counts).toMatchObject({ applied: 2, unmatched: 1 });
    expect(zoom.feed).toMatchObject({ kind: 'webhook', state: 'ok' });
    expect(Date.parse(zoom.lastEventAt!)).toBeGreaterThan(Date.now() - 60_000);
    expect(report.systems.find((s) => s.system === 'ringcentral')!.feed.state).toBe('off');

    const bob = report.users.rows.find((row) => row.email === 'bob@example.com')!;
    expect(bob).toMatchObject({ system: 'zoom', status: 'applied', desired: { target: 'Busy', message: 'On a phone call' } });
    expect(bob.applied).toMatchObject({ target: 'Busy', message: 'On a phone call' });
    // The event was stamped ~2 s before it was sent: the lag is at least that, and not absurd.
    expect(bob.lagMs).toBeGreaterThanOrEqual(1000);
    expect(bob.lagMs).toBeLessThan(60_000);
    expect(bob.primarySource).toBeUndefined();
    expect(report.primarySources).toEqual({ requested: false, read: 0 });
  });

  it('shows the counters since start: events in by system, Genesys writes, unmatched users, lag', async () => {
    const { counters } = await getJson(bridge);
    expect(counters).toBeDefined();
    const value = (name: string, system?: string) => counters!.counters.find((c) => c.name === name && c.system === system)?.value;
    expect(value('EventsAccepted', 'zoom')).toBe(3);
    expect(value('EventsAccepted', 'teams')).toBe(1);
    expect(value('EventsAccepted', 'ringcentral')).toBe(1);
    expect(value('GenesysWrites', 'zoom')).toBe(2);
    expect(value('UnmatchedUsers', 'zoom')).toBe(1);
    const lag = counters!.timings.find((t) => t.name === 'PresenceLag' && t.system === 'zoom')!;
    expect(lag.count).toBe(2);
    expect(lag.p99).toBeGreaterThanOrEqual(1000);
    expect(lag.p99).toBeLessThan(60_000);

    const html = await (await fetch(`${bridge.url}/status`)).text();
    expect(html).toMatch(/<details class="card counters" id="counters" open><summary>Counters since start/);
    expect(html).toMatch(/<tr><td>GenesysWrites<\/td><td>zoom<\/td><td>2<\/td><\/tr>/);
  });

  it('answers JSON to Accept: application/json on /status, HTML otherwise, with the security headers', async () => {
    const json = await fetch(`${bridge.url}/status`, { headers: { accept: 'application/json' } });
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await json.json()) as StatusReport).users.total).toBe(5);

    const html = await fetch(`${bridge.url}/status`, { headers: { accept: 'text/html' } });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.headers.get('cache-control')).toBe('private, no-store');
    expect(html.headers.get('x-content-type-options')).toBe('nosniff');
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html.headers.get('content-security-policy')).toContain("style-src 'unsafe-inline'");
    const text = await html.text();
    expect(text).toMatch(
      /<tr data-system="zoom" data-status="applied"><td>Zoom<\/td><td class="mono">zoom-bob@example.com<\/td><td>bob@example.com<\/td><td>Busy/,
    );
    expect(text).toContain('Microsoft Teams');
    expect(text).not.toMatch(/<script/i);
  });

  it('escapes values from outside in the HTML', async () => {
    const text = await (await fetch(`${bridge.url}/status?q=script`)).text();
    expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;@x.example');
    expect(text).not.toContain('<script>');
    // The filter value is echoed escaped too.
    const echoed = await (await fetch(`${bridge.url}/status?q=${encodeURIComponent('"><b>x')}`)).text();
    expect(echoed).toContain('value="&quot;&gt;&lt;b&gt;x"');
    expect(echoed).not.toContain('"><b>x');
  });

  it('filters by status, system and email text', async () => {
    const unmatched = await getJson(bridge, '?status=unmatched');
    expect(unmatched.users.rows.map((row) => row.externalUserId)).toEqual(['z-evil']);
    expect(unmatched.users.rows[0].detail).toMatch(/no Genesys user has the email/);
    expect(unmatched.users.matching).toBe(1);
    expect(unmatched.users.total).toBe(5);

    const teams = await getJson(bridge, '?system=teams');
    expect(teams.users.rows.map((row) => row.email)).toEqual(['carol@example.com']);

    const text = await getJson(bridge, '?q=ALICE');
    expect(text.users.rows.map((row) => row.email)).toEqual(['alice@example.com']);

    const none = await getJson(bridge, '?status=failed&system=zoom');
    expect(none.users.rows).toEqual([]);
    const html = await (await fetch(`${bridge.url}/status?status=failed`)).text();
    expect(html).toContain('No users match these filters.');
  });

  it('pages the table (limit, offset) and refuses bad values with a 400 that says what is allowed', async () => {
    const first = await getJson(bridge, '?limit=2');
    expect(first.users.rows).toHaveLength(2);
    expect(first.users).toMatchObject({ matching: 5, offset: 0, limit: 2 });
    const rest = await getJson(bridge, '?limit=2&offset=4');
    expect(rest.users.rows).toHaveLength(1);
    const all = [...first.users.rows, ...(await getJson(bridge, '?limit=2&offset=2')).users.rows, ...rest.users.rows];
    expect(new Set(all.map((row) => `${row.system}:${row.externalUserId}`)).size).toBe(5);
    const html = await (await fetch(`${bridge.url}/status?limit=2&offset=2`)).text();
    expect(html).toContain('Users 3–4 of 5 matching');
    expect(html).toContain('href="?limit=2"');
    expect(html).toContain('href="?limit=2&amp;offset=4"');

    for (const [query, message] of [
      ['?limit=1001', /limit must be a whole number from 1 to 1000/],
      ['?limit=abc', /limit must be/],
      ['?status=gone', /status must be one of pending, applied/],
      ['?system=skype', /system must be one of teams, zoom, ringcentral/],
      ['?offset=-1', /offset must be/],
    ] as const) {
      const response = await fetch(`${bridge.url}/status${query}`);
      expect(response.status).toBe(400);
      expect(response.headers.get('cache-control')).toBe('private, no-store');
      expect(((await response.json()) as { error: string }).error).toMatch(message);
    }
  });

  it('reads the primary source only when asked (?primary=1)', async () => {
    const primaryReads = () => bridge.sandbox!.requests.filter((r) => r.path.endsWith('/primarysource')).length;
    expect(primaryReads()).toBe(0);
    const report = await getJson(bridge, '?primary=1&system=zoom');
    const bob = report.users.rows.find((row) => row.email === 'bob@example.com')!;
    expect(bob.primarySource).toBe('PURECLOUD');
    expect(report.users.rows.find((row) => row.externalUserId === 'z-evil')!.primarySource).toBeUndefined();
    expect(report.primarySources).toMatchObject({ requested: true, read: 2 });
    expect(primaryReads()).toBe(2);
    const html = await (await fetch(`${bridge.url}/status?primary=1`)).text();
    expect(html).toContain('<th>primary source</th>');
    expect(html).toContain('<td>PURECLOUD</td>');
    // Read a minute ago at most: answered from the cache, not from Genesys again.
    expect(primaryReads()).toBeLessThanOrEqual(4);
    expect(bridge.sandbox!.violations).toEqual([]);
  });
});
