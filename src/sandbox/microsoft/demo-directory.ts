/**
 * The Microsoft sandbox's directory: the Genesys sandbox's demo users (same emails, so they match
 * across both), plus the service account `npm start` signs in with the device code.
 */
import { createHash } from 'node:crypto';
import { DEMO_USERS } from '../sandbox-state';
import type { MicrosoftSandboxUser } from './microsoft-types';

export const DEMO_SERVICE_ACCOUNT_EMAIL = 'teams-service@example.com';

/** A GUID-shaped Entra object id derived from the email, so ids (and the bridge's records) survive restarts. */
export function demoObjectId(email: string): string {
  const hex = createHash('sha256').update(`presence-bridge-sandbox:${email.toLowerCase()}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function demoUser(email: string): MicrosoftSandboxUser {
  return { id: demoObjectId(email), mail: email, userPrincipalName: email, availability: 'Available', activity: 'Available' };
}

/** Fresh user objects (the sandbox mutates presence on them). */
export function demoDirectory(): MicrosoftSandboxUser[] {
  return [...DEMO_USERS.map((user) => demoUser(user.email)), demoUser(DEMO_SERVICE_ACCOUNT_EMAIL)];
}
