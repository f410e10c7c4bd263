/**
 * The two Graph webhook endpoints (CONTRACT.md routes):
 * - `POST /webhooks/teams`: change notifications (basic or rich) for presence subscriptions;
 * - `POST /webhooks/teams/lifecycle`: lifecycle notifications (reauthorizationRequired,
 *   subscriptionRemoved, missed — https://learn.microsoft.com/graph/change-notifications-lifecycle-events).
 *
 * Both answer the `validationToken` handshake even when TEAMS_CLIENT_STATE is unset (Graph validates
 * both URLs when a subscription is created), and otherwise verify the WHOLE batch before anything is
 * recorded: every item's clientState (403), every subscription id known (403), every validation
 * token valid and covering every tenant of a rich item (401), every dataSignature (401). When a
 * check cannot be made right now (store unreadable, signing keys not fetchable in time) the answer
 * is 503, so Graph retries. A batch may
 * mix subscriptions and tenants (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks),
 * so all items are handled, never only `value[0]`. A rejected batch is retried by Graph, so nothing
 * that was valid in it is lost.
 *
 * Nothing slow runs here: no Graph calls (basic notifications and lifecycle events become queued
 * tasks), decryption is local, and the JWKS is cached (a cold fetch is bounded by a timeout).
 * Graph expects 202 within 3 s (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks#http-codes-and-retry-logic).
 */
import { describeError } from '../../errors';
import { silentLogger, type Logger } from '../../logger';
import type { PresenceEvent } from '../../presence';
import { parseJsonBody } from '../../webhooks/parse-json-body';
import type { InboundRequest, WebhookOutcome, WebhookSource } from '../../webhooks/types';
import { matchesClientState } from './client-state';
import { createDecryptionKeyring, decryptEncryptedContent, type DecryptionKey, type DecryptionKeyring } from './decrypt';
import { answerValidationHandshake } from './handshake';
import { extractUserId, normalizePresence, readField } from './normalize';
import { ChangeNotificationCollectionSchema, type ChangeNotification, type ChangeNotificationCollection } from './schema';
import {
  readPresenceTasks,
  readSubscriptionUsersTask,
  reauthorizeTask,
  recreateSubscriptionTask,
  type TeamsTaskMessage,
} from './tasks';
import { TeamsDecryptionKeyMissingError, TeamsSigningKeyUnavailableError, TeamsVerificationError } from './teams-errors';
import type { ValidationTokenValidator } from './validation-tokens';

export const TEAMS_WEBHOOK_PATH = '/webhooks/teams';
export const TEAMS_LIFECYCLE_WEBHOOK_PATH = '/webhooks/teams/lifecycle';

/** Graph's documented acknowledgement for queued notifications. */
const GRAPH_ACK = 202;

export interface TeamsWebhookDeps {
  /** TEAMS_CLIENT_STATE values; empty = notifications answered 503 (handshakes still answered). */
  readonly clientStates: readonly string[];
  /** Whether a subscription id is one of ours (backed by a cached document; see known-subscriptions.ts). */
  readonly isKnownSubscription: (subscriptionId: string) => boolean | Promise<boolean>;
  /** Private keys for rich notifications (TEAMS_ENCRYPTION_PRIVATE_KEY + TEAMS_ENCRYPTION_CERTIFICATE_ID). */
  readonly decryptionKeys?: readonly DecryptionKey[];
  /** Checks `validationTokens`; required to accept rich notifications. */
  readonly validateTokens?: ValidationTokenValidator;
  /** Told which subscriptions just delivered a verified batch (for "last notification" in the CLI). Must not throw or block. */
  readonly onVerifiedNotifications?: (subscriptionIds: readonly string[], receivedAt: number) => void;
  readonly logger?: Logger;
}

type Verified =
  | { readonly ok: true; readonly collection: ChangeNotificationCollection }
  | { readonly ok: false; readonly outcome: WebhookOutcome };

function reject(status: 400 | 401 | 403 | 503, reason: string): { ok: false; outcome: WebhookOutcome } {
  return { ok: false, outcome: { kind: 'rejected', status, reason } };
}

function parseBody(body: Buffer): ChangeNotificationCollection | string {
  // Strict UTF-8, like the other sources: invalid bytes are malformed input (400), not U+FFFD.
  const decoded = parseJsonBody(body);
  if (!decoded.ok) return decoded.reason;
  const parsed = ChangeNotificationCollectionSchema.safeParse(decoded.json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `body is not a changeNotificationCollection: ${issue.path.join('.') || '(top level)'}: ${issue.message}`;
  }
  return parsed.data;
}

