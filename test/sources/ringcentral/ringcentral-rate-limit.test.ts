import type { LoopReply } from '../../../src/http/request-loop';
import {
  createRingCentralRateGate,
  createRingCentralRequestPolicy,
  RINGCENTRAL_DEFAULT_PENALTY_MS,
  type RingCentralRateGroup,
} from '../../../src/sources/ringcentral/ringcentral-rate-limit';

const NOW = Date.parse('2026-03-01T12:00:00Z');

function policy(options: { idempotent?: boolean; group?: RingCentralRateGroup } = {}) {
  const gate = createRingCentralRateGate({ now: () => NOW, sleep: async () => undefined });
  const paused: [RingCentralRateGroup, number][] = [];
  const pauseUntil = gate.pauseUntil.bind(gate);
  gate.pauseUntil = (group, epochMs) => {
    paused.push([group, epochMs - NOW]);
    pauseUntil(group, epochMs);
  };
  const p = createRingCentralRequestPolicy({
    group: options.group ?? 'Heavy',
    gate,
    idempotent: options.idempotent ?? true,
    maxAttempts: 4,
    now: () => NOW,
    path: '/restapi/v1.0/account/~/presence',
    error: (reply) => new Error(`HTTP ${reply.status}`),
  });
  return { p, paused };
}

const reply = (status: number, headers: Record<string, string> = {}): LoopReply => ({ status, headers, data: undefined });

describe('RingCentral policy', () => {
  it.each<[string, LoopReply, boolean, unknown]>([
    ['200 is done', reply(200), true, { kind: 'done' }],
    ['204 is done', reply(204), true, { kind: 'done' }],
    ['429 with Retry-After waits it', reply(429, { 'retry-after': '7' }), true, { kind: 'rate-limited', waitMs: 7000 }],
    ['429 without Retry-After waits a whole penalty (≥ 30 s documented)', reply(429), true, { kind: 'rate-limited', waitMs: RINGCENTRAL_DEFAULT_PENALTY_MS }],
    ['429 on a POST is retried too (not processed)', reply(429), false, { kind: 'rate-limited', waitMs: 60_000 }],
    ['401 renews the token', reply(401), true, { kind: 'unauthorized' }],
    ['503 on an idempotent call backs off', reply(503), true, { kind: 'retry' }],
    ['503 on a create is not repeated', reply(503), false, { kind: 'fail' }],
    ['no answer on an idempotent call backs off', reply(0), true, { kind: 'retry' }],
    ['no answer on a create is not repeated', reply(0), false, { kind: 'fail' }],
    ['403 fails at once', reply(403), true, { kind: 'fail' }],
    ['404 fails at once', reply(404), true, { kind: 'fail' }],
  ])('%s', (_name, answer, idempotent, expected) => {
    expect(policy({ idempotent }).p.classify(answer, 1)).toEqual(expected);
  });

  it('X-Rate-Limit-Remaining: 0 pauses the group for X-Rate-Limit-Window before RingCentral says 429', () => {
    const { p, paused } = policy({ group: 'Medium' });
    p.observe!(reply(200, { 'x-rate-limit-remaining': '0', 'x-rate-limit-window': '30' }));
    p.observe!(reply(200, { 'x-rate-limit-remaining': '3', 'x-rate-limit-window': '60' }));
    expect(paused).toEqual([['Medium', 30_000]]);
  });

  it('a 429 pauses the whole group, on the last attempt too', async () => {
    const { p, paused } = policy({ group: 'Light' });
    await p.share!(NOW + 60_000, false);
    expect(paused).toEqual([['Light', 60_000]]);
  });
});
