import { createMemoryMetrics, percentile } from '../../src/metrics/memory-metrics';
import { dimensionSubsets } from '../../src/metrics/metrics';
import { classifyRejection } from '../../src/webhooks/rejection-reason';

describe('in-memory metrics (the local status page)', () => {
  it('sums counters per series, keeps the last gauge, and summarizes timings', () => {
    const metrics = createMemoryMetrics(() => Date.parse('2026-01-01T00:00:00Z'));
    metrics.count('EventsAccepted', { system: 'zoom' });
    metrics.count('EventsAccepted', { system: 'zoom' }, 2);
    metrics.count('EventsRejected', { system: 'teams', reason: 'signature' });
    metrics.gauge('AccountsNeedingSignIn', 2, { system: 'teams' });
    metrics.gauge('AccountsNeedingSignIn', 0, { system: 'teams' });
    for (let i = 1; i <= 100; i += 1) metrics.timing('PresenceLag', i * 10, { system: 'zoom' });
    const snapshot = metrics.snapshot();
    expect(snapshot.since).toBe('2026-01-01T00:00:00.000Z');
    expect(snapshot.counters).toEqual([
      { name: 'EventsAccepted', system: 'zoom', value: 3 },
      { name: 'EventsRejected', system: 'teams', reason: 'signature', value: 1 },
    ]);
    expect(snapshot.gauges).toEqual([{ name: 'AccountsNeedingSignIn', system: 'teams', value: 0 }]);
    expect(snapshot.timings).toEqual([{ name: 'PresenceLag', system: 'zoom', count: 100, p50: 500, p99: 990, max: 1000 }]);
  });

  it('computes nearest-rank percentiles', () => {
    expect(percentile([], 99)).toBe(0);
    expect(percentile([5], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 99)).toBe(4);
  });
});

describe('dimension sets of one observation', () => {
  it('publishes the total, each dimension alone and all together', () => {
    expect(dimensionSubsets()).toEqual([{}]);
    expect(dimensionSubsets({ system: 'zoom' })).toEqual([{}, { system: 'zoom' }]);
    expect(dimensionSubsets({ system: 'zoom', reason: 'signature' })).toEqual([
      {},
      { system: 'zoom' },
      { reason: 'signature' },
      { system: 'zoom', reason: 'signature' },
    ]);
  });
});

describe('rejection classes', () => {
  it('follows the status unless the source names the class', () => {
    expect(classifyRejection(401)).toBe('signature');
    expect(classifyRejection(403)).toBe('forbidden');
    expect(classifyRejection(403, 'unknown-subscription')).toBe('unknown-subscription');
    expect(classifyRejection(400)).toBe('malformed');
    expect(classifyRejection(413)).toBe('malformed');
    expect(classifyRejection(503)).toBe('unavailable');
  });
});
