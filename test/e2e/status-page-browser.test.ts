/**
 * The status page in a real headless browser: Debian's Chromium driven by playwright-core. The test
 * starts the local bridge, sends `presence-bridge simulate zoom` (the README's quick start), opens
 * /status and checks the table shows that user's row as applied — the page must render with its
 * Content-Security-Policy (no script, inline style only) and without errors.
 *
 * Where /usr/bin/chromium is missing the suite is skipped; install it with
 * `apt-get install -y --no-install-recommends chromium` (.ci/run does so on CI).
 * `STATUS_PAGE_SCREENSHOT=1 npx jest test/e2e/status-page-browser.test.ts` also records a few users of
 * every system and rewrites docs/status-page.png, the screenshot in the README.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import type { PresenceEvent } from '../../src/presence';
import { buildEventRecorder } from '../../src/runtime/bridge';
import { RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT } from '../../src/sources/ringcentral/subscriptions';
import { TEAMS_DOCUMENTS } from '../../src/sources/teams/documents';
import type { LocalBridge } from '../../src/server';
import { startTestBridge, waitFor, ZOOM_SECRET } from '../helpers/local-bridge';

const CHROMIUM = '/usr/bin/chromium';
const root = path.join(__dirname, '../..');
const run = promisify(execFile);
const haveChromium = fs.existsSync(CHROMIUM);
const describeInBrowser = haveChromium ? describe : describe.skip;
const screenshot = process.env.STATUS_PAGE_SCREENSHOT === '1';
/** For the screenshot: Teams in subscription mode and the RingCentral webhook configured (no vendor is called). */
const SCREENSHOT_ENV = {
  BRIDGE_PUBLIC_URL: 'https://bridge.example.com',
  TEAMS_CLIENT_STATE: 'demo-client-state',
  RINGCENTRAL_VERIFICATION_TOKEN: 'demo-verification-token',
};

if (!haveChromium) {
  console.warn(
    `status page browser test skipped: ${CHROMIUM} is missing. Install Chromium from Debian's packages with ` +
      '`apt-get install -y --no-install-recommends chromium` (as root) and run the test again.',
  );
}

describeInBrowser('status page in headless Chromium', () => {
  let bridge: LocalBridge;
  let browser: Browser;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'status-browser-'));
    bridge = await startTestBridge({ BRIDGE_DATA_DIR: dataDir, ...(screenshot ? SCREENSHOT_ENV : {}) });
    // launch() gives the browser a fresh temporary profile of its own.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await bridge?.stop();
  });

  it('renders the row of a user sent with `presence-bridge simulate zoom` as applied', async () => {
    // The CLI finds the running bridge through BRIDGE_DATA_DIR and signs with the same Zoom secret.
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, BRIDGE_DATA_DIR: dataDir, ZOOM_WEBHOOK_SECRET_TOKEN: ZOOM_SECRET };
    const simulate = await run(process.execPath, ['bin/presence-bridge.js', 'simulate', 'zoom', '--email', 'bob@example.com', '--status', 'On_Phone_Call'], {
      cwd: root,
      env,
    });
    expect(simulate.stdout).toContain('200');
    await waitFor(
      async () => {
        const [record] = await bridge.parts.store.list({ email: 'bob@example.com' });
        return record?.status === 'applied';
      },
      15_000,
      'the simulated event to be applied',
    );

    if (screenshot) await recordDemoUsers(bridge);

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    const response = await page.goto(`${bridge.url}/status`);
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe('presence-bridge status');

    const row = page.locator('#users tbody tr', { hasText: 'bob@example.com' });
    await expect(row.count()).resolves.toBe(1);
    const cells = await row.locator('td').allInnerTexts();
    expect(cells[0]).toBe('Zoom');
    expect(cells[2]).toBe('bob@example.com');
    expect(cells[3]).toContain('Busy');
    expect(cells[4]).toContain('On a phone call');
    expect(cells[5]).toContain('applied');
    expect(cells[6]).toMatch(/\d+(\.\d+)? (ms|s)$/);
    // Inline styles applied under the CSP: the applied badge is green, not the default transparent.
    const badge = row.locator('.state');
    const backgroundOf = (element: unknown) =>
      (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(element).backgroundColor;
    expect(await badge.evaluate(backgroundOf)).toBe('rgb(218, 251, 225)');
    expect(await page.locator('#system-zoom').innerText()).toMatch(/applied\s*\d/);
    // The counters since start (README "What to watch"): the simulated event in, one Genesys write out.
    expect(await page.locator('#counters').innerText()).toMatch(/GenesysWrites\s+zoom\s+\d/);

    // The filters work as plain links and forms, without script.
    await page.getByRole('link', { name: 'unmatched', exact: true }).click();
    await page.waitForURL(/status=unmatched/);
    expect(await page.locator('#users tbody tr', { hasText: 'bob@example.com' }).count()).toBe(0);

    if (screenshot) {
      await page.goto(`${bridge.url}/status`);
      await page.screenshot({ path: path.join(root, 'docs/status-page.png'), fullPage: true });
    }
    expect(problems).toEqual([]);
    await page.close();
  });
});

