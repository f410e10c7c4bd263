/**
 * The sandbox's Graph (HTTP): the JWKS, `/users` with paging and `$select` (`accountEnabled` only when
 * selected, as Graph does, https://learn.microsoft.com/graph/api/resources/user),
 * `/groups/{id}/transitiveMembers/microsoft.graph.user` (nested groups flattened, paging),
 * `getPresencesByUserId` (≤650 ids, https://learn.microsoft.com/graph/api/cloudcommunications-getpresencesbyuserid),
 * `/subscriptions` (subscription-routes.ts) and the loopback-only admin routes (admin-routes.ts).
 */
import type http from 'node:http';
import type { MicrosoftState, Identity } from './microsoft-state';
import type { MicrosoftSandboxUser } from './microsoft-types';
import { graphError, readBody, send } from './sandbox-http';
import { handleSubscriptionRoute } from './subscription-routes';

/** A user as Graph returns it: `$select`ed properties only (id always); without `$select`, the default set. */
function userJson(user: MicrosoftSandboxUser, select: string | undefined): Record<string, unknown> {
  const all: Record<string, unknown> = {
    id: user.id,
    mail: user.mail,
    userPrincipalName: user.userPrincipalName,
    accountEnabled: user.accountEnabled ?? true,
  };
  // accountEnabled is not among the default properties (resources/user): returned only when selected.
  const fields = select ? ['id', ...select.split(',').map((field) => field.trim())] : ['id', 'mail', 'userPrincipalName'];
  return Object.fromEntries(fields.filter((field) => field in all).map((field) => [field, all[field]]));
}

/** Users reachable from a group through nested groups, each once, in a stable order. */
function transitiveUsers(state: MicrosoftState, groupId: string): MicrosoftSandboxUser[] {
  const seenGroups = new Set<string>();
  const found = new Map<string, MicrosoftSandboxUser>();
  const visit = (id: string): void => {
    if (seenGroups.has(id)) return;
    seenGroups.add(id);
    for (const member of state.groups.get(id) ?? []) {
      if (state.groups.has(member)) visit(member);
      else if (state.users.has(member)) found.set(member, state.users.get(member)!);
    }
  };
  visit(groupId);
  return [...found.values()];
}

/** An absolute `@odata.nextLink` that keeps the query and carries an opaque skip token. */
function nextLink(state: MicrosoftState, route: string, url: URL, top: number, skip: number): string {
  const query = new URLSearchParams(url.searchParams);
  query.set('$top', String(top));
  query.set('$skiptoken', String(skip));
  return `${state.urls.graphOrigin}/v1.0${route}?${decodeURIComponent(query.toString())}`;
}

function sendUserPage(state: MicrosoftState, res: http.ServerResponse, route: string, url: URL, all: MicrosoftSandboxUser[], top: number): void {
  const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
  const select = url.searchParams.get('$select') ?? undefined;
  const page = all.slice(skip, skip + top).map((user) => userJson(user, select));
  const next = skip + top < all.length ? nextLink(state, route, url, top, skip + top) : undefined;
  send(res, 200, { '@odata.context': `${state.urls.graphOrigin}/v1.0/$metadata#users`, value: page, ...(next ? { '@odata.nextLink': next } : {}) });
}

function readPresences(state: MicrosoftState, res: http.ServerResponse, body: Record<string, unknown>): void {
  const ids = Array.isArray(body.ids) ? (body.ids as unknown[]) : undefined;
  state.requests[state.requests.length - 1] = { ...state.requests[state.requests.length - 1], ids: ids?.map(String) };
  if (!ids || ids.length === 0 || ids.length > 650) {
    // An oversized request gets a bare 400 (https://github.com/microsoftgraph/microsoft-graph-docs-contrib/issues/777).
    send(res, 400, '');
    return;
  }
  const value = ids
    .map((id) => state.users.get(String(id)))
    .filter((user): user is MicrosoftSandboxUser => user !== undefined)
    .map((user) => ({
      id: user.id,
      availability: user.availability,
      activity: user.activity,
      sequenceNumber: state.sequenceOf(user.id),
      outOfOfficeSettings: { message: null, isOutOfOffice: false },
    }));
  send(res, 200, { '@odata.context': `${state.urls.graphOrigin}/v1.0/$metadata#Collection(microsoft.graph.presence)`, value });
}

