/**
 * Operator commands for Genesys Cloud: `sources ensure`, `sources list` and `definitions list`.
 * Only parsing and printing live here; the composition root (cli.ts) supplies the client.
 */
import type { Command } from 'commander';
import type { GenesysClient } from '../genesys/client';
import { isSystemSource, type PresenceSource, type SourceNames } from '../genesys/sources';
import { DEFAULT_PRESENCE_MAPPING, SKIP, type PresenceMapping } from '../presence';
import { SYSTEM_LABELS, SYSTEMS } from '../systems';

/** Where the commands write; defaults to the process's streams. */
export interface GenesysCommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly setExitCode: (code: number) => void;
}

export interface GenesysCommandOptions {
  readonly io?: Partial<GenesysCommandIo>;
  /** The mapping whose targets `definitions list` checks; default: the built-in mapping. */
  readonly mapping?: PresenceMapping | (() => PresenceMapping);
}

/** Finds a subcommand by name or creates it, so several registrars can share a parent. */
function subcommand(parent: Command, name: string, description: string): Command {
  return parent.commands.find((command) => command.name() === name) ?? parent.command(name).description(description);
}

/** Left-aligned columns separated by two spaces, with a header row. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** The distinct Genesys targets of a mapping, in first-seen order (Available, Away, Busy, Meeting, Offline by default). */
export function mappingTargets(mapping: PresenceMapping): string[] {
  const targets: string[] = [];
  for (const system of SYSTEMS) {
    for (const row of mapping[system] ?? []) {
      for (const rule of Object.values(row.rules)) {
        if (rule.target !== SKIP && !targets.includes(rule.target)) targets.push(rule.target);
      }
    }
  }
  return targets;
}

/** Table rows of `sources list`: name, id, state, type. */
export function sourceRows(sources: readonly PresenceSource[]): string[][] {
  return [...sources]
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
    .map((source) => [source.name, source.id, source.deactivated ? 'deactivated' : 'active', isSystemSource(source) ? 'System' : (source.type ?? 'User')]);
}

/**
 * Adds the Genesys commands to `program`. `getClient` is called only when a command runs, so
 * `--help` needs no credentials.
 */
export function registerGenesysCommands(
  program: Command,
  getClient: () => Promise<GenesysClient>,
  sourceNames: SourceNames | (() => SourceNames),
  options: GenesysCommandOptions = {},
): void {
  const io: GenesysCommandIo = {
    stdout: options.io?.stdout ?? process.stdout,
    stderr: options.io?.stderr ?? process.stderr,
    setExitCode: options.io?.setExitCode ?? ((code) => (process.exitCode = code)),
  };
  const names = (): SourceNames => (typeof sourceNames === 'function' ? sourceNames() : sourceNames);
  const mapping = (): PresenceMapping => (typeof options.mapping === 'function' ? options.mapping() : (options.mapping ?? DEFAULT_PRESENCE_MAPPING));

  const sources = subcommand(program, 'sources', 'Genesys Cloud custom presence sources of the bridge');

  sources
    .command('ensure')
    .description('find, create or reactivate one custom presence source per system (never a System source)')
    .action(async () => {
      const client = await getClient();
      const ensured = await client.sources.ensureSources(names());
      io.stdout.write(
        formatTable(
          ['system', 'name', 'id'],
          SYSTEMS.map((system) => [SYSTEM_LABELS[system], ensured[system].name, ensured[system].id]),
        ),
      );
    });

  sources
    .command('list')
    .description('list every presence source of the organization (name, id, state, type)')
    .action(async () => {
      const client = await getClient();
      const all = await client.sources.listSources();
      io.stdout.write(formatTable(['name', 'id', 'state', 'type'], sourceRows(all)));
      const wanted = names();
      const missing = SYSTEMS.filter(
        (system) => !all.some((source) => !isSystemSource(source) && !source.deactivated && source.name.toLowerCase() === wanted[system].toLowerCase()),
      );
      if (missing.length > 0) {
        io.stderr.write(
          `no active custom source yet for: ${missing.map((system) => `${SYSTEM_LABELS[system]} ("${wanted[system]}")`).join(', ')}; ` +
            'run `presence-bridge sources ensure`\n',
        );
      }
    });

  const definitions = subcommand(program, 'definitions', 'Genesys Cloud presence definitions');

  definitions
    .command('list')
    .description('show what each mapping target resolves to, then every active presence definition')
    .action(async () => {
      const client = await getClient();
      const targets = mappingTargets(mapping());
      const resolved = await Promise.all(targets.map((target) => client.definitions.resolve(target)));
      io.stdout.write('Mapping targets:\n');
      io.stdout.write(
        formatTable(
          ['target', 'definition id', 'systemPresence', 'label'],
          targets.map((target, index) => {
            const found = resolved[index];
            return found ? [target, found.id, found.systemPresence, found.label] : [target, 'NOT FOUND', '', ''];
          }),
        ),
      );
      const all = await client.definitions.list();
      io.stdout.write(`\nAll active presence definitions (from ${client.definitions.endpoint ?? 'Genesys'}):\n`);
      io.stdout.write(
        formatTable(
          ['id', 'systemPresence', 'kind', 'label'],
          all.map((entry) => [entry.id, entry.systemPresence, entry.primary === true ? 'primary' : entry.primary === false ? 'secondary' : '?', entry.label]),
        ),
      );
      const unresolved = targets.filter((_, index) => resolved[index] === undefined);
      if (unresolved.length > 0) {
        io.stderr.write(`unresolved mapping targets: ${unresolved.join(', ')}; fix PRESENCE_MAPPING_FILE or add the presence in Genesys\n`);
        io.setExitCode(1);
      }
    });
}
