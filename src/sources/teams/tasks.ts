/**
 * The Teams follow-up work that must not run on the 3-second webhook path: queued as
 * `{ kind: 'task', system: 'teams', task, data }` and executed by task-runner.ts.
 */
import type { QueueMessage } from '../../queue/key-queue';

export const TEAMS_TASKS = {
  /** Read presence from Graph: `data.userIds` (comma-separated) or all users of `data.subscriptionId`. */
  readPresence: 'read-presence',
  /** `reauthorizationRequired`: renew (PATCH), which also reauthorizes; re-create on 404. */
  reauthorize: 'reauthorize',
  /** `subscriptionRemoved`: create the account's subscription again, then read its users. */
  recreateSubscription: 'recreate-subscription',
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
