/**
 * Teams maintenance runs one at a time: a call made during a run waits for it and then runs itself
 * (so it sees what that run stored); a failed run does not block the next; listeners hear each result.
 */
import { serialRuns } from '../../../src/sources/teams/serial-runs';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe('serialRuns', () => {
  it('never overlaps two runs, and runs the later call after the earlier one', async () => {
    const log: string[] = [];
    const gate = deferred();
    let active = 0;
    let n = 0;
    const runs = serialRuns(async () => {
      const id = ++n;
      active += 1;
      log.push(`start ${id} (active ${active})`);
      if (id === 1) await gate.promise;
      active -= 1;
      log.push(`end ${id}`);
      return id;
    });
    const first = runs.run();
    const second = runs.run();
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['start 1 (active 1)']);
    gate.resolve();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(log).toEqual(['start 1 (active 1)', 'end 1', 'start 2 (active 1)', 'end 2']);
  });

  it('runs the next call after a failed run, and the failure reaches only its caller', async () => {
    let n = 0;
    const runs = serialRuns(async () => {
      n += 1;
      if (n === 1) throw new Error('Graph unavailable');
      return n;
    });
    const failed = runs.run();
    const next = runs.run();
    await expect(failed).rejects.toThrow('Graph unavailable');
    expect(await next).toBe(2);
  });

  it('tells listeners each result until they unsubscribe', async () => {
    const runs = serialRuns(async (options?: { label: string }) => options?.label ?? 'none');
    const heard: string[] = [];
    const stop = runs.onFinished((result) => heard.push(result));
    await runs.run({ label: 'a' });
    await runs.run({ label: 'b' });
    stop();
    await runs.run({ label: 'c' });
    expect(heard).toEqual(['a', 'b']);
  });
});
