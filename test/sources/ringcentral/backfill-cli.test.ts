/**
 * Backfill (account presence paging with progress), the `presence-bridge ringcentral …` commands, and the
 * optional settings.
 */
import { Command } from 'commander';
import { ConfigError } from '../../../src/errors';
import { mapPresence, type PresenceEvent } from '../../../src/presence';
import { registerRingCentralCommands, type CliOutput } from '../../../src/cli/ringcentral-commands';
import { backfillRingCentralPresence, type RingCentralBackfillProgress } from '../../../src/sources/ringcentral/backfill';
import { createRingCentralClient, type RingCentralClient } from '../../../src/sources/ringcentral/client';
import { DEFAULT_RINGCENTRAL_SETTINGS, readRingCentralSettings } from '../../../src/sources/ringcentral/ringcentral-settings';
import { startRingCentralStandIn, type RingCentralStandIn } from '../../helpers/ringcentral-stand-in';
import { createFakeClock, createMemoryDocuments } from './test-doubles';

let rc: RingCentralStandIn;
let clock: ReturnType<typeof createFakeClock>;
let client: RingCentralClient;

/** `PresenceInfoResponse` records as `GET /account/~/presence` returns them. */
const presence = [
  {
    uri: 'https://platform.ringcentral.com/restapi/v1.0/account/1/extension/101/presence',
    extension: { id: 101, extensionNumber: '101' },
    presenceStatus: 'Available',
    telephonyStatus: 'NoCall',
    dndStatus: 'TakeAllCalls',
    meetingStatus: 'Disconnected',
  },
  { extension: { id: '102' }, presenceStatus: 'Busy', telephonyStatus: 'CallConnected', dndStatus: 'TakeAllCalls' },
  { extension: { id: 103 }, presenceStatus: 'Available', dndStatus: 'DoNotAcceptAnyCalls' },
  { uri: '/restapi/v1.0/account/1/extension/104/presence', presenceStatus: 'Offline' },
  { presenceStatus: 'Offline' },
];

beforeEach(async () => {
  clock = createFakeClock();
  rc = await startRingCentralStandIn({ clock: clock.now });
  rc.presence = presence;
  rc.extensions = [{ id: 101, type: 'User', status: 'Enabled', contact: { email: 'ada@example.com' } }];
  client = createRingCentralClient({
    serverUrl: rc.url,
    clientId: rc.clientId,
    clientSecret: rc.clientSecret,
    jwt: rc.jwt,
    now: clock.now,
    sleep: clock.sleep,
  });
});
afterEach(() => rc.close());

