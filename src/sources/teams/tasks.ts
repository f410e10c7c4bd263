/**
 * The Teams follow-up work that must not run on the 3-second webhook path: queued as
 * `{ kind: 'task', system: 'teams', task, data }` and executed by task-runner.ts.
 */
import type { QueueMessage } from '../../queue/key-queue';
import type { EncryptedContent } from './schema';

export const TEAMS_TASKS = {
  /** Read presence from Graph: `data.userIds` (comma-separated) or all users of `data.subscriptionId`. */
  readPresence: 'read-presence',
  /** `reauthorizationRequired`: renew (PATCH), which also reauthorizes; re-create on 404. */
  reauthorize: 'reauthorize',
  /** `subscriptionRemoved`: create the account's subscription again, then read its users. */
  recreateSubscription: 'recreate-subscription',
  /**
   * Rich notifications accepted but not yet decrypted: `data.items` (JSON, DecryptPresenceItem[]) and
   * `data.receivedAt` (epoch ms, the events' `order`). The webhook authenticates the batch; the runner
   * checks each item's dataSignature and decrypts it (docs/teams.md "Decryption in the worker").
   */
  decryptPresence: 'decrypt-presence',
} as const;
export type TeamsTaskName = (typeof TEAMS_TASKS)[keyof typeof TEAMS_TASKS];

export type TeamsTaskMessage = Extract<QueueMessage, { kind: 'task' }>;

/** getPresencesByUserId takes at most 650 ids (https://learn.microsoft.com/graph/api/cloudcommunications-getpresencesbyuserid). */
export const MAX_IDS_PER_PRESENCE_READ = 650;

function task(name: TeamsTaskName, data: Record<string, string>): TeamsTaskMessage {
  return { kind: 'task', system: 'teams', task: name, data };
}

/** One read task per ≤650 users, so each task is exactly one Graph call. */
export function readPresenceTasks(userIds: Iterable<string>): TeamsTaskMessage[] {
  const ids = [...new Set(userIds)];
  const tasks: TeamsTaskMessage[] = [];
  for (let i = 0; i < ids.length; i += MAX_IDS_PER_PRESENCE_READ) {
    tasks.push(task(TEAMS_TASKS.readPresence, { userIds: ids.slice(i, i + MAX_IDS_PER_PRESENCE_READ).join(',') }));
  }
  return tasks;
}

export function readSubscriptionUsersTask(subscriptionId: string): TeamsTaskMessage {
  return task(TEAMS_TASKS.readPresence, { subscriptionId });
}

export function reauthorizeTask(subscriptionId: string): TeamsTaskMessage {
  return task(TEAMS_TASKS.reauthorize, { subscriptionId });
}

export function recreateSubscriptionTask(subscriptionId: string): TeamsTaskMessage {
  return task(TEAMS_TASKS.recreateSubscription, { subscriptionId });
}

/** One rich item as queued: what the runner needs to verify, decrypt and order it. */
export interface DecryptPresenceItem {
  /** The item's position in its POST: the events' `tiebreak`, as on the ack path before. */
  readonly index: number;
  readonly subscriptionId: string;
  /** The user from `resourceData`/`resource`, when the decrypted resource has no id. */
  readonly userId?: string;
  readonly encryptedContent: Pick<EncryptedContent, 'data' | 'dataKey' | 'dataSignature' | 'encryptionCertificateId'>;
}

/**
 * Bounds on one decrypt task. An SQS message is at most 256 KiB, and so is one SendMessageBatch
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html);
 * 20 presence items are a few KiB, so these leave ample room and keep one task's work small.
 */
export const MAX_ITEMS_PER_DECRYPT_TASK = 20;
export const MAX_DECRYPT_TASK_BYTES = 200 * 1024;

/** The serialized size of one item in a task: an item larger than MAX_DECRYPT_TASK_BYTES cannot be queued. */
export function decryptItemBytes(item: DecryptPresenceItem): number {
  return Buffer.byteLength(JSON.stringify(item), 'utf8');
}

/** Splits rich items into tasks of at most MAX_ITEMS_PER_DECRYPT_TASK items and about MAX_DECRYPT_TASK_BYTES. */
export function decryptPresenceTasks(items: readonly DecryptPresenceItem[], receivedAt: number): TeamsTaskMessage[] {
  const tasks: TeamsTaskMessage[] = [];
  let chunk: DecryptPresenceItem[] = [];
  let bytes = 0;
  const flush = (): void => {
    if (chunk.length === 0) return;
    tasks.push(task(TEAMS_TASKS.decryptPresence, { receivedAt: String(receivedAt), items: JSON.stringify(chunk) }));
    chunk = [];
    bytes = 0;
  };
  for (const item of items) {
    const size = decryptItemBytes(item) + 1;
    if (chunk.length >= MAX_ITEMS_PER_DECRYPT_TASK || (chunk.length > 0 && bytes + size > MAX_DECRYPT_TASK_BYTES)) flush();
    chunk.push({
      index: item.index,
      subscriptionId: item.subscriptionId,
      ...(item.userId ? { userId: item.userId } : {}),
      encryptedContent: item.encryptedContent,
    });
    bytes += size;
  }
  flush();
  return tasks;
}
