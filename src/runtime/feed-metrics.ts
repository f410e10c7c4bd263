/**
 * The maintainer's gauges, read at the end of each run from what the store remembers (the same reader
 * as the status page, src/status/feed-health.ts): whether each subscription feed needs the operator,
 * and how many Teams service accounts must sign in again. Emitted every run, so an alarm on their
 * Maximum fires within one run of a problem and clears within one run of its fix.
 */
import type { Metrics } from '../metrics/metrics';
import { accountNeedsSignIn } from '../sources/teams/subscription-status';
import { feedSettingsFrom, readFeedHealth } from '../status/feed-health';
import type { BridgeParts } from './bridge';
import type { MaintenanceStep } from './maintenance';

export async function recordFeedMetrics(parts: BridgeParts, metrics: Metrics): Promise<string> {
  const feeds = await readFeedHealth(parts.store, feedSettingsFrom(parts.config), parts.now());
  const seen: string[] = [];
  for (const system of ['teams', 'ringcentral'] as const) {
    const feed = feeds[system];
    if (feed.kind !== 'subscription' || feed.state === 'off') continue;
    const unhealthy = feed.state === 'warning' ? 1 : 0;
    metrics.gauge('SubscriptionsUnhealthy', unhealthy, { system });
    seen.push(`${system} ${unhealthy ? 'needs attention' : 'ok'}`);
  }
  if (feeds.teams.kind === 'subscription' && feeds.teams.state !== 'off') {
    const signIn = (feeds.teams.teamsAccounts ?? []).filter(accountNeedsSignIn).length;
    metrics.gauge('AccountsNeedingSignIn', signIn, { system: 'teams' });
    seen.push(`${signIn} Teams account(s) to sign in`);
  }
  return seen.join(', ') || 'no subscription feeds';
}

/** The step, last in a maintenance run, after the subscription steps (none when no recorder is wired). */
export function feedMetricsStep(parts: BridgeParts): MaintenanceStep[] {
  const metrics = parts.metrics;
  return metrics ? [{ name: 'feed-metrics', run: () => recordFeedMetrics(parts, metrics) }] : [];
}
