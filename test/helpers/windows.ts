/**
 * How many timestamps fall into the busiest window of `windowMs`: the check behind every "the budget
 * holds" assertion. `closed` counts both ends (a window [t, t + windowMs]); otherwise [t, t + windowMs).
 */
export function maxInWindow(times: readonly number[], windowMs: number, options: { closed?: boolean } = {}): number {
  const sorted = [...times].sort((a, b) => a - b);
  const outside = options.closed ? (span: number) => span > windowMs : (span: number) => span >= windowMs;
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while (outside(sorted[end] - sorted[start])) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
