/**
 * A RingCentral stand-in on 127.0.0.1 (port 0) for tests: JWT login, subscriptions (list, create, renew,
 * update, delete, with a Blacklisted switch and an account-filter refusal switch), account info, account
 * presence and extension paging, scripted failures (429 with or without Retry-After, 5xx), an optional
 * Validation-Token handshake against the webhook address when a subscription is created, and delivery of
 * presence notifications to the subscriptions' addresses.
 *
 * Like RingCentral, and unlike what a client might assume:
 * - `~` in event filters is expanded: subscription answers list `eventFilters` (and `disabledFilters`)
 *   with the numeric account id and the token owner's extension id, and delivered notifications carry
 *   numeric ids in `event` (`/restapi/v1.0/account/643711048/extension/643716048/presence`,
 *   https://github.com/ringcentral/RingCentral.Net/issues/58) and a numeric `body.extensionId`.
 * - `deliveryMode.verificationToken` is never returned (it is not in SubscriptionInfo,
 *   https://developers.ringcentral.com/api-reference/Subscriptions/createSubscription), yet the token last
 *   given (create or PUT) is sent as the `Verification-Token` header on every delivery.
 * - the token response carries `owner_id` (https://developers.ringcentral.com/guide/authentication/jwt-flow)
 *   and `GET /restapi/v1.0/account/~` answers a numeric `id`.
 *
 * Shapes follow the vendor docs cited in src/sources/ringcentral/*.ts; only what the bridge uses is modelled.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface StandInSubscription {
  id: string;
  uri: string;
  eventFilters: string[];
  disabledFilters: Array<{ filter: string; reason: string }>;
  expirationTime: string;
  expiresIn: number;
  status: 'Active' | 'Blacklisted';
  creationTime: string;
  deliveryMode: { transportType: string; address: string; verificationToken?: string };
  blacklistedData?: { reason: string; blacklistedAt: string };
}

export interface StandInExtension {
  id: number | string;
  extensionNumber?: string;
  type?: string;
  status?: string;
  contact?: { email?: string };
}

export interface StandInRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  /** The test clock when the request arrived. */
  readonly at: number;
  readonly body?: unknown;
}

export interface ScriptedResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

export interface RingCentralStandInOptions {
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly jwt?: string;
  readonly tokenTtlSeconds?: number;
  /** The clock requests are stamped with and subscriptions expire by (default Date.now). */
  readonly clock?: () => number;
  /** Delay of the token endpoint, so concurrent logins would overlap (default 30 ms). */
  readonly loginDelayMs?: number;
  /** The account's numeric id, what `~` in the account position expands to (default 130829004). */
  readonly accountId?: string;
  /** The JWT user's extension id: `owner_id`, and what `~` in the extension position expands to (default 6610372004). */
  readonly ownerExtensionId?: string;
}

/** One delivery attempt of a notification to a subscription's address. */
export interface StandInDelivery {
  readonly subscriptionId: string;
  readonly address: string;
  /** The `Verification-Token` header sent (absent when the subscription has none). */
  readonly verificationToken?: string;
  readonly notification: Record<string, unknown>;
  /** HTTP status the webhook answered, or 0 when the request failed. */
  readonly status: number;
}

export interface HandshakeProbe {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Size of the whole response: status line, headers and body. */
  readonly totalBytes: number;
}

/**
 * Sends RingCentral's validation request (`POST` with `Validation-Token`, no body) and measures the raw
 * response. `Connection: close` so the response ends with the socket.
 */
