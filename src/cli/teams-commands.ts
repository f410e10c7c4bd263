/**
 * `presence-bridge teams …` operator commands:
 * - `teams login --account <name>`: signs a service account in with the device-code flow (the
 *   operator opens the URL and enters the code); its refresh token is kept encrypted in the store;
 * - `teams logout --account <name>`: forgets an account (its subscription goes at the next maintenance);
 * - `teams subscriptions [--json]`: accounts, users covered, subscription expiry, last notification;
 * - `teams sync [--refresh-directory] [--json]`: runs maintenance + reconciliation now, with progress.
 * Results go to stdout, progress and prompts to stderr, so `--json` output stays machine-readable.
 * Failures are thrown to the CLI root, which prints them and exits with 1.
 */
import type { Command } from 'commander';
import { BridgeError, InvalidInputError } from '../errors';
import { describeCoverage, type MaintenanceProgress } from '../sources/teams/maintainer';
import type { SubscriptionStatus, TeamsRuntime } from '../sources/teams/runtime';
import type { LocalLoginEvent } from '../runtime/local-control';

export interface TeamsCliDeps {
  /** Builds the Teams runtime (reads config, opens the store) when a command runs. */
  readonly openRuntime: () => Promise<TeamsRuntime>;
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  /**
   * Set while a local bridge runs (`npm start` owns the embedded store): `teams login` then runs inside
   * it through the loopback control route (src/runtime/local-control.ts), which also subscribes at once.
   */
  readonly loginThroughBridge?: (request: { account: string; timeoutSeconds: number }, onEvent: (event: LocalLoginEvent) => void) => Promise<void>;
  /**
   * Why `teams login` cannot run here without a running bridge, when it cannot (no Teams credentials: the
   * sign-in is against the running bridge's Microsoft sandbox).
   */
  readonly loginNeedsBridge?: string;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function ago(iso: string | undefined, now: number): string {
  if (!iso) return '-';
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return iso;
  const span = Math.abs(seconds);
  const text = span < 120 ? `${span}s` : span < 7200 ? `${Math.round(span / 60)}m` : `${Math.round(span / 3600)}h`;
  return seconds >= 0 ? `${text} ago` : `in ${text}`;
}

/** Renders the subscriptions table an operator reads. */
export function formatSubscriptions(rows: readonly SubscriptionStatus[], now: number): string {
  if (rows.length === 0) return 'No Teams service accounts. Sign one in with: presence-bridge teams login --account <name>';
  return table([
    ['ACCOUNT', 'SIGNED IN AS', 'USERS', 'SUBSCRIPTION', 'EXPIRES', 'LAST NOTIFICATION', 'LAST ERROR'],
    ...rows.map((row) => [
      row.account,
      row.username ?? '(not signed in)',
      String(row.users),
      row.subscriptionId ?? '-',
      row.expiresAt ? `${row.expiresAt} (${ago(row.expiresAt, now)})` : '-',
      row.lastNotificationAt ? `${row.lastNotificationAt} (${ago(row.lastNotificationAt, now)})` : '-',
      row.lastError ?? '',
    ]),
  ]);
}

function describeProgress(progress: MaintenanceProgress): string {
  if (progress.total !== undefined && progress.done !== undefined) return `${progress.message}: ${progress.done}/${progress.total}`;
  if (progress.done !== undefined) return `${progress.message}: ${progress.done}`;
  return progress.message;
}

/** `teams login` run by the running bridge: prints its streamed prompt, who signed in and the subscription made. */
async function loginInBridge(
  login: NonNullable<TeamsCliDeps['loginThroughBridge']>,
  account: string,
  timeoutSeconds: number,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<void> {
  err(
    `Signing in service account "${account}" through the running bridge. Use a dedicated Teams user; it will hold one presence subscription for up to 650 users.`,
  );
  let failure: string | undefined;
  await login({ account, timeoutSeconds }, (event) => {
    if (event.event === 'prompt') err(event.message);
    else if (event.event === 'signed-in') out(`Service account "${event.account}" signed in as ${event.username}.`);
    else if (event.event === 'maintenance') {
      for (const row of event.accounts)
        out(`  ${row.account}: ${row.users} users, subscription ${row.error ? `error: ${row.error}` : (row.action ?? 'unchanged')}`);
      if (event.errors.length > 0) failure = `Teams maintenance after the sign-in reported errors:\n  ${event.errors.join('\n  ')}`;
    } else failure = event.message;
  });
  if (failure) throw new BridgeError(failure);
}

/** Adds the `teams` command group to the operator CLI. */
export function registerTeamsCommands(program: Command, deps: TeamsCliDeps): Command {
  const out = deps.stdout ?? ((text: string) => process.stdout.write(text + '\n'));
  const err = deps.stderr ?? ((text: string) => process.stderr.write(text + '\n'));

  // Errors propagate to the CLI root (src/cli.ts), which prints them and exits 1; it also closes what was opened.
  const withRuntime = async (work: (runtime: TeamsRuntime) => Promise<void>): Promise<void> => work(await deps.openRuntime());

  const teams = program.command('teams').description('Microsoft Teams: service accounts, presence subscriptions, sync');

  teams
    .command('login')
    .description('sign a service account in (device code); its refresh token is stored encrypted')
    .requiredOption('--account <name>', 'name of the service account in the pool (a-z, 0-9, -, _)')
    .option('--timeout <seconds>', 'give up waiting for the sign-in after this many seconds', '900')
    .action(async (options: { account: string; timeout: string }) => {
      const timeoutSeconds = Number(options.timeout);
      if (!Number.isInteger(timeoutSeconds) || timeoutSeconds <= 0) throw new InvalidInputError('--timeout must be a whole number of seconds');
      if (deps.loginThroughBridge) {
        await loginInBridge(deps.loginThroughBridge, options.account, timeoutSeconds, out, err);
        return;
      }
      if (deps.loginNeedsBridge) throw new BridgeError(deps.loginNeedsBridge);
      await withRuntime(async (runtime) => {
        err(`Signing in service account "${options.account}". Use a dedicated Teams user; it will hold one presence subscription for up to 650 users.`);
        const record = await runtime.login(options.account, (prompt) => err(prompt.message), { timeoutSeconds });
        out(`Service account "${record.name}" signed in as ${record.username}. The next maintenance run creates its subscription.`);
      });
    });

  teams
    .command('logout')
    .description('forget a service account and its tokens')
    .requiredOption('--account <name>', 'name of the service account')
    .action(async (options: { account: string }) => {
      await withRuntime(async (runtime) => {
        await runtime.logout(options.account);
        out(`Service account "${options.account}" removed; its subscription is deleted at the next maintenance run.`);
      });
    });

  teams
    .command('subscriptions')
    .description('list service accounts, users covered, subscription expiry and last notification time')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withRuntime(async (runtime) => {
        if (runtime.settings.mode === 'polling' && !options.json) {
          err('Teams runs in polling mode (TEAMS_MODE=polling, or no BRIDGE_PUBLIC_URL): presence is read, not subscribed to.');
        }
        const rows = await runtime.listSubscriptions();
        out(options.json ? JSON.stringify(rows, null, 2) : formatSubscriptions(rows, Date.now()));
        if (!options.json) {
          const directory = await runtime.loadCoverage();
          if (directory?.coverage) out(`Coverage at the directory refresh of ${directory.refreshedAt}: ${describeCoverage(directory.coverage)}`);
        }
      });
    });

