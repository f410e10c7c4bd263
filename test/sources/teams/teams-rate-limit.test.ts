import { GRAPH_RETRY_DEFAULTS, isGraphWaitAffordable } from '../../../src/sources/teams/teams-rate-limit';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const answer = (retryAfter?: string) => ({ headers: new Headers(retryAfter === undefined ? {} : { 'Retry-After': retryAfter }) });

describe('Graph throttling: which waits the retry middleware sleeps on', () => {
  it.each<[string, string | undefined, number, boolean]>([
    ['no Retry-After (the SDK backs off)', undefined, 60_000, true],
    ['Retry-After seconds within the limit', '5', 60_000, true],
    ['Retry-After seconds at the limit', '60', 60_000, true],
    ['Retry-After seconds over the limit', '3600', 60_000, false],
    ['Retry-After HTTP date within the limit', 'Sun, 01 Mar 2026 12:00:30 GMT', 60_000, true],
    ['Retry-After HTTP date over the limit', 'Sun, 01 Mar 2026 13:00:00 GMT', 60_000, false],
    ['unreadable Retry-After counts as none', 'soon', 60_000, true],
  ])('%s', (_name, header, maxMs, expected) => {
    expect(isGraphWaitAffordable(answer(header), maxMs, NOW)).toBe(expected);
  });

  it('defaults to a minute, a few retries', () => {
    expect(GRAPH_RETRY_DEFAULTS).toEqual({ delaySeconds: 2, maxRetries: 4, maxRetryAfterSeconds: 60 });
  });
});