async function handleApi(
  state: MicrosoftState,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  text: string,
  identity: Identity,
): Promise<void> {
  const route = url.pathname.slice('/v1.0'.length);
  let body: Record<string, unknown> = {};
  if (text) {
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      graphError(res, 400, 'BadRequest', 'Unable to read JSON request payload.');
      return;
    }
  }
  if (req.method === 'GET' && route === '/users') {
    if (identity.kind !== 'app') {
      graphError(res, 403, 'Authorization_RequestDenied', 'app-only in this sandbox');
      return;
    }
    const top = Math.min(Number(url.searchParams.get('$top') ?? '100'), state.options.usersPageSize ?? 999);
    sendUserPage(state, res, '/users', url, [...state.users.values()], top);
    return;
  }
  const members = /^\/groups\/([^/]+)\/transitiveMembers\/microsoft\.graph\.user$/i.exec(route);
  if (req.method === 'GET' && members) {
    const groupId = decodeURIComponent(members[1]);
    if (!state.groups.has(groupId)) {
      graphError(
        res,
        404,
        'Request_ResourceNotFound',
        `Resource '${groupId}' does not exist or one of its queried reference-property objects are not present.`,
      );
      return;
    }
    // Graph's default page is 100 members; `$top` asks for up to 999.
    const top = Math.min(Number(url.searchParams.get('$top') ?? '100'), 999, state.options.groupMembersPageSize ?? 999);
    sendUserPage(state, res, route, url, transitiveUsers(state, groupId), top);
    return;
  }
  if (req.method === 'POST' && route === '/communications/getPresencesByUserId') {
    readPresences(state, res, body);
    return;
  }
  if (route === '/subscriptions' || route.startsWith('/subscriptions/')) {
    await handleSubscriptionRoute(state, req, res, route, body, identity);
    return;
  }
  graphError(res, 404, 'NotFound', `no route ${req.method} ${route}`);
}

/**
 * The Graph server's request listener. `admin` answers `/sandbox/…` (not part of Graph: the sandbox's
 * own control surface) before Graph's auth applies.
 */
export function createGraphHandler(
  state: MicrosoftState,
  admin: (req: http.IncomingMessage, res: http.ServerResponse, url: URL, text: string) => Promise<boolean>,
): http.RequestListener {
  return (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', state.urls.graphOrigin);
      const text = await readBody(req);
      if (await admin(req, res, url, text)) return;
      const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
      const identity = match ? state.accessTokens.get(match[1]) : undefined;
      state.requests.push({
        server: 'graph',
        method: req.method ?? '',
        path: url.pathname + url.search,
        identity: identity ? (identity.kind === 'app' ? 'app' : `user:${identity.userId}`) : undefined,
      });
      const failure = state.takeFailure(req.method ?? '', url.pathname);
      if (failure) {
        send(res, failure.status, failure.body ?? { error: { code: 'injected', message: `injected ${failure.status}` } }, failure.headers);
        return;
      }
      if (req.method === 'GET' && url.pathname === '/common/discovery/v2.0/keys') {
        send(res, 200, { keys: [state.signer.jwk] });
        return;
      }
      if (!url.pathname.startsWith('/v1.0/')) {
        graphError(res, 404, 'NotFound', 'no such API');
        return;
      }
      if (!identity) {
        graphError(res, 401, 'InvalidAuthenticationToken', 'Access token is empty or invalid.');
        return;
      }
      await handleApi(state, req, res, url, text, identity);
    })().catch((error: unknown) => send(res, 500, { error: String(error) }));
  };
}