/** The checks shared by both endpoints. Order: cheapest and most telling first; nothing is recorded before all pass. */
async function verifyBatch(request: InboundRequest, deps: TeamsWebhookDeps, log: Logger): Promise<Verified> {
  if (deps.clientStates.length === 0) {
    return reject(503, 'TEAMS_CLIENT_STATE is not configured, so notifications cannot be verified');
  }
  const collection = parseBody(request.body);
  if (typeof collection === 'string') return reject(400, collection);

  const items = collection.value;
  if (!items.every((item) => matchesClientState(item.clientState, deps.clientStates))) {
    return reject(403, 'clientState does not match');
  }

  const subscriptionIds = [...new Set(items.map((item) => item.subscriptionId))];
  let known: boolean[];
  try {
    known = await Promise.all(subscriptionIds.map(async (id) => deps.isKnownSubscription(id)));
  } catch (error) {
    // The store could not be read: not the sender's fault, so 5xx and Graph retries.
    log.error('could not check Teams subscription ids', { error: describeError(error) });
    return reject(503, 'subscription ids cannot be checked right now; retry');
  }
  const unknown = subscriptionIds.filter((_, index) => !known[index]);
  if (unknown.length > 0) {
    log.warn('notification for unknown subscription rejected', { subscriptionIds: unknown });
    return reject(403, `unknown subscription id(s): ${unknown.join(', ')}`);
  }

  const tokens = collection.validationTokens ?? [];
  const rich = items.filter((item) => item.encryptedContent);
  const tenants = new Set<string>();
  if (tokens.length > 0 || rich.length > 0) {
    if (tokens.length === 0) return reject(401, 'rich notification without validationTokens');
    if (!deps.validateTokens) {
      return reject(503, 'validation tokens cannot be checked: TEAMS_CLIENT_ID is not configured');
    }
    try {
      for (const token of await deps.validateTokens(tokens)) tenants.add(token.tenantId);
    } catch (error) {
      if (error instanceof TeamsSigningKeyUnavailableError) {
        // Microsoft's keys could not be fetched in time (cold cache): retryable, not a forgery.
        log.warn('validation tokens not checkable now', { error: error.message });
        return reject(503, error.message);
      }
      return reject(401, `validation token rejected: ${error instanceof TeamsVerificationError ? error.message : describeError(error)}`);
    }
    // Tokens are issued per app+tenant: every tenant a rich item claims must be vouched for by one.
    const unvouched = rich.find((item) => item.tenantId && !tenants.has(item.tenantId.toLowerCase()));
    if (unvouched) return reject(401, `no valid validation token for tenant ${unvouched.tenantId}`);
  }
  return { ok: true, collection };
}

/** Lifecycle items become tasks for the runner (https://learn.microsoft.com/graph/change-notifications-lifecycle-events). */
function lifecycleTask(item: ChangeNotification): TeamsTaskMessage | undefined {
  switch (item.lifecycleEvent?.trim().toLowerCase()) {
    case 'reauthorizationrequired':
      return reauthorizeTask(item.subscriptionId);
    case 'subscriptionremoved':
      return recreateSubscriptionTask(item.subscriptionId);
    case 'missed':
      // "missed": do a full resync — for presence, read the subscription's users.
      return readSubscriptionUsersTask(item.subscriptionId);
    default:
      return undefined;
  }
}

