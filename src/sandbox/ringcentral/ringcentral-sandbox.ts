/**
 * The RingCentral sandbox: a plain-HTTP RingCentral on loopback that the bridge uses like the real one
 * (RINGCENTRAL_SERVER_URL may be any URL). It serves JWT login, account info, extensions, account presence,
 * webhook subscriptions (list, create with the Validation-Token handshake, renew, update, delete), and
 * delivers presence notifications to the subscriptions' addresses itself. An admin route,
 * `POST /sandbox/presence` (loopback only), changes a user's presence and delivers the notification.
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
 * The tests' stand-in (test/helpers/ringcentral-stand-in.ts) is this class with fault injection added.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoRingCentralExtensions, idleRingCentralPresence } from './ringcentral-demo-directory';
import { postRingCentralNotification } from './ringcentral-delivery';
import { expandRingCentralFilter, isAccountPresenceFilter, presenceEventFor, presenceFilterCovering } from './ringcentral-filters';
import { isHandshakeAccepted, probeRingCentralHandshake } from './ringcentral-handshake-probe';
import {
  applyPresenceChange,
  describePresenceChangeError,
  presenceChangeSchema,
  presenceNotificationBody,
  type PresenceChange,
} from './ringcentral-presence-change';
import { createOrderedWriter } from '../sandbox-json-file';
import { loadRingCentralSnapshot, type RingCentralSandboxSnapshot } from './ringcentral-sandbox-state-file';
import type {
  RingCentralSandboxAnswer,
  RingCentralSandboxDelivery,
  RingCentralSandboxExtension,
  RingCentralSandboxOptions,
  RingCentralSandboxPresenceRecord,
  RingCentralSandboxRequest,
  RingCentralSandboxSubscription,
} from './ringcentral-sandbox-types';

/** Ids in the shape of RingCentral's own examples (https://developers.ringcentral.com/api-reference/Subscriptions). */
const SANDBOX_ACCOUNT_ID = '130829004';
const SANDBOX_OWNER_EXTENSION_ID = '6610372004';
const LOGIN_DELAY_MS = 30;

export const RINGCENTRAL_SANDBOX_PRESENCE_ROUTE = '/sandbox/presence';

/** `npm start` runs for days: the inspection logs keep only the latest entries. */
const MAX_LOG_ENTRIES = 10_000;

function append<T>(log: T[], entry: T): void {
  log.push(entry);
  if (log.length > MAX_LOG_ENTRIES) log.splice(0, log.length - MAX_LOG_ENTRIES);
}

/** What `POST /sandbox/presence` (and `changePresence`) answers. */
export interface RingCentralPresenceChangeResult {
  readonly email: string;
  readonly extensionId: string;
  readonly presence: RingCentralSandboxPresenceRecord;
  /** One per subscription covering the extension; empty when none does (no subscription yet). */
  readonly deliveries: ReadonlyArray<Omit<RingCentralSandboxDelivery, 'notification' | 'verificationToken'> & { readonly uuid: string }>;
}

export class RingCentralSandbox {
  readonly requests: RingCentralSandboxRequest[] = [];
  readonly subscriptions = new Map<string, RingCentralSandboxSubscription>();
  extensions: RingCentralSandboxExtension[] = [];
  presence: RingCentralSandboxPresenceRecord[] = [];
  logins = 0;
  /** `error`: creating the account-wide filter fails with 403 CMN-408; `disable`: it comes back in disabledFilters. */
  refuseAccountFilter: false | 'error' | 'disable' = false;
  /** Check the webhook address with a Validation-Token handshake on create, like RingCentral. */
  validateAddress: boolean;
  /** Every notification delivered, in order. */
  readonly deliveries: RingCentralSandboxDelivery[] = [];

  private readonly tokens = new Set<string>();
  private readonly writer?: ReturnType<typeof createOrderedWriter<RingCentralSandboxSnapshot>>;
  private sequence = 0;
  private server?: http.Server;
  private baseUrl = '';

  constructor(protected readonly options: RingCentralSandboxOptions = {}) {
    this.validateAddress = options.validateAddress ?? true;
    if (options.stateFile) this.writer = createOrderedWriter<RingCentralSandboxSnapshot>(options.stateFile);
  }

  get url(): string {
    return this.baseUrl;
  }

