/**
 * Runs the Teams tasks queued by the webhook sources and the maintainer (tasks.ts), on the worker
 * side where Graph calls are allowed:
 * - `read-presence`: read the users' presence (basic notification, `missed` lifecycle event) and
 *   record it — stamped with the time the read was issued (see normalize.ts on ordering);
 * - `reauthorize`: `reauthorizationRequired` → renew with PATCH, which also reauthorizes; re-create on 404
 *   (https://learn.microsoft.com/graph/change-notifications-lifecycle-events);
 * - `recreate-subscription`: `subscriptionRemoved` → create again, then resync its users;
 * - `decrypt-presence`: rich notifications the webhook authenticated and queued still encrypted: each
 *   item's dataSignature is checked, then it is decrypted, normalized exactly as the webhook used to
 *   (receipt time as `order`, position as `tiebreak`, `sequenceNumber` as `sequence`) and recorded. An
 *   item whose signature fails is dropped, logged and counted (`EventsRejected`, reason `signature`):
 *   Graph already got its 202 (docs/teams.md "Decryption in the worker").
 * Transient failures (429 after the client's own retries, 5xx, network) return `retry`; failures only
 * an operator can fix (sign-in expired, permission missing) are logged and dropped — the maintainer
 * tries again on its next run and the CLI shows the error.
 */
import { ConfigError, describeError } from '../../errors';
import { silentLogger, type Logger } from '../../logger';
import { noopMetrics, type Metrics } from '../../metrics/metrics';
import type { PresenceEvent } from '../../presence';
import type { WorkResult } from '../../queue/key-queue';
import type { LifecycleThrottle } from './lifecycle-throttle';
import { createDecryptionKeyring, decryptEncryptedContent, type DecryptionKey, type DecryptionKeyring } from './decrypt';
import { extractUserId, normalizePresence } from './normalize';
import { presencesToEvents, type PresenceReader } from './presence-reader';
import type { SubscriptionManager } from './subscriptions';
import { TEAMS_TASKS, type DecryptPresenceItem, type TeamsTaskMessage } from './tasks';
import { GraphRequestError, ServiceAccountSignInRequiredError, TeamsDecryptionKeyMissingError } from './teams-errors';

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
  /** Private keys for `decrypt-presence` tasks (TEAMS_ENCRYPTION_PRIVATE_KEY + TEAMS_ENCRYPTION_CERTIFICATE_ID). */
  readonly decryptionKeys?: readonly DecryptionKey[];
  /** Counts items dropped for a bad dataSignature (`EventsRejected`, reason `signature`). */
  readonly metrics?: Metrics;
}

/** The items of a `decrypt-presence` task; anything that is not a list of objects with encryptedContent is left out. */
function parseDecryptItems(raw: string | undefined): DecryptPresenceItem[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw ?? '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(
    (item): item is DecryptPresenceItem =>
      typeof item === 'object' && item !== null && typeof item.encryptedContent === 'object' && item.encryptedContent !== null,
  );
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
  const metrics = deps.metrics ?? noopMetrics;
  let keyring: DecryptionKeyring | undefined;
  // Parsed once, on the first rich item (a worker that never sees one never parses the PEM).
  const decryptionKeyring = (): DecryptionKeyring => (keyring ??= createDecryptionKeyring(deps.decryptionKeys ?? []));

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

  /** Verifies, decrypts and records a rich batch's items; the webhook already authenticated the batch. */
  const decryptAndRecord = async (data: Readonly<Record<string, string>>): Promise<void> => {
    const items = parseDecryptItems(data.items);
    const receivedAt = Number(data.receivedAt);
    const order = Number.isFinite(receivedAt) ? receivedAt : now();
    const events: PresenceEvent[] = [];
    const toRead: string[] = [];
    let rejected = 0;
    for (const item of items) {
      let decrypted: unknown;
      try {
        decrypted = decryptEncryptedContent(item.encryptedContent, decryptionKeyring());
      } catch (error) {
        if (error instanceof TeamsDecryptionKeyMissingError) {
          // Authentic (the webhook checked clientState and the validation token): read instead of losing it.
          log.warn('rich notification with an unknown certificate id; reading presence instead', {
            encryptionCertificateId: item.encryptedContent.encryptionCertificateId,
          });
          if (item.userId) toRead.push(item.userId);
          continue;
        }
        rejected += 1;
        log.warn('rich notification item dropped: its dataSignature or encryption does not check out', {
          subscriptionId: item.subscriptionId,
          index: item.index,
          error: describeError(error),
        });
        continue;
      }
      if (typeof decrypted !== 'object' || decrypted === null || Array.isArray(decrypted)) continue;
      const event = normalizePresence(decrypted as Record<string, unknown>, { fallbackUserId: item.userId, order, tiebreak: item.index });
      if (event) events.push(event);
    }
    if (events.length > 0) await deps.recordEvents(events);
    if (rejected > 0) metrics.count('EventsRejected', { system: 'teams', reason: 'signature' }, rejected);
    await readAndRecord(toRead);
    log.debug('rich notifications decrypted', { items: items.length, recorded: events.length, rejected });
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
      case TEAMS_TASKS.decryptPresence:
        await decryptAndRecord(data);
        return;
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
