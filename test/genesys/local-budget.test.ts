import fc from 'fast-check';
import { createLocalBudget } from '../../src/genesys/local-budget';
import { maxInWindow } from '../helpers/windows';

describe('createLocalBudget', () => {
  it('hands out the first slot at once and paces the next ones', async () => {
    const now = 1_000_000;
    const budget = createLocalBudget(300, () => now);
    expect(await budget.reserve()).toBe(now);
    expect(await budget.reserve()).toBe(now + budget.spacingMs);
    expect(budget.spacingMs).toBeGreaterThanOrEqual(200);
  });

  it('never hands out a slot in the past', async () => {
    let now = 0;
    const budget = createLocalBudget(60, () => now);
    await budget.reserve();
    now = 10 * 60_000;
    expect(await budget.reserve()).toBe(now);
  });

  it('holdUntil pushes every later slot past the hold', async () => {
    const now = 0;
    const budget = createLocalBudget(6000, () => now);
    await budget.reserve();
    await budget.holdUntil(5000);
    expect(await budget.reserve()).toBeGreaterThanOrEqual(5000);
    await budget.holdUntil(1000); // an earlier hold does not move it back
    expect(await budget.reserve()).toBeGreaterThan(5000);
  });

  it('rejects a budget that is not a positive whole number', () => {
    expect(() => createLocalBudget(0)).toThrow(RangeError);
    expect(() => createLocalBudget(2.5)).toThrow(RangeError);
  });

  it('in burst mode, hands out N slots at once, then the next one a window after the first', async () => {
    const now = 1_000_000;
    const budget = createLocalBudget(5, () => now, { burst: true, windowMs: 60_000, marginMs: 300 });
    const slots = [];
    for (let i = 0; i < 6; i += 1) slots.push(await budget.reserve());
    expect(slots.slice(0, 5)).toEqual([now, now, now, now, now]);
    expect(slots[5]).toBe(now + 60_300);
  });

  it.each([false, true])('property: no window ever holds more than N slots, whatever the timing and holds (burst: %s)', async (burst) => {
    type Step = { kind: 'reserve' } | { kind: 'advance'; ms: number } | { kind: 'hold'; ms: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      { weight: 6, arbitrary: fc.constant({ kind: 'reserve' as const }) },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: 90_000 }).map((ms) => ({ kind: 'advance' as const, ms })) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 120_000 }).map((ms) => ({ kind: 'hold' as const, ms })) },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1000, max: 60_000 }),
        fc.array(step, { minLength: 1, maxLength: 300 }),
        async (limit, windowMs, steps) => {
          let now = 1_700_000_000_000;
          const budget = createLocalBudget(limit, () => now, { windowMs, burst });
          const slots: number[] = [];
          let held = 0;
          for (const s of steps) {
            if (s.kind === 'advance') now += s.ms;
            else if (s.kind === 'hold') {
              held = Math.max(held, now + s.ms);
              await budget.holdUntil(now + s.ms);
            } else {
              const slot = await budget.reserve();
              expect(slot).toBeGreaterThanOrEqual(now);
              expect(slot).toBeGreaterThanOrEqual(held);
              slots.push(slot);
            }
          }
          expect(maxInWindow(slots, windowMs)).toBeLessThanOrEqual(limit);
        },
      ),
      { numRuns: 300 },
    );
  });
});
