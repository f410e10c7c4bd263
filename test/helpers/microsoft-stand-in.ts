/**
 * A Microsoft stand-in on 127.0.0.1 (port 0) for the Teams source, behaving as Microsoft documents
 * it (https://learn.microsoft.com/graph/change-notifications-overview and the pages cited below):
 * - login (HTTPS, self-signed certificate made with the `openssl` CLI at test time — msal-node refuses
 *   http authorities): OpenID metadata, token endpoint (client credentials, device code, refresh
 *   token), device-code endpoint;
 * - Graph (HTTP): `/users` with paging and `$select` (`accountEnabled` only when selected, as Graph
 *   does), `/groups/{id}/transitiveMembers/microsoft.graph.user` (nested groups flattened, paging),
 *   `getPresencesByUserId` (≤650 ids), `/subscriptions` with the
 *   REAL validation handshake to notificationUrl and lifecycleNotificationUrl, 409 on a second
 *   presence subscription for the same user and app, ≤60-minute expiry (under 45 raised to 45),
 *   PATCH renew, DELETE, list; delegated tokens required for subscriptions;
 * - a JWKS, and delivery of basic/rich change notifications and lifecycle notifications, encrypted
 *   and signed the way Graph does it. One POST can mix items of several subscriptions that share the
 *   notification URL — also other apps' subscriptions with their own clientState and validation
 *   token — as Graph batches them (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks);
 * - presence with `sequenceNumber`, "the lexicographically sortable String stamp that represents the
 *   version of a presence object" (https://learn.microsoft.com/graph/api/resources/presence), bumped on
 *   every change, in reads and in rich notifications;
 * - the tenant's OpenID configuration both by tenant id and by domain (`tenantDomain`), whose issuer
 *   names the tenant id (https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc).
 * Keys and certificates live in a temp dir and are never committed.
 */
