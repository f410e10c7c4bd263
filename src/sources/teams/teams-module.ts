/**
 * Teams as one vendor module (src/sources/vendor-module.ts): the webhook routes, the objectId → email
 * directory, the task runner (presence reads, rich-notification decryption), the maintenance (directory,
 * subscriptions, reconciliation — or, in polling mode, the poll) and the `teams …` commands.
 */
import { registerTeamsCommands } from '../../cli/teams-commands';
import { registerTeamsSimulateCommand } from '../../cli/teams-simulate-command';
import { loginThroughLocalBridge } from '../../runtime/local-control-client';
import { requestSandboxPresenceChange } from '../../sandbox/microsoft/admin-client';
import { microsoftSandboxAdminUrl } from '../../sandbox/microsoft/microsoft-sandbox-target';
import { usesMicrosoftSandbox } from '../../sandbox/microsoft/use-microsoft-sandbox';
import type { BridgeConfig } from '../../config';
import { ConfigError } from '../../errors';
import { noopMetrics } from '../../metrics/metrics';
import type { MaintenanceStep } from '../../runtime/maintenance';
import type { VendorModule, VendorParts } from '../vendor-module';
import { createGenesysCoverage } from './coverage';
import { describeTeamsMaintenance } from './maintainer';
import { createTeamsRuntime, type TeamsRuntime } from './runtime';
import { teamsWebhooks } from './teams-webhooks';

export interface TeamsParts extends VendorParts {
  /** Subscriptions, polling, reconciliation and the CLI's sign-in act on this. */
  readonly runtime: TeamsRuntime;
}

/**
 * With API credentials in subscription mode every part of a subscription must be configured: checked
 * here, at startup, instead of failing the maintenance run every minute.
 */
export function checkTeamsConfig(config: BridgeConfig): void {
  const teams = config.teams;
  if (!teams.hasApiCredentials || teams.settings.mode !== 'subscription') return;
  if (teams.settings.tokenEncryptionKeys.length === 0) {
    throw new ConfigError('TEAMS_TOKEN_ENCRYPTION_KEY must be set: service-account refresh tokens are stored encrypted with it');
  }
  if (!teams.notificationUrl) throw new ConfigError('BRIDGE_PUBLIC_URL must be set to create Teams presence subscriptions');
  if (teams.clientStates.length === 0) throw new ConfigError('TEAMS_CLIENT_STATE must be set to create Teams presence subscriptions');
}

/**
 * Directory refresh, subscriptions (subscription mode) and reconciliation of every user with
 * getPresencesByUserId — so a silently dead subscription cannot leave Genesys stale for long. In polling
 * mode this same run is the poll (on AWS at the maintainer's schedule; locally on its own timer).
 */
function teamsMaintenanceStep(runtime: TeamsRuntime, metrics = noopMetrics): MaintenanceStep {
  return {
    name: 'teams',
    run: async () => {
      const report = await runtime.runMaintenance();
      for (const account of report.accounts) {
        if (account.error) metrics.count('SubscriptionFailures', { system: 'teams' });
        else if (account.action === 'created' || account.action === 'renewed' || account.action === 'recreated') {
          metrics.count('SubscriptionRenewals', { system: 'teams' });
        }
      }
      return describeTeamsMaintenance(report);
    },
  };
}

export const teamsModule: VendorModule<TeamsParts> = {
  system: 'teams',
  webhooks: teamsWebhooks,

  create(config, context) {
    checkTeamsConfig(config);
    const { store, logger } = context;
    const runtime = createTeamsRuntime({
      config: config.teams,
      settings: config.teams.settings,
      store,
      recordEvents: async (events) => void (await context.record(events)),
      // Reconciliation then records only users whose Teams presence changed since the last event.
      loadRecordedValues: async () => new Map((await store.list({ system: 'teams' })).map((r) => [r.key.externalUserId, r.desired.values])),
      // Only Entra users with a Genesys user are subscribed and read: one paged Genesys listing per directory refresh.
      resolveCoverage: createGenesysCoverage({
        listGenesysUsers: () => context.genesys.users.listAll(),
        overrides: () => context.overrides,
        logger,
      }),
      msalNetworkClient: context.msalNetworkClient,
      metrics: context.metrics,
      logger,
      now: context.now,
    });
    const api = config.teams.hasApiCredentials;
    return {
      runtime,
      webhooks: runtime.createWebhookSources(),
      directory: runtime.emailDirectory,
      taskRunner: runtime.taskRunner,
      maintenanceSteps: api ? [teamsMaintenanceStep(runtime, context.metrics)] : [],
      poll:
        api && config.teams.settings.mode === 'polling'
          ? { intervalMs: config.teams.settings.pollIntervalSeconds * 1000, run: () => runtime.runMaintenance() }
          : undefined,
    };
  },

  registerCommands(program, cli) {
    const bridge = cli.localRuntime;
    registerTeamsCommands(program, {
      // While `npm start` runs it owns the embedded store: sign in inside it (src/runtime/local-control.ts).
      loginThroughBridge: bridge?.controlToken ? (request, onEvent) => loginThroughLocalBridge(bridge, request, onEvent) : undefined,
      loginNeedsBridge: !usesMicrosoftSandbox(cli.config)
        ? undefined
        : 'no running bridge: without Teams credentials `teams login` signs in against the Microsoft sandbox of the running bridge; start it with `npm start` (same BRIDGE_DATA_DIR) first',
      openRuntime: async () => (await cli.open()).vendor(teamsModule).runtime,
    });
    registerTeamsSimulateCommand(program, {
      simulate: async (change) => requestSandboxPresenceChange(microsoftSandboxAdminUrl(cli.config, bridge), change),
    });
  },
};
