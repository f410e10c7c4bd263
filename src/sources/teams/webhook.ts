/**
 * The two Graph webhook endpoints (routes listed in README.md and docs/teams.md):
 * - `POST /webhooks/teams`: change notifications (basic or rich) for presence subscriptions;
 * - `POST /webhooks/teams/lifecycle`: lifecycle notifications (reauthorizationRequired,
 *   subscriptionRemoved, missed — https://learn.microsoft.com/graph/change-notifications-lifecycle-events).
 *
 * Both answer the `validationToken` handshake even when TEAMS_CLIENT_STATE is unset (Graph validates
 * both URLs when a subscription is created). A batch may mix subscriptions, apps and tenants
 * (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks), so every item is judged
 * on its own (see `judgeBatch`): its clientState, its subscription id, and for rich items a valid
 * validation token of this tenant. Items that pass are recorded as durable tasks; the others are
 * dropped, logged (one warn line) and counted in the outcome. The answer is 202 when at least one
 * item passes and a 4xx only when none does (403 clientState / unknown subscription, 401 token), so a
 * forged POST still gets its 4xx. When a check cannot be made right now (store unreadable, signing
 * keys not fetchable in time) the answer is 503, so Graph retries.
 *
 * Nothing slow runs here: no Graph calls (basic notifications and lifecycle events become queued
 * tasks), no RSA work (rich items are queued still encrypted, and the worker checks each item's
 * dataSignature before decrypting it: task-runner.ts, docs/teams.md "Decryption in the worker"), and
 * the JWKS is cached (a cold fetch is bounded by a timeout).
 * Graph expects 202 within 3 s (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks#http-codes-and-retry-logic).
 */
import { describeError } from '../../errors';
import { silentLogger, type Logger } from '../../logger';
import { parseJsonBody } from '../../webhooks/parse-json-body';
import type { InboundRequest, WebhookOutcome, WebhookSource } from '../../webhooks/types';
import { matchesClientState } from './client-state';
import { createDecryptionKeyring, type DecryptionKey, type DecryptionKeyring } from './decrypt';
import { answerValidationHandshake } from './handshake';
import { extractUserId, parseGraphDateTime, readField } from './normalize';
import { ChangeNotificationCollectionSchema, type ChangeNotification, type ChangeNotificationCollection } from './schema';
import {
  decryptItemBytes,
  decryptPresenceTasks,
  MAX_DECRYPT_TASK_BYTES,
  readPresenceTasks,
  readSubscriptionUsersTask,
  reauthorizeTask,
  recreateSubscriptionTask,
  type DecryptPresenceItem,
  type TeamsTaskMessage,
} from './tasks';
import type { ValidationTokenValidator } from './validation-tokens';

export const TEAMS_WEBHOOK_PATH = '/webhooks/teams';
export const TEAMS_LIFECYCLE_WEBHOOK_PATH = '/webhooks/teams/lifecycle';

/**
 * Caps on one POST. Graph documents no batch size; the bridge's subscriptions cover at most 650 users
 * each, and Graph batches per notification URL, so 1000 items leaves room while bounding the work a
 * request can cause on the 3-second path. One validation token is sent per app and tenant in a batch.
 */
export const MAX_ITEMS_PER_POST = 1000;
export const MAX_VALIDATION_TOKENS_PER_POST = 50;

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
  /**
   * Told which subscriptions just delivered verified items (for "last notification" in the CLI), with
   * Graph's `subscriptionExpirationDateTime` of each as epoch ms when it parsed. Must not throw or block.
   */
  readonly onVerifiedNotifications?: (subscriptionIds: readonly string[], receivedAt: number, expiries?: Readonly<Record<string, number>>) => void;
  readonly logger?: Logger;
}

/** Why one item of a batch was dropped. Listed in check order: cheapest and most telling first. */
const DROP_REASONS = ['clientState', 'unknownSubscription', 'validationToken', 'encryptedContent'] as const;
type DropReason = (typeof DROP_REASONS)[number];

/** The answer when NO item passes: a forged POST still gets the 4xx it got when batches were judged whole. */
const DROP_STATUS: Readonly<Record<DropReason, 401 | 403>> = {
  clientState: 403,
  unknownSubscription: 403,
  validationToken: 401,
  encryptedContent: 401,
};

interface DroppedItem {
  readonly index: number;
  readonly subscriptionId: string;
  readonly reason: DropReason;
  readonly detail: string;
}