export async function probeRingCentralHandshake(address: string, validationToken: string): Promise<HandshakeProbe> {
  const url = new URL(address);
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
    socket.setTimeout(3000, () => socket.destroy(new Error('handshake took longer than 3000 ms')));
    socket.write(
      `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: RingCentral-Webhook/8.3\r\n` +
        `Validation-Token: ${validationToken}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    );
  });
  const text = raw.toString('latin1');
  const [head] = text.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, totalBytes: raw.length };
}

export class RingCentralStandIn {
  readonly requests: StandInRequest[] = [];
  readonly subscriptions = new Map<string, StandInSubscription>();
  extensions: StandInExtension[] = [];
  presence: unknown[] = [];
  logins = 0;
  /** `error`: creating the account-wide filter fails with 403 CMN-408; `disable`: it comes back in disabledFilters. */
  refuseAccountFilter: false | 'error' | 'disable' = false;
  /** Check the webhook address with a Validation-Token handshake on create, like RingCentral. */
  validateAddress = false;
  /** Every notification delivered by `deliverPresence`, in order. */
  readonly deliveries: StandInDelivery[] = [];

  private readonly scripted: Array<{ method?: string; path: RegExp; response: ScriptedResponse }> = [];
  private readonly tokens = new Set<string>();
  private nextId = 1;
  private server?: http.Server;
  private baseUrl = '';

  constructor(private readonly options: RingCentralStandInOptions = {}) {}

  get url(): string {
    return this.baseUrl;
  }

  get clientId(): string {
    return this.options.clientId ?? 'rc-client-id';
  }

  get clientSecret(): string {
    return this.options.clientSecret ?? 'rc-client-secret';
  }

  get jwt(): string {
    return this.options.jwt ?? 'eyJhbGciOiJSUzI1NiJ9.stand-in.jwt';
  }

  get accountId(): string {
    return this.options.accountId ?? '130829004';
  }

  get ownerExtensionId(): string {
    return this.options.ownerExtensionId ?? '6610372004';
  }

  /** A filter as RingCentral stores and returns it: `~` replaced by the account and owner extension ids. */
  expandFilter(filter: string): string {
    return filter
      .replace(/^(\/restapi\/v1\.0\/account\/)~(?=[/?]|$)/, `$1${this.accountId}`)
      .replace(/(\/extension\/)~(?=[/?]|$)/, `$1${this.ownerExtensionId}`);
  }

  /**
   * RingCentral reports a presence change of `extensionId`: every Active subscription whose filters cover
   * it (the account-wide presence filter or that extension's presence filter) gets a notification POSTed to
   * its address with its verification token. Returns the delivery attempts.
   */
  async deliverPresence(extensionId: string, body: Record<string, unknown>, at: Date = new Date(this.now())): Promise<StandInDelivery[]> {
    const attempts: StandInDelivery[] = [];
    for (const subscription of this.subscriptions.values()) {
      if (subscription.status !== 'Active') continue;
      const account = `/restapi/v1.0/account/${this.accountId}`;
      const filter = subscription.eventFilters.find(
        (f) => f.split('?')[0] === `${account}/presence` || f.split('?')[0] === `${account}/extension/${extensionId}/presence`,
      );
      if (!filter) continue;
      const query = filter.includes('?') ? filter.slice(filter.indexOf('?')) : '';
      const notification = {
        uuid: crypto.randomUUID(),
        event: `${account}/extension/${extensionId}/presence${query}`,
        timestamp: at.toISOString(),
        subscriptionId: subscription.id,
        ownerId: this.ownerExtensionId,
        body: { extensionId: Number(extensionId), ...body },
      };
      const token = subscription.deliveryMode.verificationToken;
      let status: number;
      try {
        const response = await fetch(subscription.deliveryMode.address, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'RingCentral-Webhook/8.3',
            ...(token ? { 'verification-token': token } : {}),
          },
          body: JSON.stringify(notification),
        });
        status = response.status;
        await response.arrayBuffer();
      } catch {
        status = 0;
      }
      const attempt = { subscriptionId: subscription.id, address: subscription.deliveryMode.address, verificationToken: token, notification, status };
      attempts.push(attempt);
      this.deliveries.push(attempt);
    }
    return attempts;
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }

  /** The next request matching `path` (and `method`) gets `response` instead of the normal answer. */
  failNext(path: RegExp, response: ScriptedResponse, method?: string): void {
    this.scripted.push({ path, response, method });
  }

  /** Flags a subscription as RingCentral does after failed deliveries. */
  blacklist(id: string, reason = 'I/O operation is failed. Details: [Read timed out]'): void {
    const subscription = this.subscriptions.get(id);
    if (!subscription) throw new Error(`no subscription ${id}`);
    subscription.status = 'Blacklisted';
    subscription.blacklistedData = { reason, blacklistedAt: new Date(this.now()).toISOString() };
  }

  /** Requests whose path matches. */
  requestsTo(path: RegExp, method?: string): StandInRequest[] {
    return this.requests.filter((r) => path.test(r.path) && (!method || r.method === method));
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.handle(req, Buffer.concat(chunks)).then(
          (answer) => this.send(res, answer),
          (error: Error) => this.send(res, { status: 500, body: { message: error.message } }),
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server!.close(resolve));
  }

  private send(res: http.ServerResponse, answer: ScriptedResponse): void {
    const headers = { ...(answer.body === undefined ? {} : { 'content-type': 'application/json' }), ...answer.headers };
    res.writeHead(answer.status, headers);
    res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
  }

  private error(status: number, errorCode: string, message: string, extra: Record<string, unknown> = {}): ScriptedResponse {
    return { status, body: { errorCode, message, errors: [{ errorCode, message, ...extra }] } };
  }

  private async handle(req: http.IncomingMessage, raw: Buffer): Promise<ScriptedResponse> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams.entries());
    const text = raw.toString('utf8');
    let body: unknown;
    if (text && (req.headers['content-type'] ?? '').includes('json')) body = JSON.parse(text);
    else if (text) body = Object.fromEntries(new URLSearchParams(text).entries());
    this.requests.push({ method, path, query, at: this.now(), body });

    const scripted = this.scripted.findIndex((s) => s.path.test(path) && (!s.method || s.method === method));
    if (scripted >= 0) return this.scripted.splice(scripted, 1)[0].response;

    if (path === '/restapi/oauth/token' && method === 'POST') return this.login(req, body as Record<string, string>);

    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !this.tokens.has(auth.slice(7))) {
      return this.error(401, 'AGW-401', 'Authorization header is not specified or token is invalid');
    }

    const sub = /^\/restapi\/v1\.0\/subscription(?:\/([^/]+))?(\/renew)?$/.exec(path);
    if (sub) return this.subscriptionRoute(method, sub[1] ? decodeURIComponent(sub[1]) : undefined, Boolean(sub[2]), body);
    if ((path === '/restapi/v1.0/account/~' || path === `/restapi/v1.0/account/${this.accountId}`) && method === 'GET') {
      return { status: 200, body: { uri: `${this.baseUrl}/restapi/v1.0/account/${this.accountId}`, id: Number(this.accountId), status: 'Confirmed' } };
    }
    if (path === '/restapi/v1.0/account/~/presence' && method === 'GET') return this.page(this.presence, query);
    if (path === '/restapi/v1.0/account/~/extension' && method === 'GET') return this.page(this.extensions, query);
    return this.error(404, 'CMN-102', `Resource for parameter [${path}] is not found`);
  }

  private async login(req: http.IncomingMessage, form: Record<string, string>): Promise<ScriptedResponse> {
    await new Promise((resolve) => setTimeout(resolve, this.options.loginDelayMs ?? 30));
    const expected = `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64')}`;
    const formOk = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    if (req.headers.authorization !== expected || !formOk) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'Invalid client', errors: [{ errorCode: 'OAU-123', message: 'Invalid client' }] } };
    }
    if (form.grant_type !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' || form.assertion !== this.jwt) {
      return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid token', errors: [{ errorCode: 'OAU-213', message: 'Token not found' }] } };
    }
    this.logins++;
    const token = `at-${this.logins}-${crypto.randomBytes(6).toString('hex')}`;
    this.tokens.add(token);
    return {
      status: 200,
      body: {
        access_token: token,
        token_type: 'bearer',
        expires_in: this.options.tokenTtlSeconds ?? 3600,
        refresh_token: 'unused',
        refresh_token_expires_in: 604799,
        scope: 'ReadAccounts ReadPresence WebhookSubscriptions',
        owner_id: this.ownerExtensionId,
      },
    };
  }

  /** Drops every issued access token (RingCentral revoked them). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** What RingCentral answers about a subscription: never the verification token. */
  private view(subscription: StandInSubscription): StandInSubscription {
    const { verificationToken: _omitted, ...deliveryMode } = subscription.deliveryMode;
    void _omitted;
    return structuredClone({ ...subscription, deliveryMode });
  }

  private async subscriptionRoute(method: string, id: string | undefined, renew: boolean, body: unknown): Promise<ScriptedResponse> {
    if (!id && method === 'GET') {
      return { status: 200, body: { uri: `${this.baseUrl}/restapi/v1.0/subscription`, records: [...this.subscriptions.values()].map((s) => this.view(s)) } };
    }
    if (!id && method === 'POST') return this.create(body as Record<string, unknown>);
    const subscription = id ? this.subscriptions.get(id) : undefined;
    if (!subscription) return this.error(404, 'SUB-500', `Subscription [${id}] is not found`);
    if (renew && method === 'POST') {
      subscription.expirationTime = new Date(this.now() + subscription.expiresIn * 1000).toISOString();
      return { status: 200, body: this.view(subscription) };
    }
    if (method === 'PUT') {
      const update = (body ?? {}) as Partial<StandInSubscription>;
      if (update.eventFilters) subscription.eventFilters = update.eventFilters.map((f) => this.expandFilter(f));
      if (update.deliveryMode) subscription.deliveryMode = { ...subscription.deliveryMode, ...update.deliveryMode };
      if (update.expiresIn) subscription.expiresIn = update.expiresIn;
      subscription.expirationTime = new Date(this.now() + subscription.expiresIn * 1000).toISOString();
      return { status: 200, body: this.view(subscription) };
    }
    if (method === 'DELETE') {
      this.subscriptions.delete(subscription.id);
      return { status: 204 };
    }
    return this.error(405, 'CMN-101', 'method not allowed');
  }

  private async create(body: Record<string, unknown>): Promise<ScriptedResponse> {
    const filters = body.eventFilters;
    const delivery = body.deliveryMode as StandInSubscription['deliveryMode'] | undefined;
    if (!Array.isArray(filters) || filters.length === 0 || !delivery || delivery.transportType !== 'WebHook' || !delivery.address) {
      return this.error(400, 'SUB-100', 'eventFilters and deliveryMode {transportType: WebHook, address} are required');
    }
    const expiresIn = Number(body.expiresIn ?? 604800);
    if (!(expiresIn >= 1 && expiresIn <= 315360000)) return this.error(400, 'SUB-101', 'expiresIn out of range');
    const expanded = (filters as string[]).map((f) => this.expandFilter(f));
    const accountFilters = expanded.filter((f) => /^\/restapi\/v1\.0\/account\/[^/]+\/presence(\?|$)/.test(f));
    if (accountFilters.length > 0 && this.refuseAccountFilter === 'error') {
      return this.error(
        403,
        'CMN-408',
        'In order to call this API endpoint, user needs to have [ReadAccounts] permission for requested resource.',
        { permissionName: 'ReadAccounts' },
      );
    }
    if (this.validateAddress) {
      const token = crypto.randomUUID();
      const probe = await probeRingCentralHandshake(delivery.address, token).catch(() => undefined);
      const ok =
        probe !== undefined &&
        probe.status === 200 &&
        probe.headers['validation-token'] === token &&
        (probe.headers['content-type'] ?? '').startsWith('application/json') &&
        probe.totalBytes <= 1024;
      if (!ok) return this.error(400, 'SUB-525', 'WebHook server response is invalid');
    }
    const id = `sub-${this.nextId++}`;
    const disabled = this.refuseAccountFilter === 'disable' ? accountFilters : [];
    const subscription: StandInSubscription = {
      id,
      uri: `${this.baseUrl}/restapi/v1.0/subscription/${id}`,
      eventFilters: expanded.filter((f) => !disabled.includes(f)),
      disabledFilters: disabled.map((filter) => ({ filter, reason: 'Permission [ReadAccounts] is required' })),
      expirationTime: new Date(this.now() + expiresIn * 1000).toISOString(),
      expiresIn,
      status: 'Active',
      creationTime: new Date(this.now()).toISOString(),
      deliveryMode: { ...delivery },
    };
    this.subscriptions.set(id, subscription);
    return { status: 200, body: this.view(subscription) };
  }

  private page(items: unknown[], query: Record<string, string>): ScriptedResponse {
    const perPage = Number(query.perPage ?? 100);
    const page = Number(query.page ?? 1);
    const totalPages = Math.max(1, Math.ceil(items.length / perPage));
    const records = items.slice((page - 1) * perPage, page * perPage);
    return {
      status: 200,
      body: {
        records,
        paging: { page, perPage, totalPages, totalElements: items.length },
        navigation: page < totalPages ? { nextPage: { uri: `${this.baseUrl}?page=${page + 1}&perPage=${perPage}` } } : {},
      },
    };
  }
}

/** Starts a stand-in; call `close()` in afterAll/afterEach. */
export function startRingCentralStandIn(options: RingCentralStandInOptions = {}): Promise<RingCentralStandIn> {
  return new RingCentralStandIn(options).start();
}
