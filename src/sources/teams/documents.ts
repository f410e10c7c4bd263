/**
 * Names of the Teams documents in the DocumentStore, and one optimistic read-modify-write helper.
 * Names use dots, not slashes, so a file-backed store can use them as file names.
 */
import { StoreError } from '../../errors';
import type { DocumentStore } from '../../store/state-store';

export const TEAMS_DOCUMENTS = {
  /** Directory manifest (refresh time, shard count) — directory.ts. */
  directory: 'teams.directory',
  /** One shard of objectId → email, for the worker (directory.ts). */
  directoryShard: (shard: string) => `teams.directory.${shard}`,
  /** Service accounts signed in with `teams login` (service-accounts.ts). */
  serviceAccounts: 'teams.service-accounts',
  /** Per account: subscription id, expiry, state (subscriptions.ts); also the known-subscription list. */
  subscriptions: 'teams.subscriptions',
  /** Last verified notification per subscription (subscription-activity.ts). */
  activity: 'teams.subscription-activity',
  /** Encrypted MSAL token cache of one service account (token-vault.ts). */
  tokenCache: (account: string) => `teams.token-cache.${account}`,
  /** Microsoft's signing keys for validation tokens, warmed by the maintainer (signing-keys.ts). */
  signingKeys: 'teams.signing-keys',
  /** User ids one account's subscription covers (subscriptions.ts). */
  assignment: (account: string) => `teams.assignment.${account}`,
} as const;

/**
 * Reads, changes and writes a document with optimistic concurrency, retrying on a concurrent write.
 * `update` gets the current value (undefined when absent) and returns the new one.
 */
export async function updateDocument<T>(store: DocumentStore, name: string, update: (current: T | undefined) => T, attempts = 5): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const current = await store.getDocument<T>(name);
    const next = update(current?.value);
    if (await store.putDocument(name, next, current?.version)) return next;
  }
  throw new StoreError(`document ${name} kept changing under concurrent writers; gave up after ${attempts} attempts`);
}
