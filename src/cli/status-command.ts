/**
 * `presence-bridge status [--email …] [--system …] [--unmatched]`: per user and source, what the
 * source reported (desired), what Genesys holds from the bridge (applied), and the user's primary
 * source — read-only: the bridge never changes which source is primary. The status page
 * (`GET /status`, src/status/) shows the same records and reads primary sources the same way.
 */
import type { Command } from 'commander';
import { PRIMARY_LOOKUP_LIMIT, type PrimarySourceReader } from '../status/primary-sources';
import type { StateStore, UserStateRecord } from '../store/state-store';
import { isSystemName, SYSTEM_LABELS } from '../systems';
import { formatTable } from './genesys-commands';

export interface StatusDeps {
  store(): Promise<StateStore>;
  /** Names of the primary sources of Genesys users, or an explanation where one cannot be read (bounded). */
  readonly primarySources: PrimarySourceReader;
}

function describeApplied(record: UserStateRecord): string {
  if (!record.applied) return '-';
  return `${record.applied.target} "${record.applied.message}"`;
}

export function registerStatusCommand(program: Command, deps: StatusDeps): void {
  program
    .command('status')
    .description("show desired vs applied presence per user and source, and each user's primary source (read-only)")
    .option('--email <email>', 'only this user (case-insensitive)')
    .option('--system <system>', 'only teams, zoom or ringcentral')
    .option('--unmatched', 'only users no Genesys user could be matched to')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { email?: string; system?: string; unmatched?: boolean; json?: boolean }) => {
      const out = process.stdout;
      if (options.system && !isSystemName(options.system)) {
        out.write(`--system must be teams, zoom or ringcentral, got "${options.system}"\n`);
        process.exitCode = 2;
        return;
      }
      const store = await deps.store();
      const records = await store.list({
        email: options.email,
        system: options.system as never,
        status: options.unmatched ? 'unmatched' : undefined,
      });
      // Primary sources only for a short listing, to spare the Genesys budget.
      const primaries =
        records.length <= PRIMARY_LOOKUP_LIMIT
          ? await deps.primarySources.read(records.map((r) => r.genesysUserId ?? r.applied?.genesysUserId).filter(Boolean) as string[])
          : new Map<string, string>();
      if (options.json) {
        out.write(
          JSON.stringify(
            records.map((r) => ({ ...r, primarySource: primaries.get(r.genesysUserId ?? '') })),
            null,
            2,
          ) + '\n',
        );
        return;
      }
      if (records.length === 0) {
        out.write(options.email ? `no presence recorded for ${options.email}\n` : 'no presence recorded yet\n');
        return;
      }
      const rows = records.map((r) => {
        const userId = r.genesysUserId ?? r.applied?.genesysUserId;
        return [
          r.email ?? r.key.externalUserId,
          SYSTEM_LABELS[r.key.system],
          r.desired.target === null ? `skip "${r.desired.message}"` : `${r.desired.target} "${r.desired.message}"`,
          describeApplied(r),
          r.status,
          userId ? (primaries.get(userId) ?? '(not looked up)') : '-',
          r.detail ?? '',
        ];
      });
      out.write(formatTable(['user', 'source', 'desired', 'applied', 'status', 'primary source', 'detail'], rows));
      const unmatched = records.filter((r) => r.status === 'unmatched').length;
      if (unmatched > 0) out.write(`\n${unmatched} unmatched user(s): add them to USER_MAPPING_FILE or fix the email in Genesys\n`);
    });
}
