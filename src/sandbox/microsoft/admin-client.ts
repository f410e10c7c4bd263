/** The CLI's client of the Microsoft sandbox's admin route (`simulate teams`). */
import { BridgeError } from '../../errors';
import type { PresenceChangeResult } from './microsoft-types';

/** Asks the sandbox to change a user's presence and deliver the notifications; returns what it delivered. */
export async function requestSandboxPresenceChange(
  adminUrl: string,
  change: { readonly email: string; readonly availability: string; readonly activity: string },
): Promise<PresenceChangeResult> {
  const response = await fetch(`${adminUrl}/presence`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(change),
  }).catch((error: unknown) => {
    throw new BridgeError(`cannot reach the Microsoft sandbox at ${adminUrl} (is npm start still running?): ${(error as Error).message}`, { cause: error });
  });
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: string }).error ?? text;
    } catch {
      // not JSON: show it as it is
    }
    throw new BridgeError(`the Microsoft sandbox refused the change (HTTP ${response.status}): ${message}`);
  }
  return JSON.parse(text) as PresenceChangeResult;
}
