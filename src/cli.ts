/**
 * Composition root of the operator CLI (`npx presence-bridge <command>`). Commands parse and print;
 * the parts they act on are opened lazily from configuration (src/runtime/cli-context.ts).
 */
import { Command } from 'commander';
import { loadConfig, type BridgeConfig } from './config';
import { BridgeError, describeError } from './errors';
import { createLogger, type Logger } from './logger';
import { registerTeamsCommands } from './cli/teams-commands';
import { createGenesysCoverage } from './sources/teams/coverage';
import { createTeamsRuntime } from './sources/teams/runtime';
import { loadPresenceMapping } from './presence';
import { registerGenesysCommands } from './cli/genesys-commands';
import { registerStatusCommand } from './cli/status-command';
import { createPrimarySourceReader } from './status/primary-sources';
import { DEFAULT_SIMULATE_URL, registerZoomCommands } from './cli/zoom-commands';
import { readZoomDevSecret } from './runtime/dev-secrets';
import { createCliContext, type CliContext } from './runtime/cli-context';
import { runZoomBackfill } from './sources/zoom/backfill';
import { createZoomClientFromConfig } from './sources/zoom/client';
import { zoomBackfillUsers } from './runtime/zoom-backfill-users';
import { loadUserMapping } from './users/user-mapping-file';
import { sendSimulatedZoomEvent } from './sources/zoom/simulated-event';
import { recordEvents } from './webhooks/record-events';
import { registerRingCentralCommands } from './cli/ringcentral-commands';
import { createRingCentralClientFromConfig } from './sources/ringcentral/client';
import { registerTeamsSimulateCommand } from './cli/teams-simulate-command';
import { loginThroughLocalBridge } from './runtime/local-control-client';
import { requestSandboxPresenceChange } from './sandbox/microsoft/admin-client';
import { hasTeamsCredentials } from './sandbox/microsoft/use-microsoft-sandbox';

function buildProgram(config: BridgeConfig, context: CliContext, cliLogger: Logger): Command {
  const mapping = () => loadPresenceMapping(config.presenceMappingFile);
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

  registerZoomCommands(program, {
    async backfill({ emails, onProgress }) {
      const client = createZoomClientFromConfig(config.zoom);
      const store = await context.store();
      const users = await zoomBackfillUsers(store, loadUserMapping(config.userMappingFile), emails);
      const queue = await context.queue();
      return runZoomBackfill({
        client,
        users,
        onProgress,
        record: async (event) => {
          await recordEvents([event], { store, queue, mapping: mapping(), now: Date.now, logger: cliLogger });
        },
      });
    },
    async simulate({ email, status, url, userId }) {
      const secret =
        config.zoom.webhookSecretTokens[0] ?? (config.genesys.mode === 'sandbox' ? readZoomDevSecret(config.dataDir, false) : undefined);
      if (!secret) {
        throw new BridgeError(
          'no Zoom secret to sign with: set ZOOM_WEBHOOK_SECRET_TOKEN, or start the bridge once in sandbox mode (npm start) so it creates a development secret',
        );
      }
      const target = url === DEFAULT_SIMULATE_URL && context.runtime ? `http://127.0.0.1:${context.runtime.port}` : url;
      return sendSimulatedZoomEvent({ secret, email, status, userId, url: target, accountId: config.zoom.accountId });
    },
  });

  registerRingCentralCommands(program, {
    client: async () =>
      createRingCentralClientFromConfig(config.ringcentral, {
        documents: await context.store(),
        rateLimits: config.ringcentral.settings.rateLimits,
      }),
    documents: () => context.store(),
    record: async (events) => recordEvents(events, { store: await context.store(), queue: await context.queue(), mapping: mapping(), now: Date.now, logger: cliLogger }),
    verificationToken: config.ringcentral.verificationTokens[0],
    publicBaseUrl: config.publicUrl,
    settings: config.ringcentral.settings,
  });

  const bridge = context.runtime;
  registerTeamsCommands(program, {
    // While npm start runs it owns the embedded store: sign in inside it (src/runtime/local-control.ts).
    loginThroughBridge: bridge?.controlToken ? (request, onEvent) => loginThroughLocalBridge(bridge, request, onEvent) : undefined,
    openRuntime: async () => {
      const store = await context.store();
      const queue = await context.queue();
      return {
        runtime: createTeamsRuntime({
          config: config.teams,
          settings: config.teams.settings,
          store,
          recordEvents: async (events) => void (await recordEvents(events, { store, queue, mapping: mapping(), now: Date.now, logger: cliLogger })),
          resolveCoverage: createGenesysCoverage({
            listGenesysUsers: async () => (await context.genesys()).users.listAll(),
            overrides: () => loadUserMapping(config.userMappingFile),
            logger: cliLogger,
          }),
          logger: cliLogger,
        }),
      };
    },
  });

  registerTeamsSimulateCommand(program, {
    simulate: async (change) => {
      if (hasTeamsCredentials(config.teams)) {
        throw new BridgeError('Teams credentials are set (TEAMS_TENANT_ID/TEAMS_CLIENT_ID/TEAMS_CLIENT_SECRET): the bridge uses the real Microsoft; change the presence in Teams instead');
      }
      if (!bridge) throw new BridgeError('no running bridge: start it with `npm start` (same BRIDGE_DATA_DIR), then `presence-bridge teams login --account demo`');
      if (!bridge.microsoftSandbox) throw new BridgeError('the running bridge does not use the Microsoft sandbox (it was started with Teams or Genesys credentials); restart `npm start` without them');
      return requestSandboxPresenceChange(bridge.microsoftSandbox.adminUrl, change);
    },
  });

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
  const program = buildProgram(config, context, logger);
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