  get clientId(): string {
    return this.options.clientId ?? 'ringcentral-sandbox-client';
  }

  get clientSecret(): string {
    return this.options.clientSecret ?? 'ringcentral-sandbox-secret';
  }

  /** The JWT credential of the sandbox's demo app (RINGCENTRAL_JWT). */
  get jwt(): string {
    return this.options.jwt ?? 'eyJhbGciOiJSUzI1NiJ9.ringcentral-sandbox.jwt';
  }

  /** The account's numeric id, what `~` in the account position expands to. */
  get accountId(): string {
    return SANDBOX_ACCOUNT_ID;
  }

  /** The JWT user's extension id: `owner_id`, and what `~` in the extension position expands to. */
  get ownerExtensionId(): string {
    return SANDBOX_OWNER_EXTENSION_ID;
  }

  /** A filter as RingCentral stores and returns it: `~` replaced by the account and owner extension ids. */
  expandFilter(filter: string): string {
    return expandRingCentralFilter(filter, this);
  }

  /**
   * RingCentral reports a presence change of `extensionId`: every Active subscription whose filters cover
   * it (the account-wide presence filter or that extension's presence filter) gets a notification POSTed to
   * its address with its verification token. Returns the delivery attempts.
   */
  async deliverPresence(extensionId: string, body: Record<string, unknown>, at: Date = new Date(this.now())): Promise<RingCentralSandboxDelivery[]> {
    const attempts: RingCentralSandboxDelivery[] = [];
    for (const subscription of this.subscriptions.values()) {
      if (subscription.status !== 'Active') continue;
      const filter = presenceFilterCovering(subscription.eventFilters, this.accountId, extensionId);
      if (!filter) continue;
      const notification = {
        uuid: crypto.randomUUID(),
        event: presenceEventFor(filter, this.accountId, extensionId),
        timestamp: at.toISOString(),
        subscriptionId: subscription.id,
        ownerId: this.ownerExtensionId,
        body: { extensionId: Number(extensionId), ...body },
      };
      const status = await postRingCentralNotification(subscription, notification);
      const token = subscription.deliveryMode.verificationToken;
      const attempt = { subscriptionId: subscription.id, address: subscription.deliveryMode.address, verificationToken: token, notification, status };
      attempts.push(attempt);
      append(this.deliveries, attempt);
    }
    return attempts;
  }

  /** Changes the presence of the extension whose email is `change.email` and delivers the notification. */
  async changePresence(change: PresenceChange): Promise<RingCentralPresenceChangeResult | undefined> {
    const email = change.email.toLowerCase();
    const extension = this.extensions.find((e) => e.contact?.email?.toLowerCase() === email);
    if (!extension) return undefined;
    const extensionId = String(extension.id);
    const index = this.presence.findIndex((r) => String((r.extension as { id?: unknown } | undefined)?.id) === extensionId);
    const current = index >= 0 ? this.presence[index] : idleRingCentralPresence(extension);
    const next = applyPresenceChange(current, change);
    if (index >= 0) this.presence[index] = next;
    else this.presence.push(next);
    this.sequence += 1;
    await this.persist();
    const attempts = await this.deliverPresence(extensionId, presenceNotificationBody(next, this.sequence));
    return {
      email: extension.contact?.email ?? change.email,
      extensionId,
      presence: next,
      deliveries: attempts.map(({ subscriptionId, address, status, notification }) => ({
        subscriptionId,
        address,
        status,
        uuid: String(notification.uuid),
      })),
    };
  }

  protected now(): number {
    return (this.options.clock ?? Date.now)();
  }

  /** RingCentral's subscription ids are UUIDs. */
  protected newSubscriptionId(): string {
    return crypto.randomUUID();
  }

  /** Tests answer some requests themselves (fault injection); the sandbox never does. */
  protected scriptedAnswer(_method: string, _path: string): RingCentralSandboxAnswer | undefined {
    return undefined;
  }

  /** Flags a subscription as RingCentral does after failed deliveries. */
  blacklist(id: string, reason = 'I/O operation is failed. Details: [Read timed out]'): void {
    const subscription = this.subscriptions.get(id);
    if (!subscription) throw new Error(`no subscription ${id}`);
    subscription.status = 'Blacklisted';
    subscription.blacklistedData = { reason, blacklistedAt: new Date(this.now()).toISOString() };
    void this.persist().catch(() => undefined);
  }

