/**
 * The maintainer's gauges (README "What to watch": subscriptions-unhealthy, teams-sign-in-needed), read
 * from the documents the Teams and RingCentral parts keep, as the status page reads them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { describeError } from '../../src/errors';
import { createMemoryMetrics } from '../../src/metrics/memory-metrics';
import type { BridgeParts } from '../../src/runtime/bridge';
import { recordFeedMetrics } from '../../src/runtime/feed-metrics';
import { RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT } from '../../src/sources/ringcentral/subscriptions';
import { TEAMS_DOCUMENTS } from '../../src/sources/teams/documents';
import { ServiceAccountSignInRequiredError } from '../../src/sources/teams/teams-errors';
import { openEmbeddedStore } from '../../src/store/embedded';
import type { StateStore } from '../../src/store/state-store';

const NOW = Date.parse('2026-11-28T02:00:00Z');

describe('feed gauges of a maintenance run', () => {
  let store: StateStore;
  let parts: BridgeParts;

  beforeEach(async () => {
    store = await openEmbeddedStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'feed-metrics-')), 'state'));
    const config = loadConfig({
      BRIDGE_PUBLIC_URL: 'https://bridge.example.com',
      TEAMS_CLIENT_STATE: 'state',
      TEAMS_TENANT_ID: '11111111-2222-3333-4444-555555555555',
      TEAMS_CLIENT_ID: 'client',
      TEAMS_CLIENT_SECRET: 'secret',
      RINGCENTRAL_VERIFICATION_TOKEN: 'rc-token',
    });
    // recordFeedMetrics reads only the configuration, the store and the clock.
    parts = { config, store, zoom: config.zoom, now: () => NOW } as unknown as BridgeParts;
  });
  afterEach(async () => store.close());

  it('counts Teams accounts that must sign in again and flags the unhealthy feed', async () => {
    await store.putDocument(TEAMS_DOCUMENTS.serviceAccounts, {
      accounts: {
        pool1: { name: 'pool1', username: 'svc1@contoso.example', homeAccountId: 'h1', signedInAt: '2026-11-20T00:00:00Z' },
        pool2: { name: 'pool2', username: 'svc2@contoso.example', homeAccountId: 'h2', signedInAt: '2026-11-20T00:00:00Z' },
      },
    });
    const revoked = new ServiceAccountSignInRequiredError('pool2', 'invalid_grant');
    await store.putDocument(TEAMS_DOCUMENTS.subscriptions, {
      accounts: {
        pool1: { account: 'pool1', subscriptionId: 'sub-1', expiresAt: '2026-11-28T03:00:00Z', userCount: 420, rich: true },
        pool2: { account: 'pool2', subscriptionId: 'sub-2', expiresAt: '2026-11-28T03:00:00Z', userCount: 10, rich: true, lastError: describeError(revoked) },
        // Holds a subscription but is no longer a signed-in account.
        pool3: { account: 'pool3', subscriptionId: 'sub-3', expiresAt: '2026-11-28T03:00:00Z', userCount: 5, rich: true },
      },
    });
    const metrics = createMemoryMetrics();
    await recordFeedMetrics(parts, metrics);
    expect(metrics.snapshot().gauges).toEqual([
      { name: 'AccountsNeedingSignIn', system: 'teams', value: 2 },
      { name: 'SubscriptionsUnhealthy', system: 'ringcentral', value: 0 },
      { name: 'SubscriptionsUnhealthy', system: 'teams', value: 1 },
    ]);
  });

  it('reports healthy feeds as 0, and a RingCentral check that left no live subscription as 1', async () => {
    await store.putDocument(TEAMS_DOCUMENTS.serviceAccounts, {
      accounts: { pool1: { name: 'pool1', username: 'svc1@contoso.example', homeAccountId: 'h1', signedInAt: '2026-11-20T00:00:00Z' } },
    });
    await store.putDocument(TEAMS_DOCUMENTS.subscriptions, {
      accounts: { pool1: { account: 'pool1', subscriptionId: 'sub-1', expiresAt: '2026-11-28T03:00:00Z', userCount: 420, rich: true } },
    });
    await store.putDocument(RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT, {
      address: 'https://bridge.example.com/webhooks/ringcentral',
      scope: 'account',
      ids: [],
      updatedAt: '2026-11-28T01:58:00Z',
    });
    const metrics = createMemoryMetrics();
    await recordFeedMetrics(parts, metrics);
    expect(metrics.snapshot().gauges).toEqual([
      { name: 'AccountsNeedingSignIn', system: 'teams', value: 0 },
      { name: 'SubscriptionsUnhealthy', system: 'ringcentral', value: 1 },
      { name: 'SubscriptionsUnhealthy', system: 'teams', value: 0 },
    ]);
  });
});
