/**
 * Shapes the RingCentral sandbox keeps and answers with. They follow RingCentral's API reference
 * (SubscriptionInfo, https://developers.ringcentral.com/api-reference/Subscriptions/createSubscription;
 * extension list, https://developers.ringcentral.com/api-reference/Extensions/listExtensions); only what
 * the bridge uses is modelled.
 */

export interface RingCentralSandboxSubscription {
  id: string;
  uri: string;
  /** As RingCentral stores them: `~` expanded to the numeric account and owner extension ids. */
  eventFilters: string[];
  disabledFilters: Array<{ filter: string; reason: string }>;
  expirationTime: string;
  expiresIn: number;
  status: 'Active' | 'Blacklisted';
  creationTime: string;
  /** `verificationToken` is kept (it is sent on every delivery) but never answered. */
  deliveryMode: { transportType: string; address: string; verificationToken?: string };
  blacklistedData?: { reason: string; blacklistedAt: string };
}

export interface RingCentralSandboxExtension {
  id: number | string;
  extensionNumber?: string;
  type?: string;
  status?: string;
  name?: string;
  contact?: { email?: string; firstName?: string; lastName?: string };
}

/**
 * One record of `GET /restapi/v1.0/account/~/presence`
 * (https://developers.ringcentral.com/api-reference/Presence/readAccountPresence): `extension.id` and the
 * presence fields (`presenceStatus`, `userStatus`, `dndStatus`, `telephonyStatus`, `meetingStatus`, …).
 */
export type RingCentralSandboxPresenceRecord = Record<string, unknown>;

export interface RingCentralSandboxRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  /** The sandbox clock when the request arrived. */
  readonly at: number;
  readonly body?: unknown;
}

/** An HTTP answer of the sandbox (also what a test scripts instead of the normal answer). */
export interface RingCentralSandboxAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

/** One delivery attempt of a notification to a subscription's address. */
export interface RingCentralSandboxDelivery {
  readonly subscriptionId: string;
  readonly address: string;
  /** The `Verification-Token` header sent (absent when the subscription has none). */
  readonly verificationToken?: string;
  readonly notification: Record<string, unknown>;
  /** HTTP status the webhook answered, or 0 when the request failed. */
  readonly status: number;
}

export interface RingCentralSandboxOptions {
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** The JWT credential the sandbox issues for its demo app; the token endpoint accepts only this one. */
  readonly jwt?: string;
  readonly tokenTtlSeconds?: number;
  /** The clock requests are stamped with and subscriptions expire by (default Date.now). */
  readonly clock?: () => number;
  /** Seed the demo users (the Genesys sandbox's, src/sandbox/sandbox-state.ts) as extensions with presence. */
  readonly seedDemoUsers?: boolean;
  /** Check the webhook address with a Validation-Token handshake on create, like RingCentral (default true). */
  readonly validateAddress?: boolean;
  /** Keeps subscriptions and presence across restarts (`npm start`: BRIDGE_DATA_DIR/ringcentral-sandbox.json). */
  readonly stateFile?: string;
}
