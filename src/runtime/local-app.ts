/**
 * What `npm start` serves and tells: the express app of the local bridge (webhooks, health, status page and
 * the loopback control routes the CLI uses while the bridge owns the data directory), and the announcement
 * once it listens — the runtime file the CLI finds it by (src/runtime/local-runtime.ts) and the
 * `presence-bridge listening` log line.
 */
import type express from 'express';
import type { Logger } from '../logger';
import { teamsModule } from '../sources/teams/teams-module';
import { localStatusAccess } from '../status/status-access';
import { serveStatusPage } from '../status/status-page';
import { createExpressApp } from '../webhooks/adapters/express';
import { handleWebhook } from '../webhooks/handle-webhook';
import { checkHealth } from '../webhooks/health';
import type { AssembledBridge } from './assemble-bridge';
import { createLocalControlRouter } from './local-control';
import type { LocalPlatform } from './local-platform';
import { writeLocalRuntime } from './local-runtime';

export interface LocalAppDeps {
  readonly controlToken: string;
  /** True once stopping: health answers 503 so nothing new arrives. */
  readonly isStopping: () => boolean;
  readonly logger: Logger;
}

export function createLocalApp(bridge: AssembledBridge, local: LocalPlatform, deps: LocalAppDeps): express.Express {
  const { config, store } = bridge.parts;
  const statusDeps = bridge.statusPage(localStatusAccess(config.bindAddress, config.statusPageTokens), local.metrics.snapshot);
  const teams = bridge.vendor(teamsModule).runtime;
  return createExpressApp({
    webhookPaths: bridge.webhook.sources.map((source) => source.path),
    handle: (request) => handleWebhook(request, bridge.webhook),
    health: () => checkHealth({ checkWritable: () => store.checkWritable(), isStopping: deps.isStopping, logger: deps.logger }),
    status: (request) => serveStatusPage(request, statusDeps),
    routers: [
      createLocalControlRouter({
        token: deps.controlToken,
        teamsLogin: teams.login,
        runTeamsMaintenance: teams.runMaintenance,
        onTeamsMaintenanceFinished: teams.onMaintenanceFinished,
        logger: deps.logger,
      }),
    ],
  });
}

/** Writes the runtime file (port, control token, sandboxes' URLs) and logs that the bridge listens. */
export function announceLocalBridge(
  bridge: AssembledBridge,
  local: LocalPlatform,
  at: { port: number; url: string; controlToken: string; logger: Logger },
): void {
  const { config } = bridge.parts;
  writeLocalRuntime(config.dataDir, {
    pid: process.pid,
    port: at.port,
    startedAt: new Date().toISOString(),
    controlToken: at.controlToken,
    ...Object.assign({}, ...local.sandboxes.map((sandbox) => sandbox.runtimeInfo ?? {})),
  });
  at.logger.info('presence-bridge listening', {
    url: at.url,
    bindAddress: config.bindAddress,
    routes: ['GET /healthz', 'GET /status', ...bridge.webhook.sources.map((source) => `POST ${source.path}`)],
    genesys: config.genesys.mode,
    sandboxes: local.sandboxes.map((sandbox) => sandbox.name),
    dataDir: config.dataDir,
  });
}
