/**
 * `GET /healthz`, the same on every adapter: 200 `{"status":"ok"}` while the process can take traffic,
 * 503 while it shuts down or while the store cannot write (a verified event could not be recorded, so
 * a load balancer or uptime check should look elsewhere). The reason is kept generic: the route is
 * public on AWS, and the detail (paths, table names) goes to the log.
 */
import { describeError } from '../errors';
import type { Logger } from '../logger';
import type { OutboundResponse } from './types';

export interface HealthDeps {
  /** Resolves when the store can durably write; rejects with why not. */
  readonly checkWritable: () => Promise<void>;
  /** True while the process is shutting down. */
  readonly isStopping?: () => boolean;
  readonly logger?: Logger;
}

const json = (status: number, body: unknown): OutboundResponse => ({
  status,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

/** Answers `GET /healthz`. */
export async function checkHealth(deps: HealthDeps): Promise<OutboundResponse> {
  if (deps.isStopping?.()) return json(503, { status: 'shutting-down' });
  try {
    await deps.checkWritable();
  } catch (error) {
    deps.logger?.error('health check: the store cannot write', { error: describeError(error) });
    return json(503, { status: 'unavailable', reason: 'the store cannot write' });
  }
  return json(200, { status: 'ok' });
}