function dedupeTasks(tasks: readonly TeamsTaskMessage[]): TeamsTaskMessage[] {
  const seen = new Set<string>();
  return tasks.filter((task) => {
    const id = `${task.task}|${JSON.stringify(task.data)}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function notifyVerified(deps: TeamsWebhookDeps, collection: ChangeNotificationCollection, receivedAt: number, log: Logger): void {
  if (!deps.onVerifiedNotifications) return;
  try {
    deps.onVerifiedNotifications([...new Set(collection.value.map((item) => item.subscriptionId))], receivedAt);
  } catch (error) {
    log.warn('onVerifiedNotifications failed', { error: describeError(error) });
  }
}

/** The user an item is about, from its resource data or its `resource` path. */
function itemUserId(item: ChangeNotification): string | undefined {
  const data = item.resourceData ?? {};
  return (
    extractUserId(readField(data, 'id')) ?? extractUserId(item.resource) ?? extractUserId(readField(data, '@odata.id'))
  );
}

/** Change types that carry a presence change; presence subscriptions only use `updated`. */
function isPresenceChange(item: ChangeNotification): boolean {
  const type = item.changeType?.trim().toLowerCase();
  return type === undefined || type === 'updated' || type === 'created';
}

/** Creates the `/webhooks/teams` source. */
export function createTeamsWebhookSource(deps: TeamsWebhookDeps): WebhookSource {
  const log = (deps.logger ?? silentLogger).child({ route: TEAMS_WEBHOOK_PATH });
  const keyring: DecryptionKeyring = createDecryptionKeyring(deps.decryptionKeys ?? []);

  return {
    system: 'teams',
    path: TEAMS_WEBHOOK_PATH,
    async handle(request: InboundRequest): Promise<WebhookOutcome> {
      const handshake = answerValidationHandshake(request);
      if (handshake) return handshake;
      const verified = await verifyBatch(request, deps, log);
      if (!verified.ok) return verified.outcome;
      const { collection } = verified;

      const events: PresenceEvent[] = [];
      const toRead: string[] = [];
      const tasks: TeamsTaskMessage[] = [];
      for (const [index, item] of collection.value.entries()) {
        const lifecycle = lifecycleTask(item);
        if (lifecycle) {
          // Tolerated here too: lifecycleNotificationUrl may equal notificationUrl.
          tasks.push(lifecycle);
          continue;
        }
        if (!isPresenceChange(item)) continue;
        const userId = itemUserId(item);
        if (item.encryptedContent) {
          let decrypted: unknown;
          try {
            decrypted = decryptEncryptedContent(item.encryptedContent, keyring);
          } catch (error) {
            if (error instanceof TeamsDecryptionKeyMissingError) {
              // Still authentic (clientState + validation token): read the presence instead of losing it.
              log.warn('rich notification with an unknown certificate id; reading presence instead', {
                encryptionCertificateId: item.encryptedContent.encryptionCertificateId,
              });
              if (userId) toRead.push(userId);
              continue;
            }
            log.warn('rich notification rejected', { error: describeError(error) });
            return { kind: 'rejected', status: 401, reason: (error as Error).message };
          }
          if (typeof decrypted !== 'object' || decrypted === null || Array.isArray(decrypted)) continue;
          const event = normalizePresence(decrypted as Record<string, unknown>, {
            fallbackUserId: userId,
            order: request.receivedAt,
            tiebreak: index,
          });
          if (event) events.push(event);
        } else if (userId) {
          // Basic notification: only the id. The worker reads the presence (never on this path).
          toRead.push(userId);
        }
      }
      tasks.push(...readPresenceTasks(toRead));
      notifyVerified(deps, collection, request.receivedAt, log);

      if (events.length === 0 && tasks.length === 0) {
        return { kind: 'ignored', reason: 'no presence changes in the batch', ackStatus: GRAPH_ACK };
      }
      return { kind: 'accepted', events, tasks: dedupeTasks(tasks), ackStatus: GRAPH_ACK };
    },
  };
}

/** Creates the `/webhooks/teams/lifecycle` source: verified lifecycle events become tasks. */
export function createTeamsLifecycleWebhookSource(deps: TeamsWebhookDeps): WebhookSource {
  const log = (deps.logger ?? silentLogger).child({ route: TEAMS_LIFECYCLE_WEBHOOK_PATH });
  return {
    system: 'teams',
    path: TEAMS_LIFECYCLE_WEBHOOK_PATH,
    async handle(request: InboundRequest): Promise<WebhookOutcome> {
      const handshake = answerValidationHandshake(request);
      if (handshake) return handshake;
      const verified = await verifyBatch(request, deps, log);
      if (!verified.ok) return verified.outcome;
      const tasks: TeamsTaskMessage[] = [];
      for (const item of verified.collection.value) {
        const task = lifecycleTask(item);
        if (task) tasks.push(task);
        else log.warn('unknown lifecycle event ignored', { lifecycleEvent: item.lifecycleEvent, subscriptionId: item.subscriptionId });
      }
      notifyVerified(deps, verified.collection, request.receivedAt, log);
      if (tasks.length === 0) return { kind: 'ignored', reason: 'no lifecycle events to act on', ackStatus: GRAPH_ACK };
      return { kind: 'accepted', events: [], tasks: dedupeTasks(tasks), ackStatus: GRAPH_ACK };
    },
  };
}
