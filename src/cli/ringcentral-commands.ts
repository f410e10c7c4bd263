/**
 * `presence-bridge ringcentral …`: the operator's view of RingCentral subscriptions and the presence
 * backfill. Registered on the program by the CLI composition root, which supplies the concrete parts
 * (client, store, recorder) lazily, so `--help` needs no credentials.
 */
import type { Command } from 'commander';
import type { PresenceEvent } from '../presence';
import type { DocumentStore } from '../store/state-store';
import { backfillRingCentralPresence, type RingCentralBackfillProgress } from '../sources/ringcentral/backfill';
import type { RingCentralClient } from '../sources/ringcentral/client';
import { refreshRingCentralDirectory } from '../sources/ringcentral/directory';
import { DEFAULT_RINGCENTRAL_SETTINGS, type RingCentralSettings } from '../sources/ringcentral/ringcentral-settings';
import {
  ensureRingCentralSubscription,
  isBridgeSubscription,
  listRingCentralSubscriptions,
  ringCentralNotificationUrl,
  type RingCentralSubscription,
} from '../sources/ringcentral/subscriptions';

/** Where the commands write: stdout for results, stderr for progress. */
export interface CliOutput {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface RingCentralCommandDeps {
  /** The RingCentral client (built on first use). */
  readonly client: () => RingCentralClient | Promise<RingCentralClient>;
  /** The document store (subscriptions, directory, shared token). */
  readonly documents: () => DocumentStore | Promise<DocumentStore>;
  /** Records backfilled events (desired state + enqueue). */
  readonly record: (events: readonly PresenceEvent[]) => Promise<unknown>;
  /** The first RINGCENTRAL_VERIFICATION_TOKEN value, for `--ensure`. */
  readonly verificationToken?: string;
  /** The deployment's public base URL, for `--ensure` (overridable with `--base-url`). */
  readonly publicBaseUrl?: string;
  readonly settings?: RingCentralSettings;
  readonly stdout?: CliOutput;
  readonly stderr?: CliOutput;
  readonly now?: () => number;
}

/** Fits text into a column. */
function cell(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

function describeFilters(filters: readonly string[]): string {
  if (filters.length === 0) return '(none)';
  if (filters.length === 1) return filters[0];
  return `${filters.length} filters (${filters[0]}, …)`;
}

/** The subscriptions table: id, status, filters, expires, blacklisted reason. `*` marks the bridge's own. */
export function formatRingCentralSubscriptionTable(subscriptions: readonly RingCentralSubscription[], notificationUrl?: string): string {
  const rows = subscriptions.map((s) => [
    `${notificationUrl && isBridgeSubscription(s, notificationUrl) ? '*' : ' '}${s.id}`,
    s.status ?? '?',
    describeFilters(s.eventFilters),
    s.expirationTime ?? '?',
    s.blacklistedData?.reason ?? '',
  ]);
  const headers = [' ID', 'STATUS', 'FILTERS', 'EXPIRES', 'BLACKLISTED REASON'];
  const caps = [40, 12, 70, 24, 60];
  const widths = headers.map((h, i) => Math.min(caps[i], Math.max(h.length, ...rows.map((r) => r[i].length))));
  const line = (values: string[]) =>
    values
      .map((v, i) => cell(v, widths[i]))
      .join('  ')
      .trimEnd();
  if (rows.length === 0) return 'no RingCentral subscriptions\n';
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** A one-line progress display: a bar on a terminal, plain lines otherwise. */
export function formatRingCentralBackfillProgress(progress: RingCentralBackfillProgress, tty: boolean, width = 24): string {
  const counts = `read ${progress.read}, recorded ${progress.recorded}, failed ${progress.failed}`;
  const of = progress.totalPages !== undefined ? `/${progress.totalPages}` : '';
  if (!tty) return `page ${progress.page}${of}: ${counts}\n`;
  const fraction = progress.totalPages ? Math.min(1, progress.page / progress.totalPages) : 0;
  const filled = Math.round(fraction * width);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] page ${progress.page}${of}  ${counts}`;
}

/** Adds `ringcentral subscriptions` and `ringcentral backfill` to `program`. */
export function registerRingCentralCommands(program: Command, deps: RingCentralCommandDeps): Command {
  const stdout: CliOutput = deps.stdout ?? process.stdout;
  const stderr: CliOutput = deps.stderr ?? process.stderr;
  const settings = deps.settings ?? DEFAULT_RINGCENTRAL_SETTINGS;
  const ringcentral = program.command('ringcentral').description('RingCentral webhook subscriptions and presence backfill');

  ringcentral
    .command('subscriptions')
    .description("list the RingCentral subscriptions of the app user (* = the bridge's own); --ensure creates, renews or re-creates them")
    .option('--ensure', "create, renew, update or re-create (blacklisted) the bridge's presence subscriptions first")
    .option('--base-url <url>', 'public base URL of this deployment (the webhook is <url>/webhooks/ringcentral)')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { ensure?: boolean; baseUrl?: string; json?: boolean }) => {
      const client = await deps.client();
      const baseUrl = opts.baseUrl ?? deps.publicBaseUrl;
      const notificationUrl = baseUrl ? ringCentralNotificationUrl(baseUrl) : undefined;
      if (opts.ensure) {
        if (!notificationUrl) throw new Error('--ensure needs the public base URL of this deployment: pass --base-url <url>');
        if (!deps.verificationToken) throw new Error('--ensure needs RINGCENTRAL_VERIFICATION_TOKEN to be set');
        const report = await ensureRingCentralSubscription({
          client,
          documents: await deps.documents(),
          notificationUrl,
          verificationToken: deps.verificationToken,
          scope: settings.subscriptionScope,
          expiresIn: settings.subscriptionExpiresIn,
          filtersPerSubscription: settings.filtersPerSubscription,
          now: deps.now,
        });
        if (!opts.json) {
          stdout.write(`scope: ${report.scope}${report.accountScopeRefusal ? ` (account-wide filter refused: ${report.accountScopeRefusal})` : ''}\n`);
          for (const action of report.actions) stdout.write(`${action.action} ${action.id}${action.detail ? ` — ${action.detail}` : ''}\n`);
        }
      }
      const subscriptions = await listRingCentralSubscriptions(client);
      stdout.write(opts.json ? JSON.stringify(subscriptions, null, 2) + '\n' : formatRingCentralSubscriptionTable(subscriptions, notificationUrl));
    });

  ringcentral
    .command('backfill')
    .description('read the presence of every extension (Heavy rate group, paced) and record it')
    .option('--page-size <n>', 'extensions per page (1–1000)', (value) => Number.parseInt(value, 10))
    .option('--skip-directory', 'do not refresh the extension → email directory first')
    .action(async (opts: { pageSize?: number; skipDirectory?: boolean }) => {
      const perPage = opts.pageSize ?? settings.backfillPageSize;
      if (!Number.isInteger(perPage) || perPage < 1 || perPage > 1000) throw new Error('--page-size must be a whole number from 1 to 1000');
      const client = await deps.client();
      if (!opts.skipDirectory) {
        // Events carry no email: the worker matches users through this directory.
        const directory = await refreshRingCentralDirectory(client, await deps.documents(), { now: deps.now });
        stderr.write(`directory: ${directory.extensions} extensions, ${directory.withEmail} with an email\n`);
      }
      const tty = stderr.isTTY === true;
      const result = await backfillRingCentralPresence({
        client,
        record: deps.record,
        perPage,
        now: deps.now,
        onProgress: (progress) => stderr.write(formatRingCentralBackfillProgress(progress, tty)),
      });
      if (tty) stderr.write('\n');
      stdout.write(`backfill: ${result.pages} page(s), ${result.read} read, ${result.recorded} recorded, ${result.failures.length} failed\n`);
      for (const failure of result.failures.slice(0, 20)) {
        const where = [failure.page !== undefined && `page ${failure.page}`, failure.extensionId && `extension ${failure.extensionId}`]
          .filter(Boolean)
          .join(', ');
        stdout.write(`  failed${where ? ` (${where})` : ''}: ${failure.reason}\n`);
      }
      if (result.failures.length > 20) stdout.write(`  … and ${result.failures.length - 20} more\n`);
      if (result.failures.length > 0) process.exitCode = 1;
    });
  return ringcentral;
}
