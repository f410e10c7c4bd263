/**
 * Zoom backfill: reads the current presence of many users over REST and records each as a PresenceEvent,
 * so Genesys shows the right state before (or without) the next webhook. Per-user failures are collected,
 * not thrown; a failure that will hit every user (bad credentials, missing scope, exhausted rate limit)
 * stops the run instead of repeating it for each remaining user.
 */
import { describeError } from '../../errors';
import type { PresenceEvent } from '../../presence';
import type { ZoomClient } from './client';
import { normalizeZoomEmail, normalizeZoomUserId, toZoomOrder, ZOOM_PRESENCE_FIELD } from './normalize';
import { normalizeZoomRestStatus } from './rest-presence';
import type { ZoomRestPresence } from './schema';
import { ZOOM_ERROR_CODES, ZoomApiError } from './zoom-errors';

export interface ZoomBackfillUser {
  /** Zoom user id; empty when only the email is known (it is then looked up with `GET /users/{email}`). */
  readonly externalUserId: string;
  readonly email: string;
}

export interface ZoomBackfillFailure {
  readonly externalUserId: string;
  readonly email: string;
  readonly reason: string;
  /** HTTP status and Zoom code, when the failure came from Zoom (e.g. 404 / 1001). */
  readonly status?: number;
  readonly code?: number;
}

export interface ZoomBackfillSummary {
  readonly total: number;
  readonly recorded: number;
  readonly failed: number;
  readonly failures: readonly ZoomBackfillFailure[];
  /** Set when the run stopped early because every remaining read would fail the same way. */
  readonly stoppedEarly?: string;
  readonly durationMs: number;
}

/** Called after each user: users handled so far (recorded or failed), total, failures so far. */
export type ZoomBackfillProgress = (done: number, total: number, failures: number) => void;

export interface ZoomBackfillOptions {
  readonly client: Pick<ZoomClient, 'getPresenceStatus' | 'getUser'>;
  readonly users: ReadonlyArray<ZoomBackfillUser>;
  /** Records the desired state (conditional write: an older event never overwrites a newer one). */
  readonly record: (event: PresenceEvent) => Promise<void>;
  readonly onProgress?: ZoomBackfillProgress;
  /** Reads in flight at once; the client's rate limiter sets the actual pace. Default 4. */
  readonly concurrency?: number;
  /** Clock (epoch ms). */
  readonly now?: () => number;
}

/**
 * A REST read reflects the state at some instant between sending the request and receiving the answer;
 * we stamp it with the send time, the earliest such instant. A webhook for a change made while the read
 * was in flight then counts as newer and wins, which is right: webhooks report transitions, and a read
 * may not yet show a change Zoom is still propagating. A webhook older than the read loses, which is also
 * right: the read already shows its effect or something later. The stamp is split like webhook ones
 * (whole seconds in `order`, milliseconds in `tiebreak`) so both compare on one scale (normalize.ts).
 */
export function buildZoomBackfillEvent(externalUserId: string, email: string | undefined, restStatus: string, readStartedAtMs: number): PresenceEvent {
  return {
    system: 'zoom',
    externalUserId: normalizeZoomUserId(externalUserId),
    email: normalizeZoomEmail(email),
    values: { [ZOOM_PRESENCE_FIELD]: normalizeZoomRestStatus(restStatus) },
    order: toZoomOrder(readStartedAtMs),
    tiebreak: readStartedAtMs,
  };
}

function failureOf(user: ZoomBackfillUser, error: unknown): ZoomBackfillFailure {
  if (error instanceof ZoomApiError) {
    return { externalUserId: user.externalUserId, email: user.email, reason: error.message, status: error.status, code: error.code };
  }
  return { externalUserId: user.externalUserId, email: user.email, reason: describeError(error) };
}

function isUserNotFound(error: unknown): boolean {
  return error instanceof ZoomApiError && error.status === 404 && error.code === ZOOM_ERROR_CODES.userNotFound;
}

/** Reads and records the presence of every user; resolves with a summary (never rejects for per-user errors). */
export async function runZoomBackfill(options: ZoomBackfillOptions): Promise<ZoomBackfillSummary> {
  const { client, users, record, onProgress, now = Date.now } = options;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const startedAt = now();
  const failures: ZoomBackfillFailure[] = [];
  let recorded = 0;
  let done = 0;
  let next = 0;
  let stoppedEarly: string | undefined;

  const finish = (failure?: ZoomBackfillFailure): void => {
    if (failure) failures.push(failure);
    else recorded += 1;
    done += 1;
    onProgress?.(done, users.length, failures.length);
  };

  async function backfillOne(user: ZoomBackfillUser): Promise<void> {
    let zoomId = user.externalUserId.trim();
    let email = user.email.trim();
    if (!zoomId && !email) throw new Error('neither a Zoom user id nor an email was given');
    if (!zoomId) {
      // The state key is the Zoom user id (webhooks carry it), so an email-only user is resolved first.
      const found = await client.getUser(email);
      zoomId = found.id;
      email = email || (found.email ?? '');
    }
    const readStartedAt = now();
    let presence: ZoomRestPresence;
    try {
      presence = await client.getPresenceStatus(zoomId);
    } catch (error) {
      if (!isUserNotFound(error) || !email) throw error;
      // Zoom does not know this id (it may have been stored lower-cased by an older version of the bridge,
      // or Zoom re-created the user). `{userId}` also accepts the email, so read by that instead, and keep
      // recording under the key the webhooks use (docs/zoom.md). If the email is unknown too, the first
      // error says it best.
      try {
        presence = await client.getPresenceStatus(email);
      } catch (byEmailError) {
        throw isUserNotFound(byEmailError) ? error : byEmailError;
      }
    }
    await record(buildZoomBackfillEvent(zoomId, email, presence.status, readStartedAt));
  }

  async function worker(): Promise<void> {
    while (next < users.length) {
      const user = users[next++];
      if (stoppedEarly) {
        finish({ externalUserId: user.externalUserId, email: user.email, reason: `not read: ${stoppedEarly}` });
        continue;
      }
      try {
        await backfillOne(user);
        finish();
      } catch (error) {
        if (error instanceof ZoomApiError && error.affectsAllRequests) stoppedEarly ??= error.message;
        finish(failureOf(user, error));
      }
    }
  }

  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, users.length)) }, () => worker()));
  return {
    total: users.length,
    recorded,
    failed: failures.length,
    failures,
    ...(stoppedEarly ? { stoppedEarly } : {}),
    durationMs: now() - startedAt,
  };
}
