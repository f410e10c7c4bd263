/**
 * The per-system feed health of the status page, from the documents the Teams and RingCentral parts
 * keep (no vendor call), and the rule that the page never shows secrets: encrypted token caches and
 * verification-token hashes stay out of both the JSON and the HTML.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT } from '../../src/sources/ringcentral/subscriptions';
import { TEAMS_DOCUMENTS } from '../../src/sources/teams/documents';
import { readTeamsSubscriptionStatus } from '../../src/sources/teams/subscription-status';
import type { FeedSettings } from '../../src/status/feed-health';
import { renderStatusHtml } from '../../src/status/render-status-html';
import { parseStatusQuery } from '../../src/status/status-query';
import { collectStatusReport } from '../../src/status/status-report';
import { openEmbeddedStore } from '../../src/store/embedded';
import type { StateStore } from '../../src/store/state-store';

const NOW = Date.parse('2026-11-28T02:00:00Z');
const SETTINGS: FeedSettings = {
  teams: { configured: true, mode: 'subscription', pollIntervalSeconds: 60 },
  zoom: { configured: false },
  ringcentral: { configured: true, apiConfigured: true },
};
const SOURCE_NAMES = { teams: 'Microsoft Teams', zoom: 'Zoom', ringcentral: 'RingCentral' };
const query = () => {
  const parsed = parseStatusQuery({});
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.query;
};

describe('status feed health', () => {
  let store: StateStore;

  beforeEach(async () => {
    store = await openEmbeddedStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'status-feed-')), 'state'));
  });
  afterEach(async () => store.close());

  it('says what is not configured or not set up yet', async () => {
    const report = await collectStatusReport({ store, sourceNames: SOURCE_NAMES, feeds: SETTINGS, now: () => NOW }, query());
    const feed = Object.fromEntries(report.systems.map((s) => [s.system, s.feed]));
    expect(feed.teams).toMatchObject({ kind: 'subscription', state: 'warning', summary: expect.stringContaining('presence-bridge teams login') });
    expect(feed.zoom).toMatchObject({ kind: 'webhook', state: 'off', summary: expect.stringContaining('ZOOM_WEBHOOK_SECRET_TOKEN') });
    expect(feed.ringcentral).toMatchObject({ state: 'unknown', summary: expect.stringContaining('--ensure') });
    expect(report.systems.map((s) => s.source)).toEqual([{ name: 'Microsoft Teams' }, { name: 'Zoom' }, { name: 'RingCentral' }]);

    const polling = await collectStatusReport(
      { store, sourceNames: SOURCE_NAMES, feeds: { ...SETTINGS, teams: { ...SETTINGS.teams, mode: 'polling' } }, now: () => NOW },
      query(),
    );
    expect(polling.systems[0].feed).toMatchObject({ kind: 'polling', state: 'ok', summary: 'polling every 60 s (TEAMS_MODE=polling or no BRIDGE_PUBLIC_URL)' });
  });

  it('reports Teams accounts and RingCentral subscriptions from their documents, without any secret', async () => {
    await store.putDocument(TEAMS_DOCUMENTS.serviceAccounts, {
      accounts: {
        pool1: { name: 'pool1', username: 'svc1@contoso.example', homeAccountId: 'home-account-id-1', signedInAt: '2026-11-20T00:00:00Z' },
      },
    });
    await store.putDocument(TEAMS_DOCUMENTS.subscriptions, {
      accounts: {
        pool1: {
          account: 'pool1',
          subscriptionId: 'sub-1',
          expiresAt: '2026-11-28T03:00:00Z',
          userCount: 420,
          rich: true,
          settingsHash: 'settings-hash-secretish',
        },
        pool2: {
          account: 'pool2',
          subscriptionId: 'sub-2',
          expiresAt: '2026-11-28T01:00:00Z',
          userCount: 10,
          rich: true,
          lastError: 'InteractionRequired: sign in again',
        },
      },
    });
    await store.putDocument(TEAMS_DOCUMENTS.activity, { lastNotificationAt: { 'sub-1': '2026-11-28T01:59:00Z' } });
    await store.putDocument(TEAMS_DOCUMENTS.tokenCache('pool1'), { ciphertext: 'ENCRYPTED-TOKEN-BLOB', iv: 'iv-value' });
    await store.putDocument(RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT, {
      address: 'https://bridge.example.com/webhooks/ringcentral',
      scope: 'account',
      ids: ['rc-sub-1'],
      accountId: '111',
      ownerExtensionId: '222',
      verificationTokenHashes: { 'rc-sub-1': 'deadbeefcafe0123456789' },
      updatedAt: '2026-11-28T01:58:00Z',
    });

    // One implementation for the CLI (`teams subscriptions`) and the page.
    expect(await readTeamsSubscriptionStatus(store)).toEqual([
      {
        account: 'pool1',
        username: 'svc1@contoso.example',
        signedInAt: '2026-11-20T00:00:00Z',
        users: 420,
        subscriptionId: 'sub-1',
        expiresAt: '2026-11-28T03:00:00Z',
        lastNotificationAt: '2026-11-28T01:59:00Z',
        lastError: undefined,
      },
      {
        account: 'pool2',
        username: undefined,
        signedInAt: undefined,
        users: 10,
        subscriptionId: 'sub-2',
        expiresAt: '2026-11-28T01:00:00Z',
        lastNotificationAt: undefined,
        lastError: 'InteractionRequired: sign in again',
      },
    ]);

    const report = await collectStatusReport({ store, sourceNames: SOURCE_NAMES, feeds: SETTINGS, now: () => NOW }, query());
    const teams = report.systems.find((s) => s.system === 'teams')!.feed;
    expect(teams.state).toBe('warning');
    expect(teams.summary).toContain('pool2: not signed in (presence-bridge teams login --account pool2)');
    expect(teams.teamsAccounts).toHaveLength(2);
    const ringcentral = report.systems.find((s) => s.system === 'ringcentral')!.feed;
    expect(ringcentral).toMatchObject({ state: 'ok', summary: '1 subscription(s), account scope, checked 2026-11-28T01:58:00Z' });

    for (const text of [JSON.stringify(report), renderStatusHtml(report)]) {
      expect(text).toContain('svc1@contoso.example');
      expect(text).not.toContain('ENCRYPTED-TOKEN-BLOB');
      expect(text).not.toContain('deadbeefcafe');
      expect(text).not.toContain('home-account-id-1');
      expect(text).not.toContain('settings-hash-secretish');
    }
  });
});