interface Judged {
  readonly collection: ChangeNotificationCollection;
  /** Items that passed every batch-level check, with their position in `value`. */
  readonly passed: ReadonlyArray<{ readonly item: ChangeNotification; readonly index: number }>;
  readonly dropped: DroppedItem[];
  /** Validation tokens that were not ours or not valid (a mixed batch carries other apps' tokens). */
  readonly tokenErrors: readonly string[];
}

type Verified = { readonly ok: true; readonly judged: Judged } | { readonly ok: false; readonly outcome: WebhookOutcome };

function reject(status: 400 | 401 | 403 | 413 | 503, reason: string): { ok: false; outcome: WebhookOutcome } {
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

/**
 * Judges each item on its own. One POST can carry items of several subscriptions that share the
 * notification URL, each with its own `clientState` (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks),
 * and Graph retries a refused POST for up to 4 hours and then drops it, so refusing a whole batch for
 * one foreign item would lose the valid ones. Order per item: clientState (constant time, no I/O),
 * then the subscription id (cached), then — only for rich items still standing — validation tokens
 * (JWT signature checks, cached per token). The dataSignature check and decryption follow in the worker.
 *
 * Validation tokens are issued per app and tenant, so a token is not a verdict on the batch: a token
 * for another app sharing the URL fails `aud` and is simply not ours. What stays sound is that every
 * rich item we accept is vouched for by a token that passes every check (signature, our app, Graph
 * Change Tracking, THIS tenant) and names the item's tenant. Basic and lifecycle items carry no
 * resource data and only make the bridge read from Graph, so clientState + subscription id suffice.
 *
 * Answers 503 (Graph retries) only when a check that some item needs cannot be made right now.
 */
async function judgeBatch(request: InboundRequest, deps: TeamsWebhookDeps, log: Logger): Promise<Verified> {
  if (deps.clientStates.length === 0) {
    return reject(503, 'TEAMS_CLIENT_STATE is not configured, so notifications cannot be verified');
  }
  const collection = parseBody(request.body);
  if (typeof collection === 'string') return reject(400, collection);
  if (collection.value.length > MAX_ITEMS_PER_POST || (collection.validationTokens?.length ?? 0) > MAX_VALIDATION_TOKENS_PER_POST) {
    // Bounds the per-item work (clientState compares, decryptions, token checks) one request can cause.
    return reject(413, `a notification collection carries at most ${MAX_ITEMS_PER_POST} items and ${MAX_VALIDATION_TOKENS_PER_POST} validation tokens`);
  }

  const dropped: DroppedItem[] = [];
  const drop = (index: number, item: ChangeNotification, reason: DropReason, detail: string): void => {
    dropped.push({ index, subscriptionId: item.subscriptionId, reason, detail });
  };

  let standing = collection.value.map((item, index) => ({ item, index }));
  standing = standing.filter(({ item, index }) => {
    if (matchesClientState(item.clientState, deps.clientStates)) return true;
    drop(index, item, 'clientState', 'clientState does not match');
    return false;
  });

  const subscriptionIds = [...new Set(standing.map(({ item }) => item.subscriptionId))];
  let known: boolean[];
  try {
    known = await Promise.all(subscriptionIds.map(async (id) => deps.isKnownSubscription(id)));
  } catch (error) {
    // The store could not be read: not the sender's fault, so 5xx and Graph retries.
    log.error('could not check Teams subscription ids', { error: describeError(error) });
    return reject(503, 'subscription ids cannot be checked right now; retry');
  }
  const unknown = new Set(subscriptionIds.filter((_, index) => !known[index]));
  standing = standing.filter(({ item, index }) => {
    if (!unknown.has(item.subscriptionId)) return true;
    drop(index, item, 'unknownSubscription', `unknown subscription id: ${item.subscriptionId}`);
    return false;
  });

  const tokens = collection.validationTokens ?? [];
  const tokenErrors: string[] = [];
  if (standing.some(({ item }) => item.encryptedContent)) {
    const vouched = new Set<string>();
    let unavailable: string | undefined;
    if (tokens.length > 0) {
      if (!deps.validateTokens) {
        return reject(503, 'validation tokens cannot be checked: TEAMS_CLIENT_ID and TEAMS_TENANT_ID must be configured');
      }
      for (const verdict of await deps.validateTokens(tokens)) {
        if (verdict.ok) vouched.add(verdict.tenantId);
        else if (verdict.kind === 'unavailable') unavailable ??= verdict.error.message;
        else tokenErrors.push(verdict.error.message);
      }
    }
    const unvouched = (item: ChangeNotification): string | undefined => {
      if (tokens.length === 0) return 'rich notification without validationTokens';
      if (vouched.size === 0) return `validation token rejected: ${tokenErrors.join('; ') || 'none is valid'}`;
      const tenant = item.tenantId?.trim().toLowerCase();
      return tenant && !vouched.has(tenant) ? `no valid validation token for tenant ${item.tenantId}` : undefined;
    };
    const needsUnavailable = standing.some(({ item }) => item.encryptedContent && unvouched(item) !== undefined);
    if (unavailable && needsUnavailable) {
      // Microsoft's keys (or this tenant's id) could not be had in time (cold cache): retryable, not a forgery.
      log.warn('validation tokens not checkable now', { error: unavailable });
      return reject(503, unavailable);
    }
    standing = standing.filter(({ item, index }) => {
      const problem = item.encryptedContent ? unvouched(item) : undefined;
      if (problem === undefined) return true;
      drop(index, item, 'validationToken', problem);
      return false;
    });
  }
  return { ok: true, judged: { collection, passed: standing, dropped, tokenErrors } };
}

/** The 4xx for a batch of which no item passed: the earliest check that failed decides, as before. */
function rejectAll(dropped: readonly DroppedItem[]): WebhookOutcome {
  const first = DROP_REASONS.find((reason) => dropped.some((entry) => entry.reason === reason)) ?? 'clientState';
  const details = [...new Set(dropped.map((entry) => entry.detail))];
  return {
    kind: 'rejected',
    status: DROP_STATUS[first],
    reason: details.join('; '),
    // clientState is the shared secret of every notification: failing it is a failed verification.
    reasonClass: first === 'unknownSubscription' ? 'unknown-subscription' : 'signature',
  };
}

/** One warn line for a batch that was partly accepted: counts, reasons and subscription ids of what was dropped. */
function logDropped(log: Logger, judged: Judged, dropped: readonly DroppedItem[], passed: number): void {
  if (dropped.length === 0) return;
  const reasons: Partial<Record<DropReason, number>> = {};
  for (const entry of dropped) reasons[entry.reason] = (reasons[entry.reason] ?? 0) + 1;
  log.warn('Teams notification items dropped; the rest of the batch was accepted', {
    passed,
    dropped: dropped.length,
    reasons,
    subscriptionIds: [...new Set(dropped.map((entry) => entry.subscriptionId))],
    details: [...new Set(dropped.map((entry) => entry.detail))].slice(0, 5),
    ...(judged.tokenErrors.length > 0 ? { validationTokensNotOurs: judged.tokenErrors.length } : {}),
  });
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

function notifyVerified(deps: TeamsWebhookDeps, items: ReadonlyArray<{ readonly item: ChangeNotification }>, receivedAt: number, log: Logger): void {
  if (!deps.onVerifiedNotifications || items.length === 0) return;
  const expiries: Record<string, number> = {};
  for (const { item } of items) {
    const at = parseGraphDateTime(item.subscriptionExpirationDateTime);
    if (at !== undefined) expiries[item.subscriptionId] = at;
  }
  try {
    deps.onVerifiedNotifications([...new Set(items.map(({ item }) => item.subscriptionId))], receivedAt, expiries);
  } catch (error) {
    log.warn('onVerifiedNotifications failed', { error: describeError(error) });
  }
}

/** The user an item is about, from its resource data or its `resource` path. */
function itemUserId(item: ChangeNotification): string | undefined {
  const data = item.resourceData ?? {};
  return extractUserId(readField(data, 'id')) ?? extractUserId(item.resource) ?? extractUserId(readField(data, '@odata.id'));
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
      const verified = await judgeBatch(request, deps, log);
      if (!verified.ok) return verified.outcome;
      const { judged } = verified;
      const dropped = [...judged.dropped];

      const toRead: string[] = [];
      const toDecrypt: DecryptPresenceItem[] = [];
      const tasks: TeamsTaskMessage[] = [];
      const passed: Array<{ item: ChangeNotification; index: number }> = [];
      for (const { item, index } of judged.passed) {
        const lifecycle = lifecycleTask(item);
        if (lifecycle) {
          // Tolerated here too: lifecycleNotificationUrl may equal notificationUrl.
          tasks.push(lifecycle);
          passed.push({ item, index });
          continue;
        }
        if (!isPresenceChange(item)) {
          passed.push({ item, index });
          continue;
        }
        const userId = itemUserId(item);
        if (item.encryptedContent) {
          const content = item.encryptedContent;
          if (!keyring.find(content.encryptionCertificateId)) {
            // Still authentic (clientState + validation token): read the presence instead of losing it.
            log.warn('rich notification with an unknown certificate id; reading presence instead', {
              encryptionCertificateId: content.encryptionCertificateId,
            });
            if (userId) toRead.push(userId);
            passed.push({ item, index });
            continue;
          }
          // Authenticated, still encrypted: the worker checks dataSignature and decrypts (docs/teams.md
          // "Decryption in the worker"), so no RSA work is done before the 202.
          const queued: DecryptPresenceItem = {
            index,
            subscriptionId: item.subscriptionId,
            ...(userId ? { userId } : {}),
            encryptedContent: {
              data: content.data,
              dataKey: content.dataKey,
              dataSignature: content.dataSignature,
              ...(content.encryptionCertificateId ? { encryptionCertificateId: content.encryptionCertificateId } : {}),
            },
          };
          if (decryptItemBytes(queued) > MAX_DECRYPT_TASK_BYTES) {
            // A presence is a few hundred bytes; an item this large is not one and cannot be queued.
            dropped.push({
              index,
              subscriptionId: item.subscriptionId,
              reason: 'encryptedContent',
              detail: 'encryptedContent is larger than 200 KiB: not a presence',
            });
            continue;
          }
          toDecrypt.push(queued);
          passed.push({ item, index });
        } else {
          passed.push({ item, index });
          // Basic notification: only the id. The worker reads the presence (never on this path).
          if (userId) toRead.push(userId);
        }
      }
      if (passed.length === 0 && dropped.length > 0) return rejectAll(dropped);
      logDropped(log, judged, dropped, passed.length);
      tasks.push(...readPresenceTasks(toRead), ...decryptPresenceTasks(toDecrypt, request.receivedAt));
      notifyVerified(deps, passed, request.receivedAt, log);

      const counted = dropped.length > 0 ? { dropped: dropped.length } : {};
      if (tasks.length === 0) {
        return { kind: 'ignored', reason: 'no presence changes in the batch', ackStatus: GRAPH_ACK, ...counted };
      }
      return { kind: 'accepted', events: [], tasks: dedupeTasks(tasks), ackStatus: GRAPH_ACK, ...counted };
    },
  };
}