  teams
    .command('sync')
    .description("reconcile now: refresh subscriptions (subscription mode) and read every user's presence from Graph")
    .option('--refresh-directory', 'list users from Graph even if the directory is recent')
    .option('--json', 'print the report as JSON')
    .action(async (options: { refreshDirectory?: boolean; json?: boolean }) => {
      await withRuntime(async (runtime) => {
        err(`Teams sync (${runtime.settings.mode} mode)…`);
        const report = await runtime.runMaintenance({
          forceDirectoryRefresh: options.refreshDirectory === true,
          onProgress: (progress) => err(`  ${describeProgress(progress)}`),
        });
        if (options.json) {
          out(JSON.stringify(report, null, 2));
        } else {
          out(
            `Teams sync done: ${report.users} users, ${report.presencesRead} presences read, ${report.eventsRecorded} recorded` +
              (report.directoryRefreshed ? ', directory refreshed' : ''),
          );
          if (report.coverage) {
            const needed = report.mode === 'subscription' ? `; ${report.accountsNeeded} service account(s) needed (650 users each)` : '';
            out(`  coverage: ${describeCoverage(report.coverage)}${needed}`);
          }
          for (const account of report.accounts) {
            out(`  ${account.account}: ${account.users} users, ${account.error ? `error: ${account.error}` : (account.action ?? 'unchanged')}`);
          }
          if (report.uncovered > 0)
            out(`  ${report.uncovered} covered users have no subscription (650 per service account; sign in more service accounts): they are only reconciled`);
        }
        if (report.errors.length > 0) throw new BridgeError(`Teams sync finished with errors:\n  ${report.errors.join('\n  ')}`);
      });
    });

  return teams;
}
