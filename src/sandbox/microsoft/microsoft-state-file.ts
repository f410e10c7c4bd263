/**
 * Persistence of the Microsoft sandbox for `npm start` (BRIDGE_DATA_DIR/microsoft-sandbox/state.json):
 * what Microsoft keeps across the bridge's restarts must survive the sandbox's too. A signed-in service
 * account's refresh token stays valid, its presence subscription stays (the bridge remembers it and only
 * renews it), and presence `sequenceNumber`s keep moving forward (the bridge drops a notification whose
 * sequence is older than the one it holds: https://learn.microsoft.com/graph/api/resources/presence).
 * Read and written by src/sandbox/sandbox-json-file.ts.
 */
import * as z from 'zod';
import { readSandboxJson } from '../sandbox-json-file';
import type { MicrosoftState } from './microsoft-state';

const subscriptionSchema = z.object({
  id: z.string(),
  ownerUserId: z.string(),
  userIds: z.array(z.string()),
  resource: z.string(),
  notificationUrl: z.string(),
  lifecycleNotificationUrl: z.string().optional(),
  clientState: z.string().optional(),
  includeResourceData: z.boolean(),
  encryptionCertificate: z.string().optional(),
  encryptionCertificateId: z.string().optional(),
  expirationDateTime: z.string(),
});

const identitySchema = z.union([z.object({ kind: z.literal('app') }), z.object({ kind: z.literal('user'), userId: z.string() })]);

const snapshotSchema = z.object({
  version: z.literal(1),
  /**
   * The login server's port, taken again at the next start when free: MSAL files cached tokens under the
   * authority's host and port, so a new port would make every signed-in account sign in again.
   */
  loginPort: z.number().int().positive().optional(),
  presence: z.record(z.string(), z.object({ availability: z.string(), activity: z.string() })),
  sequenceNumbers: z.record(z.string(), z.string()),
  subscriptions: z.array(subscriptionSchema),
  refreshTokens: z.record(z.string(), z.string()),
  accessTokens: z.record(z.string(), identitySchema),
});

export type MicrosoftSandboxSnapshot = z.infer<typeof snapshotSchema>;

export function loadMicrosoftSnapshot(file: string): Promise<MicrosoftSandboxSnapshot | undefined> {
  return readSandboxJson(file, snapshotSchema, 'microsoft sandbox');
}

export function snapshotMicrosoftState(state: MicrosoftState): MicrosoftSandboxSnapshot {
  const loginPort = Number(new URL(state.urls.loginBaseUrl).port);
  return {
    version: 1,
    ...(loginPort > 0 ? { loginPort } : {}),
    presence: Object.fromEntries([...state.users.values()].map((user) => [user.id, { availability: user.availability, activity: user.activity }])),
    sequenceNumbers: state.sequenceNumbers(),
    subscriptions: [...state.subscriptions.values()].map((subscription) => ({ ...subscription, userIds: [...subscription.userIds] })),
    refreshTokens: Object.fromEntries(state.refreshTokens),
    accessTokens: Object.fromEntries(state.accessTokens),
  };
}

/** Puts a snapshot back; presence of users no longer in the directory is ignored. */
export function restoreMicrosoftState(state: MicrosoftState, snapshot: MicrosoftSandboxSnapshot): void {
  for (const [userId, presence] of Object.entries(snapshot.presence)) {
    const user = state.users.get(userId);
    if (!user) continue;
    user.availability = presence.availability;
    user.activity = presence.activity;
  }
  state.restoreSequenceNumbers(snapshot.sequenceNumbers);
  for (const subscription of snapshot.subscriptions) state.subscriptions.set(subscription.id, subscription);
  for (const [token, userId] of Object.entries(snapshot.refreshTokens)) state.refreshTokens.set(token, userId);
  for (const [token, identity] of Object.entries(snapshot.accessTokens)) state.accessTokens.set(token, identity);
}