/**
 * A few users of every system for the README's screenshot (applied, skipped and unmatched rows), and the
 * subscription documents the Teams and RingCentral maintenance would have left.
 */
async function recordDemoUsers(bridge: LocalBridge): Promise<void> {
  const record = buildEventRecorder(bridge.parts);
  const now = Date.now();
  const store = bridge.parts.store;
  const inHours = (hours: number) => new Date(now + hours * 3_600_000).toISOString();
  await store.putDocument(TEAMS_DOCUMENTS.serviceAccounts, {
    accounts: {
      'pool-1': { name: 'pool-1', username: 'pool-1@contoso.example', homeAccountId: 'demo', signedInAt: inHours(-72) },
      'pool-2': { name: 'pool-2', username: 'pool-2@contoso.example', homeAccountId: 'demo', signedInAt: inHours(-72) },
    },
  });
  await store.putDocument(TEAMS_DOCUMENTS.subscriptions, {
    accounts: {
      'pool-1': { account: 'pool-1', subscriptionId: 'demo-sub-1', expiresAt: inHours(40), userCount: 650, rich: true },
      'pool-2': { account: 'pool-2', subscriptionId: 'demo-sub-2', expiresAt: inHours(40), userCount: 212, rich: true },
    },
  });
  await store.putDocument(TEAMS_DOCUMENTS.activity, { lastNotificationAt: { 'demo-sub-1': inHours(-0.01), 'demo-sub-2': inHours(-0.05) } });
  await store.putDocument(RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT, {
    address: 'https://bridge.example.com/webhooks/ringcentral',
    scope: 'account',
    ids: ['demo-rc-subscription'],
    updatedAt: inHours(-0.1),
  });
  const events: PresenceEvent[] = [
    { system: 'zoom', externalUserId: 'zoom-alice', email: 'alice@example.com', values: { presence_status: 'In_Meeting' }, order: now - 1800 },
    { system: 'zoom', externalUserId: 'zoom-frank', email: 'frank@elsewhere.example', values: { presence_status: 'Available' }, order: now - 900 },
    {
      system: 'teams',
      externalUserId: '5f1c2a9e-0b7d-4c1e-9a53-7d2e8f6b1c40',
      email: 'carol@example.com',
      values: { availability: 'Busy', activity: 'InACall' },
      order: now - 1200,
    },
    {
      system: 'teams',
      externalUserId: 'a83d6c1f-44e2-4b7a-8f0e-2c9b5d7e3a11',
      email: 'erin@example.com',
      values: { availability: 'PresenceUnknown', activity: 'PresenceUnknown' },
      order: now - 700,
    },
    {
      system: 'ringcentral',
      externalUserId: '62100001',
      email: 'dave@example.com',
      values: { presenceStatus: 'Available', telephonyStatus: 'NoCall', dndStatus: 'TakeAllCalls' },
      order: now - 1500,
    },
  ];
  await record(events);
  await waitFor(async () => (await bridge.parts.store.list()).every((r) => r.status !== 'pending'), 15_000, 'the demo users to be handled');
}