/** Creates the `/webhooks/teams/lifecycle` source: verified lifecycle events become tasks, judged item by item. */
export function createTeamsLifecycleWebhookSource(deps: TeamsWebhookDeps): WebhookSource {
  const log = (deps.logger ?? silentLogger).child({ route: TEAMS_LIFECYCLE_WEBHOOK_PATH });
  return {
    system: 'teams',
    path: TEAMS_LIFECYCLE_WEBHOOK_PATH,
    async handle(request: InboundRequest): Promise<WebhookOutcome> {
      const handshake = answerValidationHandshake(request);
      if (handshake) return handshake;
      const verified = await judgeBatch(request, deps, log);
      if (!verified.ok) return verified.outcome;
      const { judged } = verified;
      if (judged.passed.length === 0 && judged.dropped.length > 0) return rejectAll(judged.dropped);
      logDropped(log, judged, judged.dropped, judged.passed.length);
      const tasks: TeamsTaskMessage[] = [];
      for (const { item } of judged.passed) {
        const task = lifecycleTask(item);
        if (task) tasks.push(task);
        else log.warn('unknown lifecycle event ignored', { lifecycleEvent: item.lifecycleEvent, subscriptionId: item.subscriptionId });
      }
      notifyVerified(deps, judged.passed, request.receivedAt, log);
      const counted = judged.dropped.length > 0 ? { dropped: judged.dropped.length } : {};
      if (tasks.length === 0) return { kind: 'ignored', reason: 'no lifecycle events to act on', ackStatus: GRAPH_ACK, ...counted };
      return { kind: 'accepted', events: [], tasks: dedupeTasks(tasks), ackStatus: GRAPH_ACK, ...counted };
    },
  };
}
