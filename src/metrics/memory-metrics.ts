/**
 * Metrics kept in memory since the process started: what `npm start` shows on the status page
 * ("counters since start"). On AWS each function is its own process, so there the numbers go to
 * CloudWatch instead (emf-metrics.ts) and the dashboard shows them.
 */
import type { CountMetric, GaugeMetric, MetricDimensions, Metrics, TimingMetric } from './metrics';

/** Timing values kept per series for the percentiles: the most recent ones. */
const KEPT_TIMINGS = 1000;

export interface CounterValue {
  readonly name: CountMetric | GaugeMetric;
  readonly system?: string;
  readonly reason?: string;
  readonly value: number;
}

export interface TimingSummary {
  readonly name: TimingMetric;
  readonly system?: string;
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface MetricsSnapshot {
  /** When counting started (ISO). */
  readonly since: string;
  readonly counters: readonly CounterValue[];
  readonly gauges: readonly CounterValue[];
  readonly timings: readonly TimingSummary[];
}

export interface MemoryMetrics extends Metrics {
  snapshot(): MetricsSnapshot;
}

function seriesKey(name: string, dimensions: MetricDimensions): string {
  return JSON.stringify([name, dimensions.system ?? '', dimensions.reason ?? '']);
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function createMemoryMetrics(now: () => number = Date.now): MemoryMetrics {
  const since = new Date(now()).toISOString();
  const counters = new Map<string, { name: CountMetric; dimensions: MetricDimensions; value: number }>();
  const gauges = new Map<string, { name: GaugeMetric; dimensions: MetricDimensions; value: number }>();
  const timings = new Map<string, { name: TimingMetric; dimensions: MetricDimensions; count: number; max: number; recent: number[] }>();
  return {
    count(name, dimensions = {}, value = 1) {
      const key = seriesKey(name, dimensions);
      const entry = counters.get(key) ?? { name, dimensions: { ...dimensions }, value: 0 };
      entry.value += value;
      counters.set(key, entry);
    },
    gauge(name, value, dimensions = {}) {
      gauges.set(seriesKey(name, dimensions), { name, dimensions: { ...dimensions }, value });
    },
    timing(name, milliseconds, dimensions = {}) {
      const key = seriesKey(name, dimensions);
      const entry = timings.get(key) ?? { name, dimensions: { ...dimensions }, count: 0, max: 0, recent: [] };
      entry.count += 1;
      entry.max = Math.max(entry.max, milliseconds);
      entry.recent.push(milliseconds);
      if (entry.recent.length > KEPT_TIMINGS) entry.recent.shift();
      timings.set(key, entry);
    },
    snapshot() {
      const flat = (entry: { name: CountMetric | GaugeMetric; dimensions: MetricDimensions; value: number }): CounterValue => ({
        name: entry.name,
        ...(entry.dimensions.system ? { system: entry.dimensions.system } : {}),
        ...(entry.dimensions.reason ? { reason: entry.dimensions.reason } : {}),
        value: entry.value,
      });
      const byName = (a: CounterValue, b: CounterValue): number =>
        a.name.localeCompare(b.name) || (a.system ?? '').localeCompare(b.system ?? '') || (a.reason ?? '').localeCompare(b.reason ?? '');
      return {
        since,
        counters: [...counters.values()].map(flat).sort(byName),
        gauges: [...gauges.values()].map(flat).sort(byName),
        timings: [...timings.values()].map((entry) => {
          const sorted = [...entry.recent].sort((a, b) => a - b);
          return {
            name: entry.name,
            ...(entry.dimensions.system ? { system: entry.dimensions.system } : {}),
            count: entry.count,
            p50: percentile(sorted, 50),
            p99: percentile(sorted, 99),
            max: entry.max,
          };
        }),
      };
    },
  };
}
