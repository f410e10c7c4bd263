/**
 * Composition root of the operator CLI (`npx presence-bridge <command>`). Commands parse and print;
 * the parts they act on are opened lazily from configuration (src/runtime/cli-context.ts).
 */
import { Command } from 'commander';
import { loadConfig, type BridgeConfig } from './config';
import { BridgeError, describeError } from './errors';
import { createLogger } from './logger';
import { loadPresenceMapping } from './presence';
import { registerGenesysCommands } from './cli/genesys-commands';
import { registerStatusCommand } from './cli/status-command';
import { createPrimarySourceReader } from './status/primary-sources';
import { createCliContext, type CliContext } from './runtime/cli-context';
import { VENDOR_MODULES } from './sources';

function buildProgram(config: BridgeConfig, context: CliContext): Command {
  const program = new Command('presence-bridge')
    .description('Operator CLI of presence-bridge: Teams, Zoom and RingCentral presence into Genesys Cloud custom presence sources')
    .showHelpAfterError();

  registerGenesysCommands(program, () => context.genesys(), config.genesys.sourceNames, {
    mapping: () => loadPresenceMapping(config.presenceMappingFile),
  });

  registerStatusCommand(program, {
    store: () => context.store(),
    primarySources: createPrimarySourceReader(async () => {
      const genesys = await context.genesys();
      return { getPrimarySource: (id) => genesys.presence.getPrimarySource(id), listSources: () => genesys.sources.listSources() };
    }),
  });

  // Each vendor's commands act on the bridge assembled on first use (assembleBridge), so they record
  // through the same recorder as the server.
  for (const module of VENDOR_MODULES) {
    module.registerCommands?.(program, { config, localRuntime: context.runtime, open: () => context.open() });
  }
  return program;
}

/** Runs the CLI with `argv` (process.argv form); resolves with the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  let config: BridgeConfig;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`presence-bridge: ${(error as Error).message}\n`);
    return 2;
  }
  const logger = createLogger(config.logLevel === 'debug' ? 'debug' : 'warn', (line) => process.stderr.write(line + '\n'));
  const context = createCliContext(config, logger);
  const program = buildProgram(config, context);
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    process.stderr.write(`presence-bridge: ${error instanceof BridgeError ? error.message : describeError(error)}\n`);
    return 1;
  } finally {
    await context.close().catch(() => undefined);
  }
}

if (require.main === module || require.main?.filename.endsWith('presence-bridge.js')) {
  void runCli(process.argv).then((code) => process.exit(code));
}
