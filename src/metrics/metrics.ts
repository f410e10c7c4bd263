/**
 * What the bridge counts and times, behind one small interface: the webhook core, the worker, the
 * Genesys transport and the maintainer call `count` / `gauge` / `timing`; the composition roots choose
 * where the numbers go (CloudWatch Embedded Metric Format on AWS, emf-metrics.ts; an in-memory recorder
 * that the status page shows locally, memory-metrics.ts). README "What to watch" says what each means.
 */
import type { SystemName } from '../systems';

/** The CloudWatch namespace of every metric (serverless.yml sets POWERTOOLS_METRICS_NAMESPACE to it). */
export const DEFAULT_METRICS_NAMESPACE = 'PresenceBridge';

/** Counters: how many times something happened (CloudWatch unit Count, read as Sum). */
export const COUNT_METRICS = [
  /** Events recorded as the user's new desired state (webhooks, backfills, polling, reconciliation). */
  'EventsAccepted',
  /** Events older than the state already recorded: refused ("latest state wins"). */
  'EventsStale',
  /** Events equal to the state already recorded (a vendor retry or replay): no new work. */
  'EventsDuplicate',
  /** Webhook requests refused with a 4xx or 503, by `reason` (rejection-reason.ts). */
  'EventsRejected',
  /** Webhook requests whose events could not be recorded (503; the vendor retries). */
  'WebhookRecordFailures',
  /** Presence written to Genesys (one PATCH that succeeded). */
  'GenesysWrites',
  /** A key's Genesys work failed, by `reason` (retryable, permanent, source-gone, user-gone). */
  'GenesysWriteFailures',
  /** Genesys answered 429 (rate limit), whatever the request. */
  'GenesysRateLimited',
  /** Genesys answered 403 (a permission is missing), whatever the request. */
  'GenesysForbidden',
  /** Keys parked: Genesys asked to wait longer than a worker can (daily quota, budget used up). */
  'KeysParked',
  /** Users recorded as unmatched: no Genesys user for them (or the Genesys user is gone). */
  'UnmatchedUsers',
  /** Subscriptions created, renewed or re-created by the maintainer. */
  'SubscriptionRenewals',
  /** Subscription maintenance that failed (one per account or run). */
  'SubscriptionFailures',
] as const;
export type CountMetric = (typeof COUNT_METRICS)[number];

/** Gauges: a level observed at each maintenance run (unit Count, read as Maximum). */
export const GAUGE_METRICS = [
  /** Teams service accounts that must sign in again (`presence-bridge teams login`). */
  'AccountsNeedingSignIn',
  /** 1 when a system's subscription feed needs the operator (expired, failing, none live), else 0. */
  'SubscriptionsUnhealthy',
] as const;
export type GaugeMetric = (typeof GAUGE_METRICS)[number];

/** Timings (unit Milliseconds, one value per occurrence, so CloudWatch computes p50/p99). */
export const TIMING_METRICS = [
  /** The vendor's own time of a state → the moment it was written to Genesys. */
  'PresenceLag',
] as const;
export type TimingMetric = (typeof TIMING_METRICS)[number];

export interface MetricDimensions {
  readonly system?: SystemName;
  /** A small fixed set per metric (a rejection class, a failure kind): never an id or free text. */
  readonly reason?: string;
}

export interface Metrics {
  count(name: CountMetric, dimensions?: MetricDimensions, value?: number): void;
  gauge(name: GaugeMetric, value: number, dimensions?: MetricDimensions): void;
  timing(name: TimingMetric, milliseconds: number, dimensions?: MetricDimensions): void;
}

/** Records nothing: the default where no recorder is wired (tests, the CLI). */
export const noopMetrics: Metrics = {
  count: () => undefined,
  gauge: () => undefined,
  timing: () => undefined,
};

/** The dimension sets one observation is published under: the total, each dimension alone, and all together. */
export function dimensionSubsets(dimensions: MetricDimensions = {}): MetricDimensions[] {
  const entries = Object.entries(dimensions).filter(([, value]) => value !== undefined && value !== '') as Array<[keyof MetricDimensions, string]>;
  const subsets: MetricDimensions[] = [{}];
  if (entries.length > 1) for (const entry of entries) subsets.push(Object.fromEntries([entry]) as MetricDimensions);
  if (entries.length > 0) subsets.push(Object.fromEntries(entries) as MetricDimensions);
  return subsets;
}