  /** Requests whose path matches. */
  requestsTo(path: RegExp, method?: string): RingCentralSandboxRequest[] {
    return this.requests.filter((r) => path.test(r.path) && (!method || r.method === method));
  }

  /** Drops every issued access token (RingCentral revoked them). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  async start(): Promise<this> {
    const snapshot = this.options.stateFile ? await loadRingCentralSnapshot(this.options.stateFile) : undefined;
    if (this.options.seedDemoUsers) this.extensions = demoRingCentralExtensions();
    this.presence = snapshot?.presence ?? (this.options.seedDemoUsers ? this.extensions.map(idleRingCentralPresence) : []);
    this.sequence = snapshot?.sequence ?? 0;
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
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', resolve);
    });
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    // A restarted sandbox listens elsewhere; the kept subscriptions' `uri` follow it.
    for (const subscription of snapshot?.subscriptions ?? []) {
      this.subscriptions.set(subscription.id, { ...subscription, uri: `${this.baseUrl}/restapi/v1.0/subscription/${subscription.id}` });
    }
    return this;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server!.close(resolve));
    await this.persist().catch(() => undefined);
  }

  private async persist(): Promise<void> {
    await this.writer?.save({ version: 1, subscriptions: [...this.subscriptions.values()], presence: this.presence, sequence: this.sequence });
  }

  private send(res: http.ServerResponse, answer: RingCentralSandboxAnswer): void {
    const headers = { ...(answer.body === undefined ? {} : { 'content-type': 'application/json' }), ...answer.headers };
    res.writeHead(answer.status, headers);
    res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
  }

  private error(status: number, errorCode: string, message: string, extra: Record<string, unknown> = {}): RingCentralSandboxAnswer {
    return { status, body: { errorCode, message, errors: [{ errorCode, message, ...extra }] } };
  }

  private async handle(req: http.IncomingMessage, raw: Buffer): Promise<RingCentralSandboxAnswer> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams.entries());
    const text = raw.toString('utf8');
    let body: unknown;
    try {
      if (text && (req.headers['content-type'] ?? '').includes('json')) body = JSON.parse(text);
      else if (text) body = Object.fromEntries(new URLSearchParams(text).entries());
    } catch {
      return this.error(400, 'CMN-101', 'Request body is not valid JSON');
    }
    append(this.requests, { method, path, query, at: this.now(), body });

    const scripted = this.scriptedAnswer(method, path);
    if (scripted) return scripted;

    if (path === RINGCENTRAL_SANDBOX_PRESENCE_ROUTE) return this.adminPresence(req, method, body);
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

  /** `POST /sandbox/presence` from this machine only: it needs no token, so it must not be reachable from elsewhere. */
  private async adminPresence(req: http.IncomingMessage, method: string, body: unknown): Promise<RingCentralSandboxAnswer> {
    const remote = req.socket.remoteAddress ?? '';
    if (!(remote.startsWith('127.') || remote === '::1' || remote.startsWith('::ffff:127.'))) {
      return { status: 403, body: { message: 'the sandbox admin route answers only requests from this machine' } };
    }
    if (method !== 'POST') return { status: 405, headers: { allow: 'POST' }, body: { message: 'use POST' } };
    const parsed = presenceChangeSchema.safeParse(body);
    if (!parsed.success) return { status: 400, body: { message: describePresenceChangeError(parsed.error) } };
    const result = await this.changePresence(parsed.data);
    if (!result) {
      const known = this.extensions
        .map((e) => e.contact?.email)
        .filter(Boolean)
        .join(', ');
      return { status: 404, body: { message: `no sandbox extension has the email ${parsed.data.email}; known: ${known || 'none'}` } };
    }
    return { status: 200, body: result };
  }

