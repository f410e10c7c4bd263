/**
 * The Microsoft sandbox's memory: users and groups, presence `sequenceNumber`s, tokens, device codes,
 * subscriptions, the request log and injected faults. One object the login, Graph, delivery and admin
 * parts share; nothing here speaks HTTP.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { createTokenSigner, type TokenSigner } from './graph-crypto';
import type { LoggedRequest, MicrosoftSandboxOptions, MicrosoftSandboxSubscription, MicrosoftSandboxUser } from './microsoft-types';

export type Identity = { kind: 'app' } | { kind: 'user'; userId: string };

export interface DeviceCodeState {
  readonly userCode: string;
  readonly clientId: string;
  approvedUserId?: string;
  redeemed: boolean;
}

export interface InjectedFailure {
  readonly method: string;
  readonly pathPrefix: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

export interface MicrosoftState {
  readonly options: MicrosoftSandboxOptions;
  readonly tenantId: string;
  readonly tenantDomain: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly now: () => number;
  readonly tokenLifetime: number;
  readonly signer: TokenSigner;
  readonly users: Map<string, MicrosoftSandboxUser>;
  readonly groups: Map<string, string[]>;
  readonly subscriptions: Map<string, MicrosoftSandboxSubscription>;
  readonly requests: LoggedRequest[];
  readonly accessTokens: Map<string, Identity>;
  readonly refreshTokens: Map<string, string>;
  readonly deviceCodes: Map<string, DeviceCodeState>;
  readonly failures: InjectedFailure[];
  /** Set once the servers listen. */
  urls: { loginBaseUrl: string; graphOrigin: string };
  sequenceOf(userId: string): string;
  bumpSequence(userId: string): void;
  /** Every user's current `sequenceNumber` (for the state file). */
  sequenceNumbers(): Record<string, string>;
  /** Takes the numbers of a state file back; later changes count on from the highest. */
  restoreSequenceNumbers(numbers: Readonly<Record<string, string>>): void;
  /** A subscription unless it expired (expired ones are removed, as Graph does). */
  liveSubscription(id: string): MicrosoftSandboxSubscription | undefined;
  /** Graph's rule: ≤60 min for presence, under 45 min raised to 45 (https://learn.microsoft.com/graph/api/resources/subscription). */
  clampExpiry(requested: string): string | undefined;
  issueUserTokens(userId: string, scope: string): Record<string, unknown>;
  /** The injected failure matching this request, removed from the list. */
  takeFailure(method: string, path: string): InjectedFailure | undefined;
  findUserByEmail(email: string): MicrosoftSandboxUser | undefined;
}

export function createMicrosoftState(options: MicrosoftSandboxOptions): MicrosoftState {
  const tenantId = options.tenantId ?? randomUUID();
  const clientId = options.clientId ?? randomUUID();
  const now = options.now ?? Date.now;
  // sequenceNumber per user: a zero-padded counter, so later versions sort later as strings
  // ("the lexicographically sortable String stamp", https://learn.microsoft.com/graph/api/resources/presence).
  let sequenceCounter = 0;
  const sequences = new Map<string, string>();
  const nextSequence = (): string => String(++sequenceCounter).padStart(20, '0');
  const users = new Map<string, MicrosoftSandboxUser>((options.users ?? []).map((user) => [user.id, user]));
  const subscriptions = new Map<string, MicrosoftSandboxSubscription>();
  const accessTokens = new Map<string, Identity>();
  const refreshTokens = new Map<string, string>();
  const failures: InjectedFailure[] = [];
  const tokenLifetime = options.accessTokenLifetimeSeconds ?? 3600;

  const state: MicrosoftState = {
    options,
    tenantId,
    tenantDomain: options.tenantDomain ?? `contoso-${randomBytes(3).toString('hex')}.onmicrosoft.com`,
    clientId,
    clientSecret: options.clientSecret ?? `secret-${randomUUID()}`,
    now,
    tokenLifetime,
    signer: createTokenSigner(),
    users,
    groups: new Map<string, string[]>(Object.entries(options.groups ?? {}).map(([id, members]) => [id, [...members]])),
    subscriptions,
    requests: [],
    accessTokens,
    refreshTokens,
    deviceCodes: new Map(),
    failures,
    urls: { loginBaseUrl: '', graphOrigin: '' },

    sequenceOf(userId) {
      let sequence = sequences.get(userId);
      if (!sequence) {
        sequence = nextSequence();
        sequences.set(userId, sequence);
      }
      return sequence;
    },

    bumpSequence(userId) {
      sequences.set(userId, nextSequence());
    },

    sequenceNumbers: () => Object.fromEntries(sequences),

    restoreSequenceNumbers(numbers) {
      for (const [userId, sequence] of Object.entries(numbers)) {
        sequences.set(userId, sequence);
        sequenceCounter = Math.max(sequenceCounter, Number(sequence) || 0);
      }
    },

    liveSubscription(id) {
      const subscription = subscriptions.get(id);
      if (subscription && Date.parse(subscription.expirationDateTime) <= now()) {
        subscriptions.delete(id);
        return undefined;
      }
      return subscription;
    },

    clampExpiry(requested) {
      const at = Date.parse(requested);
      if (Number.isNaN(at)) return undefined;
      if (at > now() + 60 * 60_000 + 5_000) return undefined;
      return new Date(Math.max(at, now() + 45 * 60_000)).toISOString();
    },

    issueUserTokens(userId, scope) {
      const user = users.get(userId);
      const accessToken = `user.${randomUUID()}`;
      const refreshToken = `rt.${randomUUID()}`;
      accessTokens.set(accessToken, { kind: 'user', userId });
      refreshTokens.set(refreshToken, userId);
      const iat = Math.floor(Date.now() / 1000);
      // MSAL reads the id token's claims without verifying its signature (it came over TLS from the authority).
      const idToken = jwt.sign(
        {
          aud: clientId,
          iss: `${state.urls.loginBaseUrl}/${tenantId}/v2.0`,
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
    },

    takeFailure(method, path) {
      const index = failures.findIndex((failure) => failure.method === method && path.startsWith(failure.pathPrefix));
      if (index < 0) return undefined;
      return failures.splice(index, 1)[0];
    },

    findUserByEmail(email) {
      const wanted = email.trim().toLowerCase();
      return [...users.values()].find((user) => user.mail?.toLowerCase() === wanted || user.userPrincipalName.toLowerCase() === wanted);
    },
  };
  return state;
}