describe('backfill', () => {
  it('reads every page in the Heavy group, records events ordered by the read time, reports progress', async () => {
    const recorded: PresenceEvent[][] = [];
    const progress: RingCentralBackfillProgress[] = [];
    const result = await backfillRingCentralPresence({
      client,
      perPage: 2,
      now: clock.now,
      record: async (events) => {
        recorded.push([...events]);
      },
      onProgress: (p) => progress.push(p),
    });

    expect(result).toMatchObject({ pages: 3, read: 5, recorded: 4 });
    expect(result.failures).toEqual([{ page: 3, reason: expect.stringContaining('names no extension') }]);
    expect(progress.map((p) => [p.page, p.totalPages])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    const events = recorded.flat();
    expect(events.map((e) => e.externalUserId)).toEqual(['101', '102', '103', '104']);
    expect(events.map((e) => mapPresence(e).target)).toEqual(['Available', 'Busy', 'Busy', 'Offline']);
    expect(events.every((e) => e.system === 'ringcentral' && e.order >= Date.parse('2026-01-05T10:00:00.000Z'))).toBe(true);
    const reads = rc.requestsTo(/\/account\/~\/presence$/);
    expect(reads.map((r) => r.query)).toEqual([1, 2, 3].map((page) => ({ detailedTelephonyState: 'true', page: String(page), perPage: '2' })));
  });

  it('paces pages to the Heavy limit', async () => {
    const paced = createRingCentralClient({
      serverUrl: rc.url,
      clientId: rc.clientId,
      clientSecret: rc.clientSecret,
      jwt: rc.jwt,
      now: clock.now,
      sleep: clock.sleep,
      rateLimits: { Heavy: 2 },
    });
    await backfillRingCentralPresence({ client: paced, perPage: 2, now: clock.now, record: async () => undefined });
    const reads = rc.requestsTo(/\/account\/~\/presence$/);
    expect(reads[2].at - reads[0].at).toBeGreaterThanOrEqual(60_000);
  });

  it('collects failures (a failing page, a failing record call) and carries on', async () => {
    rc.failNext(/\/account\/~\/presence$/, { status: 403, body: { errorCode: 'CMN-408', message: 'needs [ReadPresence] permission' } });
    const first = await backfillRingCentralPresence({ client, perPage: 2, record: async () => undefined });
    expect(first.pages).toBe(0);
    expect(first.failures[0].reason).toContain('ReadPresence');

    let calls = 0;
    const second = await backfillRingCentralPresence({
      client,
      perPage: 2,
      record: async () => {
        if (++calls === 2) throw new Error('store unavailable');
      },
    });
    expect(second.recorded).toBe(2); // page 1; page 2 failed to record; page 3 has no usable record
    expect(second.failures.filter((f) => f.reason.includes('store unavailable')).map((f) => f.extensionId)).toEqual(['103', '104']);
  });
});

describe('CLI', () => {
  function output(isTTY: boolean): CliOutput & { text: () => string } {
    let text = '';
    return { isTTY, write: (chunk: string) => (text += chunk), text: () => text };
  }

  async function run(args: string[], tty = false) {
    const stdout = output(false);
    const stderr = output(tty);
    const recorded: PresenceEvent[] = [];
    const documents = createMemoryDocuments();
    const program = new Command().exitOverride();
    registerRingCentralCommands(program, {
      client: () => client,
      documents: () => documents,
      record: async (events) => {
        recorded.push(...events);
      },
      verificationToken: 'tok',
      now: clock.now,
      stdout,
      stderr,
    });
    await program.parseAsync(['node', 'presence-bridge', ...args]);
    return { stdout: stdout.text(), stderr: stderr.text(), recorded };
  }

  afterEach(() => {
    process.exitCode = undefined;
  });

  it('`ringcentral subscriptions --ensure` creates and lists the subscriptions as a table', async () => {
    const { stdout } = await run(['ringcentral', 'subscriptions', '--ensure', '--base-url', 'https://bridge.example.com']);
    expect(stdout).toContain('scope: account');
    expect(stdout).toMatch(/created sub-1/);
    expect(stdout).toMatch(/ID\s+STATUS\s+FILTERS\s+EXPIRES\s+BLACKLISTED REASON/);
    // RingCentral lists the filter with `~` expanded to the account id.
    expect(stdout).toMatch(new RegExp(`\\*sub-1\\s+Active\\s+/restapi/v1\\.0/account/${rc.accountId}/presence\\?detailedTelephonyState=true\\s+20\\d\\d-`));
  });

  it('`ringcentral subscriptions` shows the blacklisted reason', async () => {
    await run(['ringcentral', 'subscriptions', '--ensure', '--base-url', 'https://bridge.example.com']);
    rc.blacklist('sub-1');
    const { stdout } = await run(['ringcentral', 'subscriptions']);
    expect(stdout).toMatch(/sub-1\s+Blacklisted.*I\/O operation is failed/);
  });

  it('`ringcentral backfill` writes progress lines when stderr is not a terminal, and a summary', async () => {
    const { stdout, stderr, recorded } = await run(['ringcentral', 'backfill', '--page-size', '2']);
    expect(stderr).toContain('directory: 1 extensions, 1 with an email');
    expect(stderr).toContain('page 1/3: read 2, recorded 2, failed 0\npage 2/3: read 4, recorded 4, failed 0\n');
    expect(stdout).toContain('backfill: 3 page(s), 5 read, 4 recorded, 1 failed');
    expect(recorded).toHaveLength(4);
    expect(process.exitCode).toBe(1);
  });

  it('`ringcentral backfill` draws a progress bar on a terminal', async () => {
    const { stderr } = await run(['ringcentral', 'backfill', '--page-size', '2', '--skip-directory'], true);
    expect(stderr).toContain('\r[################........] page 2/3');
    expect(stderr.endsWith('\n')).toBe(true);
  });
});

describe('settings', () => {
  it('has documented defaults', () => {
    expect(readRingCentralSettings({})).toEqual(DEFAULT_RINGCENTRAL_SETTINGS);
  });

  it('reads every variable', () => {
    const settings = readRingCentralSettings({
      RINGCENTRAL_RATE_LIMIT_HEAVY: '20',
      RINGCENTRAL_RATE_LIMIT_AUTH: '3',
      RINGCENTRAL_SUBSCRIPTION_SCOPE: 'Extension',
      RINGCENTRAL_SUBSCRIPTION_EXPIRES_IN: '604800',
      RINGCENTRAL_FILTERS_PER_SUBSCRIPTION: '500',
      RINGCENTRAL_BACKFILL_PAGE_SIZE: '100',
    });
    expect(settings).toEqual({
      rateLimits: { Light: 50, Medium: 40, Heavy: 20, Auth: 3 },
      subscriptionScope: 'extension',
      subscriptionExpiresIn: 604800,
      filtersPerSubscription: 500,
      backfillPageSize: 100,
    });
  });

  it.each([
    ['RINGCENTRAL_SUBSCRIPTION_SCOPE', 'everything'],
    ['RINGCENTRAL_RATE_LIMIT_LIGHT', 'fast'],
    ['RINGCENTRAL_SUBSCRIPTION_EXPIRES_IN', '630720000'],
  ])('names %s when it is malformed', (name, value) => {
    expect(() => readRingCentralSettings({ [name]: value })).toThrow(ConfigError);
    expect(() => readRingCentralSettings({ [name]: value })).toThrow(name);
  });
});
