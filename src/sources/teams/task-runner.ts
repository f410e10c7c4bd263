/**
 * Runs the Teams tasks queued by the webhook sources and the maintainer (tasks.ts), on the worker
 * side where Graph calls are allowed:
 * - `read-presence`: read the users' presence (basic notification, `missed` lifecycle event) and
 *   record it — stamped with the time the read was issued (see normalize.ts on ordering);
 * - `reauthorize`: `reauthorizationRequired` → renew with PATCH, which also reauthorizes; re-create on 404
 *   (https://learn.microsoft.com/graph/change-notifications-lifecycle-events);
 * - `recreate-subscription`: `subscriptionRemoved` → create again, then resync its users.
 * Transient failures (429 after the client's own retries, 5xx, network) return `retry`; failures only
 * an operator can fix (sign-in expired, permission missing) are logged and dropped — the maintainer
 * tries again on its next run and the CLI shows the error.
 */
import { ConfigError, describeError } from '../../errors';
import { silentLogger, type Logger } from '../../logger';
import type { PresenceEvent } from '../../presence';
import type { WorkResult } from '../../queue/key-queue';
import type { LifecycleThrottle } from './lifecycle-throttle';
import { extractUserId } from './normalize';
import { presencesToEvents, type PresenceReader } from './presence-reader';
import type { SubscriptionManager } from './subscriptions';
import { TEAMS_TASKS, type TeamsTaskMessage } from './tasks';
import { GraphRequestError, ServiceAccountSignInRequiredError } from './teams-errors';

export interface TeamsTaskRunnerDeps {
  readonly readPresences: PresenceReader;
  readonly recordEvents: (events: PresenceEvent[]) => Promise<void>;
  /** Needed for lifecycle tasks and for reads by subscription id. */
  readonly subscriptions?: SubscriptionManager;
  /** objectId → email (the directory; see createTeamsEmailDirectory), to attach emails to recorded events. */
  readonly emailOf?: (objectId: string) => Promise<string | undefined>;
  readonly now?: () => number;
  readonly logger?: Logger;
  /** Delay before a transient failure is retried (default 30 s). */
  readonly retryAfterMs?: number;
  /** Bounds the work one subscription's lifecycle events can trigger (lifecycle-throttle.ts). */
  readonly lifecycleThrottle?: LifecycleThrottle;
}

export type TeamsTaskRunner = (message: TeamsTaskMessage) => Promise<WorkResult>;

const DONE: WorkResult = { kind: 'done' };

/** True for failures worth retrying later: throttling after retries, Graph 5xx, network trouble. */
export function isTransientGraphFailure(error: unknown): boolean {
  if (error instanceof ServiceAccountSignInRequiredError || error instanceof ConfigError) return false;
  if (error instanceof GraphRequestError) return error.status === undefined || error.status === 429 || error.status >= 500;
  return true;
}

export function createTeamsTaskRunner(deps: TeamsTaskRunnerDeps): TeamsTaskRunner {
  const now = deps.now ?? Date.now;
  const log = (deps.logger ?? silentLogger).child({ system: 'teams', component: 'task-runner' });
  const retryAfterMs = deps.retryAfterMs ?? 30_000;

  const requireSubscriptions = (): SubscriptionManager => {
    if (!deps.subscriptions) throw new ConfigError('Teams subscription tasks need service accounts (TEAMS_MODE=subscription)');
    return deps.subscriptions;
  };

  const readAndRecord = async (userIds: readonly string[]): Promise<number> => {
    if (userIds.length === 0) return 0;
    const readAt = now();
    const presences = await deps.readPresences(userIds);
    const events = presencesToEvents(presences, readAt);
    const emails = deps.emailOf ? await Promise.all(events.map((event) => deps.emailOf!(event.externalUserId))) : [];
    const withEmails = events.map((event, index) => (emails[index] ? { ...event, email: emails[index] } : event));
    if (withEmails.length > 0) await deps.recordEvents(withEmails);
    return withEmails.length;
  };

  const accountOf = async (subscriptionId: string | undefined): Promise<string | undefined> => {
    if (!subscriptionId) return undefined;
    const account = await requireSubscriptions().findAccount(subscriptionId);
    // Already replaced (the maintainer re-created it) or never ours: nothing to do.
    if (!account) log.warn('task for a subscription the bridge no longer has; dropped', { subscriptionId });
    return account;
  };

  /** Lifecycle-driven work (by subscription id) runs once per subscription and event per interval. */
  const throttled = async (message: TeamsTaskMessage): Promise<boolean> => {
    const subscriptionId = message.data.subscriptionId;
    if (!subscriptionId || !deps.lifecycleThrottle || (await deps.lifecycleThrottle.claim(message.task, subscriptionId))) return false;
    log.warn('lifecycle event repeated within the interval; ignored', { task: message.task, subscriptionId });
    return true;
  };

  const run = async (message: TeamsTaskMessage): Promise<void> => {
    const data = message.data;
    if (await throttled(message)) return;
    switch (message.task) {
      case TEAMS_TASKS.readPresence: {
        let userIds: string[] = [];
        if (data.userIds) {
          userIds = data.userIds
            .split(',')
            .map((id) => extractUserId(id))
            .filter((id): id is string => id !== undefined);
        } else if (data.subscriptionId) {
          const account = await accountOf(data.subscriptionId);
          if (account) userIds = await requireSubscriptions().usersOf(account);
        }
        const recorded = await readAndRecord(userIds);
        log.debug('presence read after notification', { users: userIds.length, recorded });
        return;
      }
      case TEAMS_TASKS.reauthorize: {
        const account = await accountOf(data.subscriptionId);
        if (account) log.info('reauthorizationRequired handled', { account, action: await requireSubscriptions().renew(account) });
        return;
      }
      case TEAMS_TASKS.recreateSubscription: {
        const account = await accountOf(data.subscriptionId);
        if (!account) return;
        const subscriptions = requireSubscriptions();
        await subscriptions.recreate(account);
        // "subscriptionRemoved": create a new subscription, then resync (lifecycle events doc).
        await readAndRecord(await subscriptions.usersOf(account));
        return;
      }
      default:
        log.warn('unknown Teams task dropped', { task: message.task });
    }
  };

  return async (message) => {
    try {
      await run(message);
      return DONE;
    } catch (error) {
      if (isTransientGraphFailure(error)) {
        log.warn('Teams task failed; will retry', { task: message.task, error: describeError(error), afterMs: retryAfterMs });
        if (message.data.subscriptionId) await deps.lifecycleThrottle?.release(message.task, message.data.subscriptionId);
        return { kind: 'retry', afterMs: retryAfterMs };
      }
      log.error('Teams task failed and needs an operator', { task: message.task, error: describeError(error) });
      return DONE;
    }
  };
}
