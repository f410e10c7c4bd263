/**
 * Metrics as CloudWatch Embedded Metric Format log lines, written to stdout by Powertools for AWS Lambda
 * (https://docs.powertools.aws.dev/lambda/typescript/latest/features/metrics/). CloudWatch Logs turns
 * each line into metrics asynchronously: no API call, no IAM permission beyond writing the function's
 * own log group (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format.html).
 *
 * Every observation is published under several dimension sets — the total (`service` only), each of
 * its dimensions alone, and all of them — so an alarm can watch the total while the dashboard splits
 * it by system or reason. One Powertools `Metrics` object per set keeps its dimensions as defaults,
 * which survive the flushes Powertools makes by itself at 100 values.
 */
import { Metrics as PowertoolsMetrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { dimensionSubsets, DEFAULT_METRICS_NAMESPACE, type MetricDimensions, type Metrics } from './metrics';

export interface EmfMetricsOptions {
  /** CloudWatch namespace; default `PresenceBridge`. */
  readonly namespace?: string;
  /** The `service` dimension of every metric: one per deployment stage, so stages do not mix. */
  readonly service: string;
}

export interface EmfMetrics extends Metrics {
  /** Writes what was recorded since the last publish (one line per dimension set); call at the end of each invocation. */
  publish(): void;
}

export function createEmfMetrics(options: EmfMetricsOptions): EmfMetrics {
  const namespace = options.namespace || DEFAULT_METRICS_NAMESPACE;
  const sets = new Map<string, PowertoolsMetrics>();

  const setFor = (dimensions: MetricDimensions): PowertoolsMetrics => {
    const key = JSON.stringify([dimensions.system ?? '', dimensions.reason ?? '']);
    let set = sets.get(key);
    if (!set) {
      const defaults: Record<string, string> = {};
      if (dimensions.system) defaults.system = dimensions.system;
      if (dimensions.reason) defaults.reason = dimensions.reason;
      set = new PowertoolsMetrics({ namespace, serviceName: options.service, defaultDimensions: defaults });
      sets.set(key, set);
    }
    return set;
  };

  // Counts are summed here and written once per publish: one number per line instead of a list of ones.
  const counts = new Map<PowertoolsMetrics, Map<string, number>>();

  const add = (name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number, dimensions?: MetricDimensions): void => {
    if (!Number.isFinite(value)) return;
    for (const subset of dimensionSubsets(dimensions)) setFor(subset).addMetric(name, unit, value);
  };

  return {
    count(name, dimensions, value = 1) {
      if (!Number.isFinite(value)) return;
      for (const subset of dimensionSubsets(dimensions)) {
        const set = setFor(subset);
        const pending = counts.get(set) ?? new Map<string, number>();
        pending.set(name, (pending.get(name) ?? 0) + value);
        counts.set(set, pending);
      }
    },
    gauge: (name, value, dimensions) => add(name, MetricUnit.Count, value, dimensions),
    timing: (name, milliseconds, dimensions) => add(name, MetricUnit.Milliseconds, Math.max(0, milliseconds), dimensions),
    publish() {
      for (const [set, pending] of counts) for (const [name, value] of pending) set.addMetric(name, MetricUnit.Count, value);
      counts.clear();
      // Only sets holding values: Powertools warns about an empty publish.
      for (const set of sets.values()) if (set.hasStoredMetrics()) set.publishStoredMetrics();
    },
  };
}
