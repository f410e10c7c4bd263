/**
 * `clientState` check: Graph echoes the secret given at subscription time in every notification,
 * and a mismatch means the notification is not ours
 * (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks#processing-the-change-notification).
 * Several configured values allow rotation (comma-separated secrets, README.md#configuration).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * True when `received` equals one of `configured`. Constant time: both sides are hashed to equal
 * length before `timingSafeEqual`, and every configured value is compared (no early exit), so
 * neither the length nor the position of a match leaks through timing.
 */
export function matchesClientState(received: string | null | undefined, configured: readonly string[]): boolean {
  if (typeof received !== 'string' || configured.length === 0) return false;
  const receivedDigest = digest(received);
  let matched = false;
  for (const candidate of configured) {
    if (timingSafeEqual(receivedDigest, digest(candidate))) matched = true;
  }
  return matched;
}