  private async login(req: http.IncomingMessage, form: Record<string, string>): Promise<RingCentralSandboxAnswer> {
    // Slow like a real token endpoint, so concurrent logins would overlap (the bridge must not make two).
    await new Promise((resolve) => setTimeout(resolve, LOGIN_DELAY_MS));
    const expected = `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64')}`;
    const formOk = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    if (req.headers.authorization !== expected || !formOk) {
      return {
        status: 401,
        body: { error: 'invalid_client', error_description: 'Invalid client', errors: [{ errorCode: 'OAU-123', message: 'Invalid client' }] },
      };
    }
    if (form.grant_type !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' || form.assertion !== this.jwt) {
      return {
        status: 400,
        body: { error: 'invalid_grant', error_description: 'Invalid token', errors: [{ errorCode: 'OAU-213', message: 'Token not found' }] },
      };
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

  /** What RingCentral answers about a subscription: never the verification token. */
  private view(subscription: RingCentralSandboxSubscription): RingCentralSandboxSubscription {
    const { verificationToken: _omitted, ...deliveryMode } = subscription.deliveryMode;
    void _omitted;
    return structuredClone({ ...subscription, deliveryMode });
  }

  private async subscriptionRoute(method: string, id: string | undefined, renew: boolean, body: unknown): Promise<RingCentralSandboxAnswer> {
    if (!id && method === 'GET') {
      return { status: 200, body: { uri: `${this.baseUrl}/restapi/v1.0/subscription`, records: [...this.subscriptions.values()].map((s) => this.view(s)) } };
    }
    if (!id && method === 'POST') return this.create(body as Record<string, unknown>);
    const subscription = id ? this.subscriptions.get(id) : undefined;
    if (!subscription) return this.error(404, 'SUB-500', `Subscription [${id}] is not found`);
    if (renew && method === 'POST') {
      subscription.expirationTime = new Date(this.now() + subscription.expiresIn * 1000).toISOString();
      await this.persist();
      return { status: 200, body: this.view(subscription) };
    }
    if (method === 'PUT') {
      const update = (body ?? {}) as Partial<RingCentralSandboxSubscription>;
      if (update.eventFilters) subscription.eventFilters = update.eventFilters.map((f) => this.expandFilter(f));
      if (update.deliveryMode) subscription.deliveryMode = { ...subscription.deliveryMode, ...update.deliveryMode };
      if (update.expiresIn) subscription.expiresIn = update.expiresIn;
      subscription.expirationTime = new Date(this.now() + subscription.expiresIn * 1000).toISOString();
      await this.persist();
      return { status: 200, body: this.view(subscription) };
    }
    if (method === 'DELETE') {
      this.subscriptions.delete(subscription.id);
      await this.persist();
      return { status: 204 };
    }
    return this.error(405, 'CMN-101', 'method not allowed');
  }

  private async create(body: Record<string, unknown>): Promise<RingCentralSandboxAnswer> {
    const filters = body?.eventFilters;
    const delivery = body?.deliveryMode as RingCentralSandboxSubscription['deliveryMode'] | undefined;
    if (!Array.isArray(filters) || filters.length === 0 || !delivery || delivery.transportType !== 'WebHook' || !delivery.address) {
      return this.error(400, 'SUB-100', 'eventFilters and deliveryMode {transportType: WebHook, address} are required');
    }
    const expiresIn = Number(body.expiresIn ?? 604800);
    if (!(expiresIn >= 1 && expiresIn <= 315360000)) return this.error(400, 'SUB-101', 'expiresIn out of range');
    const expanded = (filters as string[]).map((f) => this.expandFilter(f));
    const accountFilters = expanded.filter(isAccountPresenceFilter);
    if (accountFilters.length > 0 && this.refuseAccountFilter === 'error') {
      return this.error(403, 'CMN-408', 'In order to call this API endpoint, user needs to have [ReadAccounts] permission for requested resource.', {
        permissionName: 'ReadAccounts',
      });
    }
    if (this.validateAddress) {
      const token = crypto.randomUUID();
      const probe = await probeRingCentralHandshake(delivery.address, token).catch(() => undefined);
      if (!isHandshakeAccepted(probe, token)) return this.error(400, 'SUB-525', 'WebHook server response is invalid');
    }
    const id = this.newSubscriptionId();
    const disabled = this.refuseAccountFilter === 'disable' ? accountFilters : [];
    const subscription: RingCentralSandboxSubscription = {
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
    await this.persist();
    return { status: 200, body: this.view(subscription) };
  }

  private page(items: unknown[], query: Record<string, string>): RingCentralSandboxAnswer {
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

/** Starts a RingCentral sandbox on 127.0.0.1 (port 0 unless given); call `close()` when done. */
export function startRingCentralSandbox(options: RingCentralSandboxOptions = {}): Promise<RingCentralSandbox> {
  return new RingCentralSandbox(options).start();
}
