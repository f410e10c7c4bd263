/**
 * The Microsoft sandbox's own admin routes (not part of Graph), answered only from loopback:
 * - `POST /sandbox/presence` `{email, availability, activity}`: changes a user's presence as a Teams
 *   client would, then Graph's side: every live subscription covering the user is notified (rich
 *   when it asked for resource data, else basic). Answers what was delivered, with status codes.
 * - `GET /sandbox/subscriptions`: the live subscriptions (what `simulate teams` explains when empty).
 */
import type http from 'node:http';
import { z } from 'zod';
import type { MicrosoftState } from './microsoft-state';
import type { PresenceChangeResult } from './microsoft-types';
import { isLoopback, send } from './sandbox-http';

/** Graph's presence availability values (https://learn.microsoft.com/graph/api/resources/presence). */
export const GRAPH_AVAILABILITIES = [
  'Available',
  'AvailableIdle',
  'Away',
  'BeRightBack',
  'Busy',
  'BusyIdle',
  'DoNotDisturb',
  'Offline',
  'PresenceUnknown',
] as const;

const presenceChange = z.object({
  email: z.string().trim().min(3).max(320),
  availability: z.enum(GRAPH_AVAILABILITIES),
  // Activities are an open list in Graph (InACall, InAMeeting, Presenting, …): a single word.
  activity: z.string().regex(/^[A-Za-z]{1,64}$/, 'activity must be one word such as InACall, InAMeeting, Available'),
});

export type ChangePresence = (userId: string, availability: string, activity: string) => Promise<PresenceChangeResult>;

/** Returns true when it answered the request (a `/sandbox/` path). */
export async function handleAdminRoute(
  state: MicrosoftState,
  changePresence: ChangePresence,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  text: string,
): Promise<boolean> {
  if (!url.pathname.startsWith('/sandbox/')) return false;
  if (!isLoopback(req.socket.remoteAddress)) {
    send(res, 403, { error: 'the sandbox admin routes answer only requests from this machine' });
    return true;
  }
  if (url.pathname === '/sandbox/presence' && req.method === 'POST') {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      send(res, 400, { error: 'body must be JSON: {"email":"alice@example.com","availability":"Busy","activity":"InACall"}' });
      return true;
    }
    const parsed = presenceChange.safeParse(json);
    if (!parsed.success) {
      send(res, 400, {
        error: `invalid presence change: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ')}`,
      });
      return true;
    }
    const user = state.findUserByEmail(parsed.data.email);
    if (!user) {
      const known = [...state.users.values()].map((candidate) => candidate.mail ?? candidate.userPrincipalName).join(', ');
      send(res, 404, { error: `no sandbox user ${parsed.data.email}; the sandbox has: ${known}` });
      return true;
    }
    send(res, 200, await changePresence(user.id, parsed.data.availability, parsed.data.activity));
    return true;
  }
  if (url.pathname === '/sandbox/subscriptions' && req.method === 'GET') {
    const live = [...state.subscriptions.values()].filter((s) => state.liveSubscription(s.id));
    send(res, 200, {
      value: live.map((s) => ({
        id: s.id,
        ownerUserId: s.ownerUserId,
        users: s.userIds.length,
        notificationUrl: s.notificationUrl,
        includeResourceData: s.includeResourceData,
        expirationDateTime: s.expirationDateTime,
      })),
    });
    return true;
  }
  send(res, 404, { error: `no sandbox route ${req.method} ${url.pathname}; try POST /sandbox/presence` });
  return true;
}
