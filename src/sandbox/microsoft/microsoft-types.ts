/** The Microsoft sandbox's public shapes: users, subscriptions, options and the handle `startMicrosoftSandbox` returns. */
import type https from 'node:https';
import type { TokenSigner } from './graph-crypto';
import type { DeliveryResult } from './sandbox-http';

export type { DeliveryResult };

export interface MicrosoftSandboxUser {
  readonly id: string;
  readonly mail: string | null;
  readonly userPrincipalName: string;
  /** Entra's `accountEnabled`; absent means enabled. */
  accountEnabled?: boolean;
  availability: string;
  activity: string;
}

export interface MicrosoftSandboxSubscription {
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

/** The login server's TLS: a leaf for 127.0.0.1/localhost and the CA (PEM) clients trust. */
export interface SandboxTls {
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem: string;
}

export interface MicrosoftSandboxOptions {
  readonly tenantId?: string;
  /** The tenant's domain, answered like the tenant id by the OpenID configuration (default contoso-<random>.onmicrosoft.com). */
  readonly tenantDomain?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly users?: readonly MicrosoftSandboxUser[];
  /** Page size of GET /users (Graph allows up to 999). */
  readonly usersPageSize?: number;
  /** Entra groups: group id → member ids (users or other groups: transitiveMembers flattens them). */
  readonly groups?: Readonly<Record<string, readonly string[]>>;
  /** Page size of transitiveMembers (Graph: default 100, `$top` up to 999). */
  readonly groupMembersPageSize?: number;
  /** Access token lifetime; MSAL refreshes silently when ≤ 5 min are left. */
  readonly accessTokenLifetimeSeconds?: number;
  /** The login server's certificate; default: a fresh local CA and leaf, in memory. */
  readonly tls?: SandboxTls;
  /**
   * Approve every device code at once as this user (id): the operator's browser step, done for them
   * (`npm start`'s sandbox signs the demo service account in). Unset: codes wait for `approveDeviceCode`.
   */
  readonly autoApproveDeviceCodesAs?: string;
  readonly now?: () => number;
  /**
   * Keep presence, subscriptions and tokens in this file across restarts (`npm start`'s sandbox:
   * microsoft-state-file.ts). Unset: memory only.
   */
  readonly stateFile?: string;
  /** Told when the state file cannot be written (the sandbox goes on in memory). */
  readonly onStateSaveError?: (error: unknown) => void;
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

/** What a presence change delivered: one POST per subscription covering the user. */
export interface PresenceChangeDelivery {
  readonly subscriptionId: string;
  readonly notificationUrl: string;
  /** `rich` (encrypted resource data, with validation tokens) or `basic`. */
  readonly kind: 'rich' | 'basic';
  readonly status: number;
  readonly error?: string;
}

export interface PresenceChangeResult {
  readonly userId: string;
  readonly email: string;
  readonly availability: string;
  readonly activity: string;
  readonly sequenceNumber: string;
  readonly deliveries: readonly PresenceChangeDelivery[];
}

export interface MicrosoftSandbox {
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
  /** `http://127.0.0.1:PORT/sandbox` — the loopback-only admin routes (`POST /sandbox/presence`). */
  readonly adminUrl: string;
  /** The CA (PEM) that signed the login certificate: what clients trust. */
  readonly caPem: string;
  /** Trusts the login certificate (for MSAL's network client). */
  readonly httpsAgent: https.Agent;
  readonly signer: TokenSigner;
  readonly users: Map<string, MicrosoftSandboxUser>;
  /** Group id → direct member ids (users or groups); change it to move people in and out. */
  readonly groups: Map<string, string[]>;
  readonly subscriptions: Map<string, MicrosoftSandboxSubscription>;
  readonly requests: LoggedRequest[];
  /** Device-code sign-in: the user enters `userCode` and signs in as `userId`. */
  approveDeviceCode(userCode: string, userId: string): void;
  /** Revokes every refresh token of a user (password reset, policy). */
  revokeRefreshTokens(userId: string): void;
  /** The next request matching method and path prefix gets this response instead (fault injection). */
  failNext(method: string, pathPrefix: string, status: number, headers?: Record<string, string>, body?: unknown): void;
  /** Changes a user's presence; its sequenceNumber moves forward. */
  setPresence(userId: string, availability: string, activity: string): void;
  /** Changes a user's presence and notifies every live subscription covering them, as Graph does. */
  changePresence(userId: string, availability: string, activity: string): Promise<PresenceChangeResult>;
  /** The user's current presence `sequenceNumber`. */
  sequenceOf(userId: string): string;
  /** Delivers change notifications for (subscription, user) pairs in ONE POST per notification URL. */
  deliver(items: ReadonlyArray<{ subscriptionId: string; userId: string }>, options?: DeliverOptions): Promise<DeliveryResult>;
  deliverLifecycle(subscriptionId: string, lifecycleEvent: string): Promise<DeliveryResult>;
  /** Graph-side removal (expiry, admin action): PATCH then answers 404. */
  dropSubscription(subscriptionId: string): void;
  close(): Promise<void>;
}
