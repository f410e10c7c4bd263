/**
 * Operator commands for Zoom: `zoom backfill` and `simulate zoom`. Only parsing and printing live here;
 * the composition root (cli.ts) supplies what the commands do through `deps`.
 */
import type { Command } from 'commander';
import type { ZoomBackfillProgress, ZoomBackfillSummary } from '../sources/zoom/backfill';
import { ZOOM_PRESENCE_STATUSES } from '../sources/zoom/schema';

export { buildSimulatedZoomEvent, sendSimulatedZoomEvent } from '../sources/zoom/simulated-event';

/** Where the commands write; defaults to the process's streams. */
export interface ZoomCommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
  readonly now: () => number;
  readonly setExitCode: (code: number) => void;
}

export interface ZoomCommandDeps {
  /** Runs the backfill (all known Zoom users, or only these emails), reporting progress as it goes. */
  backfill(opts: { emails?: string[]; onProgress?: ZoomBackfillProgress }): Promise<ZoomBackfillSummary>;
  /** Posts one signed simulated presence event to the bridge and returns its answer. */
  simulate(opts: { email: string; status: string; url: string; userId?: string }): Promise<{ status: number; body: string }>;
  readonly io?: Partial<ZoomCommandIo>;
}

export const DEFAULT_SIMULATE_URL = 'http://127.0.0.1:3000';

/** Finds a subcommand by name or creates it, so several registrars can share `simulate`. */
export function subcommand(parent: Command, name: string, description: string): Command {
  return parent.commands.find((command) => command.name() === name) ?? parent.command(name).description(description);
}

/**
 * Progress on stderr. On a terminal: one bar redrawn in place (at most every 100 ms). Otherwise (CI logs,
 * files): a plain line at each 10 % step, so logs stay short and readable.
 */
export function createBackfillProgressPrinter(
  stderr: ZoomCommandIo['stderr'],
  now: () => number = Date.now,
): { update: ZoomBackfillProgress; finish: () => void } {
  const tty = stderr.isTTY === true;
  let lastDraw = -Infinity;
  let lastStep = -1;
  let drawn = false;
  const update: ZoomBackfillProgress = (done, total, failures) => {
    const fraction = total === 0 ? 1 : done / total;
    const percent = Math.floor(fraction * 100);
    const failed = failures > 0 ? `, ${failures} failed` : '';
    if (tty) {
      if (done < total && now() - lastDraw < 100) return;
      lastDraw = now();
      const width = Math.max(10, Math.min(40, (stderr.columns ?? 80) - 45));
      const filled = Math.round(fraction * width);
      const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
      stderr.write(`\r\x1b[2KZoom backfill [${bar}] ${String(percent).padStart(3)}% ${done}/${total}${failed}`);
      drawn = true;
      return;
    }
    const step = Math.floor(fraction * 10);
    if (step === lastStep && done < total) return;
    lastStep = step;
    stderr.write(`Zoom backfill: ${done}/${total} (${percent}%)${failed}\n`);
  };
  const finish = (): void => {
    if (tty && drawn) stderr.write('\n');
  };
  return { update, finish };
}

/** The summary printed on stdout after a backfill. */
export function formatBackfillSummary(summary: ZoomBackfillSummary): string {
  const lines = [
    `Zoom backfill: ${summary.total} user(s), ${summary.recorded} recorded, ${summary.failed} failed ` + `(${(summary.durationMs / 1000).toFixed(1)} s)`,
  ];
  if (summary.stoppedEarly) lines.push(`stopped early: ${summary.stoppedEarly}`);
  for (const failure of summary.failures) {
    const who = [failure.email, failure.externalUserId].filter(Boolean).join(' / ') || '(no id)';
    lines.push(`  ${who}: ${failure.reason}`);
  }
  return lines.join('\n') + '\n';
}

/** Adds `zoom backfill` and `simulate zoom` to the program. */
export function registerZoomCommands(program: Command, deps: ZoomCommandDeps): void {
  const io: ZoomCommandIo = {
    stdout: deps.io?.stdout ?? process.stdout,
    stderr: deps.io?.stderr ?? process.stderr,
    now: deps.io?.now ?? Date.now,
    setExitCode:
      deps.io?.setExitCode ??
      ((code) => {
        process.exitCode = code;
      }),
  };

  const zoom = subcommand(program, 'zoom', 'Zoom presence: backfill current states');
  zoom
    .command('backfill')
    .description('read the current Zoom presence of users over REST and record it (needs ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET)')
    .option('--email <email...>', 'only these users (repeatable); default: every known Zoom user')
    .action(async (options: { email?: string[] }) => {
      const emails = options.email
        ?.flatMap((value) => value.split(','))
        .map((value) => value.trim())
        .filter(Boolean);
      const progress = createBackfillProgressPrinter(io.stderr, io.now);
      let summary: ZoomBackfillSummary;
      try {
        summary = await deps.backfill({ ...(emails && emails.length > 0 ? { emails } : {}), onProgress: progress.update });
      } finally {
        progress.finish();
      }
      io.stdout.write(formatBackfillSummary(summary));
      if (summary.failed > 0) io.setExitCode(1);
    });

  const simulate = subcommand(program, 'simulate', 'send a signed simulated event to a running bridge');
  simulate
    .command('zoom')
    .description('send a signed Zoom user.presence_status_updated event to the bridge')
    .requiredOption('--email <email>', 'the user whose presence changes')
    .requiredOption('--status <status>', `Zoom presence_status: ${ZOOM_PRESENCE_STATUSES.join(', ')}`)
    .option('--url <url>', 'base URL of the bridge (or the full webhook URL)', DEFAULT_SIMULATE_URL)
    .option('--user-id <id>', 'Zoom user id (default: derived from the email)')
    .action(async (options: { email: string; status: string; url: string; userId?: string }) => {
      if (!(ZOOM_PRESENCE_STATUSES as readonly string[]).some((known) => known.toLowerCase() === options.status.trim().toLowerCase())) {
        io.stderr.write(
          `warning: "${options.status}" is not a documented Zoom presence_status; sending it anyway ` +
            '(the default mapping records unknown values and writes nothing)\n',
        );
      }
      const answer = await deps.simulate({
        email: options.email,
        status: options.status,
        url: options.url,
        ...(options.userId ? { userId: options.userId } : {}),
      });
      io.stdout.write(`HTTP ${answer.status}${answer.body ? ` ${answer.body}` : ''}\n`);
      if (answer.status < 200 || answer.status >= 300) io.setExitCode(1);
    });
}