import type { TeamsConnection } from '../../src/config';
import { execFileSync } from 'node:child_process';
import {
  constants,
  createCipheriv,
  createHmac,
  generateKeyPairSync,
  publicEncrypt,
  randomBytes,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';

export const CHANGE_TRACKING_APP_ID = '0bf30f3b-4a52-48df-9a82-234910c4a086';

// ---------------------------------------------------------------------------------------------
// Certificates and signing keys
// ---------------------------------------------------------------------------------------------

export interface SelfSignedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

/** A throwaway temp dir for one test file's keys; removed by the caller with `removeTempDir`. */
export function makeTempDir(prefix = 'teams-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** RSA-2048 self-signed certificate for 127.0.0.1/localhost, made with the openssl CLI. */
export function generateSelfSignedCertificate(dir: string, name: string): SelfSignedCertificate {
  const keyFile = path.join(dir, `${name}.key.pem`);
  const certFile = path.join(dir, `${name}.cert.pem`);
  execFileSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '1',
      '-keyout', keyFile, '-out', certFile,
      '-subj', `/CN=${name}`,
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return { certPem: fs.readFileSync(certFile, 'utf8'), keyPem: fs.readFileSync(keyFile, 'utf8') };
}

/** An RS256 signing key with a kid, as the Microsoft identity platform publishes in its JWKS. */
export interface TokenSigner {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKeyPem: string;
  readonly jwk: Record<string, unknown>;
  sign(claims: Record<string, unknown>): string;
}

export function createTokenSigner(kid = `kid-${randomUUID()}`): TokenSigner {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', kty: 'RSA', alg: 'RS256' };
  return {
    kid,
    privateKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    jwk,
    sign: (claims) => jwt.sign(claims, privateKey, { algorithm: 'RS256', keyid: kid, noTimestamp: true }),
  };
}

/** Claims of a Graph validation token (the docs' v2 sample), valid for a day from `nowMs`. */
export function validationTokenClaims(options: {
  readonly appId: string;
  readonly tenantId: string;
  readonly nowMs?: number;
}): Record<string, unknown> {
  const now = Math.floor((options.nowMs ?? Date.now()) / 1000);
  return {
    aud: options.appId,
    iss: `https://login.microsoftonline.com/${options.tenantId}/v2.0`,
    iat: now - 60,
    nbf: now - 60,
    exp: now + 86_400,
    azp: CHANGE_TRACKING_APP_ID,
    azpacr: '2',
    oid: randomUUID(),
    sub: randomUUID(),
    tid: options.tenantId,
    ver: '2.0',
  };
}

/**
 * Encrypts a resource the way Graph does for rich notifications: random AES-256 key, CBC with the
 * first 16 key bytes as IV, HMAC-SHA256 over the ciphertext, key wrapped with RSA-OAEP (SHA-1).
 */
export function encryptLikeGraph(resource: unknown, certificatePem: string, certificateId: string): Record<string, string> {
  const key = randomBytes(32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  const data = Buffer.concat([cipher.update(JSON.stringify(resource), 'utf8'), cipher.final()]);
  return {
    data: data.toString('base64'),
    dataSignature: createHmac('sha256', key).update(data).digest('base64'),
    dataKey: publicEncrypt({ key: certificatePem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, key).toString('base64'),
    encryptionCertificateId: certificateId,
    encryptionCertificateThumbprint: 'stand-in-thumbprint',
  };
}

// ---------------------------------------------------------------------------------------------
// The stand-in
// ---------------------------------------------------------------------------------------------

export interface StandInUser {
  readonly id: string;
  readonly mail: string | null;
  readonly userPrincipalName: string;
  /** Entra's `accountEnabled`; absent means enabled. */
  accountEnabled?: boolean;
  availability: string;
  activity: string;
}

export interface StandInSubscription {
  readonly id: string;
  readonly ownerUserId: string;
  readonly userIds: readonly string[];
  readonly resource: string;
  readonly notificationUrl: string;
  readonly lifecycleNotificationUrl?: string;
  readonly clientState?: string;
  readonly includeResourceData: boolean;
  readonly encryptionCertificate?: string;
  readonly encryptionCertificateId?: string;
  expirationDateTime: string;
}

export interface LoggedRequest {
  readonly server: 'login' | 'graph';
  readonly method: string;
  readonly path: string;
  readonly identity?: string;
  readonly grantType?: string;
  /** The `ids` of a getPresencesByUserId request (which users were read). */
  readonly ids?: readonly string[];
}

export interface DeliveryResult {
  readonly status: number;
  readonly body: string;
}

export interface MicrosoftStandInOptions {
  readonly tenantId?: string;
  /** The tenant's domain, answered like the tenant id by the OpenID configuration (default contoso-<random>.onmicrosoft.com). */
  readonly tenantDomain?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly users?: readonly StandInUser[];
  /** Page size of GET /users (Graph allows up to 999). */
  readonly usersPageSize?: number;
  /** Entra groups: group id → member ids (users or other groups: transitiveMembers flattens them). */
  readonly groups?: Readonly<Record<string, readonly string[]>>;
  /** Page size of transitiveMembers (Graph: default 100, `$top` up to 999). */
  readonly groupMembersPageSize?: number;
  /** Access token lifetime; MSAL refreshes silently when ≤ 5 min are left. */
  readonly accessTokenLifetimeSeconds?: number;
  readonly now?: () => number;
}

export interface MicrosoftStandIn {
  readonly tenantId: string;
  readonly tenantDomain: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** `https://127.0.0.1:PORT` — MICROSOFT_LOGIN_BASE_URL. */
  readonly loginBaseUrl: string;
  /** `http://127.0.0.1:PORT/v1.0` — GRAPH_API_BASE_URL. */
  readonly graphBaseUrl: string;
  /** GRAPH_JWKS_URL. */
  readonly jwksUrl: string;
  readonly caPem: string;
  /** Trusts the login certificate (for MSAL's network client). */
  readonly httpsAgent: https.Agent;
  readonly signer: TokenSigner;
  readonly users: Map<string, StandInUser>;
  /** Group id → direct member ids (users or groups); change it to move people in and out. */
  readonly groups: Map<string, string[]>;
  readonly subscriptions: Map<string, StandInSubscription>;
  readonly requests: LoggedRequest[];
  /** Device-code sign-in: the user enters `userCode` and signs in as `userId`. */
  approveDeviceCode(userCode: string, userId: string): void;
  /** Revokes every refresh token of a user (password reset, policy). */
  revokeRefreshTokens(userId: string): void;
  /** The next request matching method and path prefix gets this response instead. */
  failNext(method: string, pathPrefix: string, status: number, headers?: Record<string, string>, body?: unknown): void;
  /** Changes a user's presence; its sequenceNumber moves forward. */
  setPresence(userId: string, availability: string, activity: string): void;
  /** The user's current presence `sequenceNumber`. */
  sequenceOf(userId: string): string;
  /** Delivers change notifications for (subscription, user) pairs in ONE POST per notification URL. */
  deliver(items: ReadonlyArray<{ subscriptionId: string; userId: string }>, options?: DeliverOptions): Promise<DeliveryResult>;
  deliverLifecycle(subscriptionId: string, lifecycleEvent: string): Promise<DeliveryResult>;
  /** Graph-side removal (expiry, admin action): PATCH then answers 404. */
  dropSubscription(subscriptionId: string): void;
  close(): Promise<void>;
}

/**
 * An item of ANOTHER subscription sharing the notification URL, mixed into a delivery: by default
 * another app's subscription (its own id, clientState and — for rich items — its own validation
 * token, whose `aud` is that app), as Graph batches them.
 */
export interface ForeignItem {
  readonly userId: string;
  readonly subscriptionId?: string;
  readonly clientState?: string;
  /** The other app; default a random id. */
  readonly appId?: string;
  /** Encrypt resource data with this certificate (PEM), like a rich subscription of the other app. */
  readonly encryptWith?: { readonly certificatePem: string; readonly certificateId: string };
}

export interface DeliverOptions {
  /** Replace the validation tokens (negative tests). */
  readonly validationTokens?: Array<string | null>;
  /** Items of other subscriptions, placed after each of ours in turn (Graph mixes them in one POST). */
  readonly foreignItems?: readonly ForeignItem[];
  /**
   * Deliver an earlier state instead of the current one, by user id: a late delivery (Graph retries a
   * notification for up to 4 hours, https://learn.microsoft.com/graph/change-notifications-delivery-webhooks).
   */
  readonly pastPresence?: Readonly<Record<string, { availability: string; activity: string; sequenceNumber: string }>>;
  /** Change one item after encryption (negative tests). */
  readonly tamper?: (item: Record<string, unknown>, index: number) => void;
  /** Override clientState on every item. */
  readonly clientState?: string;
}

type Identity = { kind: 'app' } | { kind: 'user'; userId: string };

interface DeviceCodeState {
  readonly userCode: string;
  readonly clientId: string;
  approvedUserId?: string;
  redeemed: boolean;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

function graphError(res: http.ServerResponse, status: number, code: string, message: string): void {
  send(res, status, { error: { code, message, innerError: { 'request-id': randomUUID(), date: new Date().toISOString() } } });
}

function listen(server: http.Server | https.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function postText(url: string, contentType: string, body: string, timeoutMs: number): Promise<DeliveryResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', headers: { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) }, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

const PRESENCE_FILTER = /^\/?communications\/presences\?\$filter=id in \((.*)\)$/i;

/** Starts the stand-in; one per test file (jest runs files in parallel). */
export async function startMicrosoftStandIn(options: MicrosoftStandInOptions = {}): Promise<MicrosoftStandIn> {
  const tenantId = options.tenantId ?? randomUUID();
  const clientId = options.clientId ?? randomUUID();
  const clientSecret = options.clientSecret ?? `secret-${randomUUID()}`;
  const now = options.now ?? Date.now;
  const tokenLifetime = options.accessTokenLifetimeSeconds ?? 3600;
  const dir = makeTempDir('ms-stand-in-');
  const tls = generateSelfSignedCertificate(dir, 'login');
  const signer = createTokenSigner();

  const tenantDomain = options.tenantDomain ?? `contoso-${randomBytes(3).toString('hex')}.onmicrosoft.com`;
  const users = new Map<string, StandInUser>((options.users ?? []).map((user) => [user.id, user]));
  const groups = new Map<string, string[]>(Object.entries(options.groups ?? {}).map(([id, members]) => [id, [...members]]));
  // sequenceNumber per user: a zero-padded counter, so later versions sort later as strings.
  let sequenceCounter = 0;
  const sequences = new Map<string, string>();
  const nextSequence = (): string => String(++sequenceCounter).padStart(20, '0');
  const sequenceOf = (userId: string): string => {
    let sequence = sequences.get(userId);
    if (!sequence) {
      sequence = nextSequence();
      sequences.set(userId, sequence);
    }
    return sequence;
  };
  const subscriptions = new Map<string, StandInSubscription>();
  const requests: LoggedRequest[] = [];
  const accessTokens = new Map<string, Identity>();
  const refreshTokens = new Map<string, string>();
  const deviceCodes = new Map<string, DeviceCodeState>();
  const failures: Array<{ method: string; pathPrefix: string; status: number; headers: Record<string, string>; body?: unknown }> = [];

  let loginBaseUrl = '';
  let graphOrigin = '';

  const issueUserTokens = (userId: string, scope: string): Record<string, unknown> => {
    const user = users.get(userId);
    const accessToken = `user.${randomUUID()}`;
    const refreshToken = `rt.${randomUUID()}`;
    accessTokens.set(accessToken, { kind: 'user', userId });
    refreshTokens.set(refreshToken, userId);
    const iat = Math.floor(Date.now() / 1000);
    const idToken = jwt.sign(
      {
        aud: clientId,
        iss: `${loginBaseUrl}/${tenantId}/v2.0`,
        iat,
        nbf: iat,
        exp: iat + 3600,
        name: user?.userPrincipalName ?? userId,
        oid: userId,
        preferred_username: user?.userPrincipalName ?? userId,
        sub: userId,
        tid: tenantId,
        ver: '2.0',
      },
      'id-token-not-verified-by-msal',
      { algorithm: 'HS256' },
    );
    return {
      token_type: 'Bearer',
      scope,
      expires_in: tokenLifetime,
      ext_expires_in: tokenLifetime,
      access_token: accessToken,
      refresh_token: refreshToken,
      id_token: idToken,
      client_info: Buffer.from(JSON.stringify({ uid: userId, utid: tenantId })).toString('base64url'),
    };
  };

  const takeFailure = (method: string, url: string, res: http.ServerResponse): boolean => {
    const index = failures.findIndex((failure) => failure.method === method && url.startsWith(failure.pathPrefix));
    if (index < 0) return false;
    const [failure] = failures.splice(index, 1);
    send(res, failure.status, failure.body ?? { error: { code: 'injected', message: `injected ${failure.status}` } }, failure.headers);
    return true;
  };

  // ---------------------------------------------------------------- login (HTTPS)
  const loginServer = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', loginBaseUrl);
      const body = await readBody(req);
      const form = new URLSearchParams(body);
      requests.push({ server: 'login', method: req.method ?? '', path: url.pathname, grantType: form.get('grant_type') ?? undefined });
      if (takeFailure(req.method ?? '', url.pathname, res)) return;
      const base = `${loginBaseUrl}/${tenantId}`;
      const openIdPath = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname);
      const openIdTenant = openIdPath ? decodeURIComponent(openIdPath[1]).toLowerCase() : undefined;
      if (req.method === 'GET' && openIdPath && openIdTenant !== tenantId.toLowerCase() && openIdTenant !== tenantDomain.toLowerCase()) {
        // What login.microsoftonline.com answers for an unknown tenant.
        send(res, 400, { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${openIdTenant}' not found.` });
        return;
      }
      if (req.method === 'GET' && openIdPath) {
        send(res, 200, {
          issuer: `${base}/v2.0`,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          token_endpoint: `${base}/oauth2/v2.0/token`,
          device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
          end_session_endpoint: `${base}/oauth2/v2.0/logout`,
          jwks_uri: `${graphOrigin}/common/discovery/v2.0/keys`,
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
        });
        return;
      }
      if (req.method === 'POST' && url.pathname === `/${tenantId}/oauth2/v2.0/devicecode`) {
        const deviceCode = `dc.${randomUUID()}`;
        const userCode = randomBytes(4).toString('hex').toUpperCase();
        deviceCodes.set(deviceCode, { userCode, clientId: form.get('client_id') ?? '', redeemed: false });
        send(res, 200, {
          device_code: deviceCode,
          user_code: userCode,
          verification_uri: `${loginBaseUrl}/devicelogin`,
          expires_in: 900,
          interval: 1,
          message: `To sign in, use a web browser to open the page ${loginBaseUrl}/devicelogin and enter the code ${userCode} to authenticate.`,
        });
        return;
      }
      if (req.method === 'POST' && url.pathname === `/${tenantId}/oauth2/v2.0/token`) {
        const grant = form.get('grant_type');
        if (form.get('client_id') !== clientId) {
          send(res, 400, { error: 'unauthorized_client', error_description: 'AADSTS700016: application not found' });
          return;
        }
        if (grant === 'client_credentials') {
          if (form.get('client_secret') !== clientSecret) {
            send(res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
            return;
          }
          const accessToken = `app.${randomUUID()}`;
          accessTokens.set(accessToken, { kind: 'app' });
          send(res, 200, { token_type: 'Bearer', expires_in: tokenLifetime, ext_expires_in: tokenLifetime, access_token: accessToken });
          return;
        }
        if (grant === 'device_code' || grant === 'urn:ietf:params:oauth:grant-type:device_code') {
          const state = deviceCodes.get(form.get('device_code') ?? '');
          if (!state || state.redeemed) {
            send(res, 400, { error: 'expired_token', error_description: 'AADSTS70020: The provided value for the input parameter device_code is not valid.' });
            return;
          }
          if (!state.approvedUserId) {
            send(res, 400, { error: 'authorization_pending', error_description: 'AADSTS70016: OAuth 2.0 device flow error. Authorization is pending.' });
            return;
          }
          state.redeemed = true;
          send(res, 200, issueUserTokens(state.approvedUserId, form.get('scope') ?? ''));
          return;
        }
        if (grant === 'refresh_token') {
          const userId = refreshTokens.get(form.get('refresh_token') ?? '');
          if (!userId) {
            send(res, 400, {
              error: 'invalid_grant',
              error_description: 'AADSTS50173: The provided grant has expired due to it being revoked.',
              error_codes: [50173],
            });
            return;
          }
          send(res, 200, issueUserTokens(userId, form.get('scope') ?? ''));
          return;
        }
        send(res, 400, { error: 'unsupported_grant_type', error_description: `grant ${grant}` });
        return;
      }
      send(res, 404, { error: 'not_found' });
    })().catch((error: unknown) => send(res, 500, { error: String(error) }));
  });

  // ---------------------------------------------------------------- Graph + JWKS (HTTP)
  const identityOf = (req: http.IncomingMessage): Identity | undefined => {
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    return match ? accessTokens.get(match[1]) : undefined;
  };

  const liveSubscription = (id: string): StandInSubscription | undefined => {
    const subscription = subscriptions.get(id);
    if (subscription && Date.parse(subscription.expirationDateTime) <= now()) {
      subscriptions.delete(id);
      return undefined;
    }
    return subscription;
  };

  /** Graph's rule: ≤60 min for presence, under 45 min raised to 45 (resources/subscription). */
  const clampExpiry = (requested: string): string | undefined => {
    const at = Date.parse(requested);
    if (Number.isNaN(at)) return undefined;
    if (at > now() + 60 * 60_000 + 5_000) return undefined;
    return new Date(Math.max(at, now() + 45 * 60_000)).toISOString();
  };

  /** The real handshake: POST url?validationToken=… and expect 200 text/plain echoing it (10 s). */
  const validateEndpoint = async (url: string): Promise<boolean> => {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
    const target = `${url}${url.includes('?') ? '&' : '?'}validationToken=${encodeURIComponent(token)}`;
    try {
      const result = await postText(target, 'text/plain; charset=utf-8', '', 10_000);
      return result.status === 200 && result.body === token;
    } catch {
      return false;
    }
  };

  const subscriptionJson = (subscription: StandInSubscription): Record<string, unknown> => ({
    id: subscription.id,
    resource: subscription.resource,
    applicationId: clientId,
    changeType: 'updated',
    clientState: null,
    notificationUrl: subscription.notificationUrl,
    lifecycleNotificationUrl: subscription.lifecycleNotificationUrl ?? null,
    expirationDateTime: subscription.expirationDateTime,
    creatorId: subscription.ownerUserId,
    includeResourceData: subscription.includeResourceData,
    encryptionCertificateId: subscription.encryptionCertificateId ?? null,
  });

  /** A user as Graph returns it: `$select`ed properties only (id always); without `$select`, the default set. */
  const userJson = (user: StandInUser, select: string | undefined): Record<string, unknown> => {
    const all: Record<string, unknown> = {
      id: user.id,
      mail: user.mail,
      userPrincipalName: user.userPrincipalName,
      accountEnabled: user.accountEnabled ?? true,
    };
    // accountEnabled is not among the default properties (resources/user): returned only when selected.
    const fields = select ? ['id', ...select.split(',').map((field) => field.trim())] : ['id', 'mail', 'userPrincipalName'];
    return Object.fromEntries(fields.filter((field) => field in all).map((field) => [field, all[field]]));
  };

  /** Users reachable from a group through nested groups, each once, in a stable order. */
  const transitiveUsers = (groupId: string): StandInUser[] => {
    const seenGroups = new Set<string>();
    const found = new Map<string, StandInUser>();
    const visit = (id: string): void => {
      if (seenGroups.has(id)) return;
      seenGroups.add(id);
      for (const member of groups.get(id) ?? []) {
        if (groups.has(member)) visit(member);
        else if (users.has(member)) found.set(member, users.get(member)!);
      }
    };
    visit(groupId);
    return [...found.values()];
  };

  /** An absolute `@odata.nextLink` that keeps the query and carries an opaque skip token. */
  const nextLink = (route: string, url: URL, top: number, skip: number): string => {
    const query = new URLSearchParams(url.searchParams);
    query.set('$top', String(top));
    query.set('$skiptoken', String(skip));
    return `${graphOrigin}/v1.0${route}?${decodeURIComponent(query.toString())}`;
  };

  const graphServer = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', graphOrigin);
      const text = await readBody(req);
      const identity = identityOf(req);
      requests.push({
        server: 'graph',
        method: req.method ?? '',
        path: url.pathname + url.search,
        identity: identity ? (identity.kind === 'app' ? 'app' : `user:${identity.userId}`) : undefined,
      });
      if (takeFailure(req.method ?? '', url.pathname, res)) return;

      if (req.method === 'GET' && url.pathname === '/common/discovery/v2.0/keys') {
        send(res, 200, { keys: [signer.jwk] });
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
          graphError(res, 403, 'Authorization_RequestDenied', 'app-only in this stand-in');
          return;
        }
        const top = Math.min(Number(url.searchParams.get('$top') ?? '100'), options.usersPageSize ?? 999);
        const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
        const select = url.searchParams.get('$select') ?? undefined;
        const all = [...users.values()];
        const page = all.slice(skip, skip + top).map((user) => userJson(user, select));
        const next = skip + top < all.length ? nextLink('/users', url, top, skip + top) : undefined;
        send(res, 200, { '@odata.context': `${graphOrigin}/v1.0/$metadata#users`, value: page, ...(next ? { '@odata.nextLink': next } : {}) });
        return;
      }

      const members = /^\/groups\/([^/]+)\/transitiveMembers\/microsoft\.graph\.user$/i.exec(route);
      if (req.method === 'GET' && members) {
        const groupId = decodeURIComponent(members[1]);
        if (!groups.has(groupId)) {
          graphError(res, 404, 'Request_ResourceNotFound', `Resource '${groupId}' does not exist or one of its queried reference-property objects are not present.`);
          return;
        }
        // Graph's default page is 100 members; `$top` asks for up to 999.
        const top = Math.min(Number(url.searchParams.get('$top') ?? '100'), 999, options.groupMembersPageSize ?? 999);
        const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
        const select = url.searchParams.get('$select') ?? undefined;
        const all = transitiveUsers(groupId);
        const page = all.slice(skip, skip + top).map((user) => userJson(user, select));
        const next = skip + top < all.length ? nextLink(route, url, top, skip + top) : undefined;
        send(res, 200, {
          '@odata.context': `${graphOrigin}/v1.0/$metadata#users`,
          value: page,
          ...(next ? { '@odata.nextLink': next } : {}),
        });
        return;
      }

      if (req.method === 'POST' && route === '/communications/getPresencesByUserId') {
        const ids = Array.isArray(body.ids) ? (body.ids as unknown[]) : undefined;
        requests[requests.length - 1] = { ...requests[requests.length - 1], ids: ids?.map(String) };
        if (!ids || ids.length === 0 || ids.length > 650) {
          // An oversized request gets a bare 400 (docs-contrib#777).
          send(res, 400, '');
          return;
        }
        const value = ids
          .map((id) => users.get(String(id)))
          .filter((user): user is StandInUser => user !== undefined)
          .map((user) => ({
            id: user.id,
            availability: user.availability,
            activity: user.activity,
            sequenceNumber: sequenceOf(user.id),
            outOfOfficeSettings: { message: null, isOutOfOffice: false },
          }));
        send(res, 200, { '@odata.context': `${graphOrigin}/v1.0/$metadata#Collection(microsoft.graph.presence)`, value });
        return;
      }

      if (route === '/subscriptions' || route.startsWith('/subscriptions/')) {
        if (identity.kind !== 'user') {
          // Presence subscriptions: Application "Not supported" (subscription-update permissions table).
          graphError(res, 403, 'ExtensionError', 'Operation: Create; Exception: [Status Code: Forbidden; Reason: The request is not authorized for this user or application.]');
          return;
        }
        const userId = identity.userId;
        const idPart = decodeURIComponent(route.slice('/subscriptions/'.length).split('/')[0] ?? '');

        if (req.method === 'GET' && route === '/subscriptions') {
          const mine = [...subscriptions.values()].filter((s) => liveSubscription(s.id) && s.ownerUserId === userId);
          send(res, 200, { value: mine.map(subscriptionJson) });
          return;
        }

        if (req.method === 'POST' && route === '/subscriptions') {
          const resource = String(body.resource ?? '');
          const match = PRESENCE_FILTER.exec(resource);
          const ids = match ? match[1].split(',').map((part) => part.trim().replace(/^'|'$/g, '')).filter(Boolean) : [];
          if (body.changeType !== 'updated' || !match || ids.length === 0) {
            graphError(res, 400, 'InvalidRequest', `unsupported resource or changeType: ${resource}`);
            return;
          }
          if (ids.length > 650) {
            graphError(res, 400, 'InvalidRequest', 'Number of distinct users in a subscription is limited to 650.');
            return;
          }
          if (typeof body.clientState === 'string' && body.clientState.length > 128) {
            graphError(res, 400, 'InvalidRequest', 'clientState is longer than 128 characters');
            return;
          }
          if (body.includeResourceData === true && (!body.encryptionCertificate || !body.encryptionCertificateId)) {
            graphError(res, 400, 'InvalidRequest', 'encryptionCertificate and encryptionCertificateId are required with includeResourceData');
            return;
          }
          const expiry = clampExpiry(String(body.expirationDateTime ?? ''));
          if (!expiry) {
            graphError(res, 400, 'InvalidRequest', 'Subscription expiration can only be 60 minutes in the future.');
            return;
          }
          if ([...subscriptions.values()].some((s) => liveSubscription(s.id) && s.ownerUserId === userId)) {
            // docs-contrib#2219: one presence subscription per user per app.
            graphError(res, 409, 'ExtensionError', 'A subscripton already exists. It must be deleted before a another can be made.');
            return;
          }
          const notificationUrl = String(body.notificationUrl ?? '');
          const lifecycleNotificationUrl = typeof body.lifecycleNotificationUrl === 'string' ? body.lifecycleNotificationUrl : undefined;
          if (!(await validateEndpoint(notificationUrl)) || (lifecycleNotificationUrl && !(await validateEndpoint(lifecycleNotificationUrl)))) {
            graphError(res, 400, 'InvalidRequest', 'Subscription validation request failed. Response must exactly match validationToken query parameter.');
            return;
          }
          const subscription: StandInSubscription = {
            id: randomUUID(),
            ownerUserId: userId,
            userIds: ids,
            resource,
            notificationUrl,
            lifecycleNotificationUrl,
            clientState: typeof body.clientState === 'string' ? body.clientState : undefined,
            includeResourceData: body.includeResourceData === true,
            encryptionCertificate: typeof body.encryptionCertificate === 'string' ? body.encryptionCertificate : undefined,
            encryptionCertificateId: typeof body.encryptionCertificateId === 'string' ? body.encryptionCertificateId : undefined,
            expirationDateTime: expiry,
          };
          subscriptions.set(subscription.id, subscription);
          send(res, 201, subscriptionJson(subscription));
          return;
        }

        const subscription = liveSubscription(idPart);
        if (!subscription) {
          graphError(res, 404, 'ResourceNotFound', `The object was not found: ${idPart}`);
          return;
        }
        if (subscription.ownerUserId !== userId) {
          graphError(res, 403, 'Forbidden', 'The subscription belongs to another user.');
          return;
        }
        if (req.method === 'PATCH' && route === `/subscriptions/${idPart}`) {
          const expiry = clampExpiry(String(body.expirationDateTime ?? ''));
          if (!expiry) {
            graphError(res, 400, 'InvalidRequest', 'Subscription expiration can only be 60 minutes in the future.');
            return;
          }
          subscription.expirationDateTime = expiry;
          send(res, 200, subscriptionJson(subscription));
          return;
        }
        if (req.method === 'DELETE' && route === `/subscriptions/${idPart}`) {
          subscriptions.delete(idPart);
          send(res, 204);
          return;
        }
        if (req.method === 'POST' && route === `/subscriptions/${idPart}/reauthorize`) {
          send(res, 204);
          return;
        }
      }
      graphError(res, 404, 'NotFound', `no route ${req.method} ${route}`);
    })().catch((error: unknown) => send(res, 500, { error: String(error) }));
  });

  const loginPort = await listen(loginServer);
  const graphPort = await listen(graphServer);
  loginBaseUrl = `https://127.0.0.1:${loginPort}`;
  graphOrigin = `http://127.0.0.1:${graphPort}`;
  const httpsAgent = new https.Agent({ ca: tls.certPem, keepAlive: false });

  const notificationItem = (
    subscription: StandInSubscription,
    userId: string,
    past?: { availability: string; activity: string; sequenceNumber: string },
  ): Record<string, unknown> => {
    const user = users.get(userId);
    const base: Record<string, unknown> = {
      subscriptionId: subscription.id,
      clientState: subscription.clientState,
      changeType: 'updated',
      tenantId,
      resource: `communications/presences/${userId}`,
      subscriptionExpirationDateTime: subscription.expirationDateTime,
      resourceData: { '@odata.id': `users/${userId}/presence`, '@odata.type': '#microsoft.graph.presence', id: userId },
    };
    if (subscription.includeResourceData && subscription.encryptionCertificate) {
      const certificatePem = `-----BEGIN CERTIFICATE-----\n${subscription.encryptionCertificate.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
      base.encryptedContent = encryptLikeGraph(
        {
          '@odata.id': `users/${userId}/presence`,
          '@odata.type': '#microsoft.graph.presence',
          id: userId,
          availability: user?.availability ?? 'PresenceUnknown',
          activity: user?.activity ?? 'PresenceUnknown',
          ...(user ? { sequenceNumber: sequenceOf(userId) } : {}),
          ...(past ?? {}),
        },
        certificatePem,
        subscription.encryptionCertificateId ?? '',
      );
    }
    return base;
  };

  const post = (url: string, payload: unknown): Promise<DeliveryResult> =>
    postText(url, 'application/json; charset=utf-8', JSON.stringify(payload), 10_000);

  /** An item of another app's subscription that shares the URL, and that app's validation token if rich. */
  const foreignNotification = (foreign: ForeignItem): { item: Record<string, unknown>; token?: string } => {
    const item: Record<string, unknown> = {
      subscriptionId: foreign.subscriptionId ?? randomUUID(),
      clientState: foreign.clientState ?? `other-app-${randomUUID()}`,
      changeType: 'updated',
      tenantId,
      resource: `communications/presences/${foreign.userId}`,
      subscriptionExpirationDateTime: new Date(now() + 45 * 60_000).toISOString(),
      resourceData: { '@odata.id': `users/${foreign.userId}/presence`, '@odata.type': '#microsoft.graph.presence', id: foreign.userId },
    };
    if (!foreign.encryptWith) return { item };
    const user = users.get(foreign.userId);
    item.encryptedContent = encryptLikeGraph(
      {
        '@odata.id': `users/${foreign.userId}/presence`,
        '@odata.type': '#microsoft.graph.presence',
        id: foreign.userId,
        availability: user?.availability ?? 'Available',
        activity: user?.activity ?? 'Available',
      },
      foreign.encryptWith.certificatePem,
      foreign.encryptWith.certificateId,
    );
    const token = signer.sign(validationTokenClaims({ appId: foreign.appId ?? randomUUID(), tenantId, nowMs: now() }));
    return { item, token };
  };

  return {
    tenantId,
    tenantDomain,
    clientId,
    clientSecret,
    loginBaseUrl,
    graphBaseUrl: `${graphOrigin}/v1.0`,
    jwksUrl: `${graphOrigin}/common/discovery/v2.0/keys`,
    caPem: tls.certPem,
    httpsAgent,
    signer,
    users,
    groups,
    subscriptions,
    requests,

    approveDeviceCode(userCode, userId) {
      const state = [...deviceCodes.values()].find((candidate) => candidate.userCode === userCode);
      if (!state) throw new Error(`no device code ${userCode}`);
      state.approvedUserId = userId;
    },

    /** Like a password reset with continuous access evaluation: refresh AND access tokens stop working. */
    revokeRefreshTokens(userId) {
      for (const [token, owner] of [...refreshTokens]) if (owner === userId) refreshTokens.delete(token);
      for (const [token, identity] of [...accessTokens]) if (identity.kind === 'user' && identity.userId === userId) accessTokens.delete(token);
    },

    failNext(method, pathPrefix, status, headers = {}, body) {
      failures.push({ method, pathPrefix, status, headers, body });
    },

    setPresence(userId, availability, activity) {
      const user = users.get(userId);
      if (!user) throw new Error(`no user ${userId}`);
      user.availability = availability;
      user.activity = activity;
      sequences.set(userId, nextSequence());
    },

    sequenceOf,

    async deliver(items, deliverOptions = {}) {
      const value = items.map(({ subscriptionId, userId }, index) => {
        const subscription = subscriptions.get(subscriptionId);
        if (!subscription) throw new Error(`no subscription ${subscriptionId}`);
        const item = notificationItem(subscription, userId, deliverOptions.pastPresence?.[userId]);
        if (deliverOptions.clientState !== undefined) item.clientState = deliverOptions.clientState;
        deliverOptions.tamper?.(item, index);
        return item;
      });
      const first = subscriptions.get(items[0].subscriptionId)!;
      const rich = value.some((item) => item.encryptedContent);
      const tokens = rich ? [signer.sign(validationTokenClaims({ appId: clientId, tenantId, nowMs: now() }))] : [];
      // Mix other subscriptions' items in between ours, each app's token alongside (one per app and tenant).
      const mixed: Array<Record<string, unknown>> = [];
      const foreign = (deliverOptions.foreignItems ?? []).map(foreignNotification);
      for (let i = 0; i < Math.max(value.length, foreign.length); i += 1) {
        if (value[i]) mixed.push(value[i]);
        if (foreign[i]) {
          mixed.push(foreign[i].item);
          if (foreign[i].token) tokens.push(foreign[i].token!);
        }
      }
      const validationTokens = deliverOptions.validationTokens ?? (tokens.length > 0 ? tokens : undefined);
      return post(first.notificationUrl, { value: mixed, ...(validationTokens ? { validationTokens } : {}) });
    },

    async deliverLifecycle(subscriptionId, lifecycleEvent) {
      const subscription = subscriptions.get(subscriptionId);
      if (!subscription?.lifecycleNotificationUrl) throw new Error(`no lifecycle URL for ${subscriptionId}`);
      return post(subscription.lifecycleNotificationUrl, {
        value: [
          {
            subscriptionId,
            subscriptionExpirationDateTime: subscription.expirationDateTime,
            tenantId,
            clientState: subscription.clientState,
            lifecycleEvent,
          },
        ],
      });
    },

    dropSubscription(subscriptionId) {
      subscriptions.delete(subscriptionId);
    },

    async close() {
      httpsAgent.destroy();
      await Promise.all(
        [loginServer, graphServer].map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
      removeTempDir(dir);
    },
  };
}

/** `count` users with GUID ids, mail set on all but every 10th (which has only a UPN). */
export function makeUsers(count: number, availability = 'Available', activity = 'Available'): StandInUser[] {
  return Array.from({ length: count }, (_, index) => {
    const id = randomUUID();
    const name = `user${String(index).padStart(5, '0')}`;
    return {
      id,
      mail: index % 10 === 9 ? null : `${name}@contoso.example`,
      userPrincipalName: `${name}.upn@contoso.example`,
      availability,
      activity,
    };
  });
}

/**
 * The Teams connection settings that point the bridge at this stand-in (its tenant, app and URLs), with
 * whatever a test adds or overrides.
 */
export function standInConnection(
  standIn: Pick<MicrosoftStandIn, 'tenantId' | 'clientId' | 'clientSecret' | 'graphBaseUrl' | 'loginBaseUrl'>,
  extra: Partial<TeamsConnection> = {},
): TeamsConnection {
  return {
    tenantId: standIn.tenantId,
    clientId: standIn.clientId,
    clientSecret: standIn.clientSecret,
    clientStates: [],
    graphApiBaseUrl: standIn.graphBaseUrl,
    microsoftLoginBaseUrl: standIn.loginBaseUrl,
    ...extra,
  };
}
