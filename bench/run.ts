/**
 * `npm run bench`: runs every benchmark in turn, prints each figure as it is measured, then a summary
 * table with every target and its verdict, and writes `bench/results.json`.
 *
 * Flags (or the environment variables beside them):
 *   --users N        BENCH_USERS         budget benchmark: distinct users (default 2000)
 *   --flaps K        BENCH_FLAPS         budget benchmark: events per user (default 5)
 *   --rpm R          BENCH_RPM           budget benchmark: requests per minute (default 6000)
 *   --burst-seconds  BENCH_BURST_SECONDS budget benchmark: users start flapping within this window (default 5)
 *   --flap-gap-ms    BENCH_FLAP_GAP_MS   budget benchmark: time between two flaps of one user (default 400)
 *   --only LIST      BENCH_ONLY          comma-separated subset of: ack, budget, coldstart, store
 *   --results FILE   BENCH_RESULTS       where to write the results (default bench/results.json)
 */
import path from 'node:path';
import { DEFAULT_ACK_OPTIONS, runAckLatency } from './ack-latency';
import { DEFAULT_BUDGET_OPTIONS, reportBudget, runBudget } from './budget';
import { runColdStart } from './cold-start';
import { BenchReport } from './results';
import { round } from './stats';
import { DEFAULT_STORE_OPTIONS, runStoreThroughput } from './store-throughput';

/** In the order: 1 ack latency, 2 budget, 3 cold start, 4 store throughput. */
const BENCHMARKS = ['ack', 'budget', 'coldstart', 'store'] as const;
type BenchmarkName = (typeof BENCHMARKS)[number];

/** The whole run ends by itself, whatever happens (each benchmark is bounded well below this). */
const WATCHDOG_MS = 20 * 60_000;

function flag(args: readonly string[], name: string): string | undefined {
  const index = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  if (index < 0) return undefined;
  const arg = args[index]!;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[index + 1];
}

function positiveNumber(value: string | undefined, fallback: number, what: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${what} must be a positive number, got "${value}"`);
  return parsed;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

export async function main(args: readonly string[] = []): Promise<void> {
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: still running after ${WATCHDOG_MS / 60_000} minutes; stopping\n`);
    process.exit(2);
  }, WATCHDOG_MS);
  watchdog.unref();

  // The AWS SDK warns once that future versions need Node 22; it says nothing about these figures.
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    const text = `${warning.name}: ${warning.message}`;
    if (!text.includes('NodeVersionSupportWarning')) process.stderr.write(`${text}\n`);
  });

  const env = process.env;
  const onlyText = flag(args, 'only') ?? env.BENCH_ONLY;
  const only = new Set<BenchmarkName>(onlyText ? (onlyText.split(',').map((name) => name.trim()) as BenchmarkName[]) : [...BENCHMARKS]);
  for (const name of only) {
    if (!BENCHMARKS.includes(name)) throw new Error(`unknown benchmark "${name}"; choose from ${BENCHMARKS.join(', ')}`);
  }
  const budgetOptions = {
    users: Math.round(positiveNumber(flag(args, 'users') ?? env.BENCH_USERS, DEFAULT_BUDGET_OPTIONS.users, 'BENCH_USERS')),
    flaps: Math.round(positiveNumber(flag(args, 'flaps') ?? env.BENCH_FLAPS, DEFAULT_BUDGET_OPTIONS.flaps, 'BENCH_FLAPS')),
    requestsPerMinute: Math.round(positiveNumber(flag(args, 'rpm') ?? env.BENCH_RPM, DEFAULT_BUDGET_OPTIONS.requestsPerMinute, 'BENCH_RPM')),
    burstSeconds: positiveNumber(flag(args, 'burst-seconds') ?? env.BENCH_BURST_SECONDS, DEFAULT_BUDGET_OPTIONS.burstSeconds, 'BENCH_BURST_SECONDS'),
    flapGapMs: positiveNumber(flag(args, 'flap-gap-ms') ?? env.BENCH_FLAP_GAP_MS, DEFAULT_BUDGET_OPTIONS.flapGapMs, 'BENCH_FLAP_GAP_MS'),
  };
  const resultsFile = path.resolve(flag(args, 'results') ?? env.BENCH_RESULTS ?? path.join(__dirname, 'results.json'));

  const report = new BenchReport();
  Object.assign(report.parameters, {
    benchmarks: [...only],
    ack: DEFAULT_ACK_OPTIONS,
    budget: budgetOptions,
    store: DEFAULT_STORE_OPTIONS,
    coldStart: { runs: 7 },
  });
  log(`presence-bridge benchmarks: ${[...only].join(', ')} (Node ${process.version}, ${report.machine.cores} cores)`);
  log(`  ${report.machine.note}`);

  const steps: Record<BenchmarkName, { title: string; run: () => Promise<void> }> = {
    coldstart: { title: '3. Lambda cold start', run: () => runColdStart(report, { runs: 7 }, log) },
    store: { title: '4. Store throughput', run: () => runStoreThroughput(report, DEFAULT_STORE_OPTIONS, log) },
    ack: { title: '1. Acknowledgement latency', run: () => runAckLatency(report, DEFAULT_ACK_OPTIONS, log) },
    budget: {
      title: '2. Budget efficiency under a burst',
      run: async () => {
        reportBudget(report, await runBudget(budgetOptions, log));
      },
    },
  };
  for (const name of BENCHMARKS) {
    if (!only.has(name)) continue;
    const step = steps[name];
    log(`\n${step.title}`);
    const started = Date.now();
    try {
      await step.run();
    } catch (error) {
      const message = (error as Error).stack ?? String(error);
      log(`  FAILED: ${message}`);
      report.addNote(`${step.title} failed: ${(error as Error).message}`);
      report.addTarget({
        id: `${name}.run`,
        benchmark: name,
        description: `${step.title} ran to the end`,
        target: 'runs',
        actual: 'failed',
        verdict: 'missed',
        note: (error as Error).message,
      });
    }
    log(`  (${round((Date.now() - started) / 1000, 1)} s)`);
  }

  report.addNote(
    'Figures come from one shared 2-core machine where other work may run at the same time; latency tails especially are noisy. ' +
      'The ack benchmarks put the server and the load client on the same two cores.',
  );
  report.write(resultsFile);
  log(report.format());
  log(`\nresults written to ${path.relative(process.cwd(), resultsFile) || resultsFile}`);
  clearTimeout(watchdog);
}
