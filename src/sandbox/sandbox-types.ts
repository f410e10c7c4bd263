/**
 * Public types of the Genesys Cloud sandbox. The sandbox is a real HTTP server that imitates the
 * parts of the Genesys Cloud Platform API the bridge uses (docs/vendors.md#genesys-cloud).
 */

/** A user to create in the sandbox organization. */
export interface SandboxUserSeed {
  email: string;
  name?: string;
  id?: string;
  state?: 'active' | 'inactive';
}

/** How to start a sandbox. Every field is optional. */
export interface SandboxOptions {
  /** Accepted OAuth client id; default `sandbox-client`. */
  clientId?: string;
  /** Accepted OAuth client secret; default `sandbox-secret`. */
  clientSecret?: string;
  /** Per-token budget over a sliding 60 s window; default 300 (docs/vendors.md#genesys-rate-limits). */
  requestsPerMinutePerToken?: number;
  /** `expires_in` of issued tokens; default 86400 (24 h; docs/vendors.md#genesys-client-credentials). */
  tokenTtlSeconds?: number;
  /** Users to create (skipped when a user with that email already exists, e.g. loaded from `stateFile`). */
  users?: SandboxUserSeed[];
  /** Adds alice, bob, carol, dave and erin @example.com. */
  seedDemoUsers?: boolean;
  /** When set: state is loaded from this JSON file at start and saved (debounced and on close). */
  stateFile?: string;
  /** Receives one JSON object per line (requests, violations). */
  log?: (line: string) => void;
  /**
   * Clock in epoch milliseconds; default `Date.now`. Lets tests move token expiry and the
   * rate-limit window without sleeping. (An addition to the agreed API; omitting it changes nothing.)
   */
  now?: () => number;
}

/** Faults injected into `/api/v2/*` requests (never into `/oauth/token`). */
export interface SandboxFaults {
  /** 0..1 probability that an /api/v2 request answers `errorStatus`. */
  errorRate?: number;
  /** Status of injected errors; default 503. */
  errorStatus?: number;
  /** Added before answering each /api/v2 request. */
  latencyMs?: number;
  /**
   * Per-request latency in ms, added after `latencyMs` and before the request takes effect: lets a test
   * hold back one write while a later one lands first (e.g. two workers' PATCHes crossing).
   */
  latencyFor?: (request: { readonly method: string; readonly path: string; readonly body: unknown }) => number;
  /** When set, every /api/v2 request answers 429 with this Retry-After (a "429 storm"). */
  rateLimitRetryAfterSeconds?: number;
  /** The next N /api/v2 requests answer `errorStatus` (deterministic faults for tests). */
  failNextRequests?: number;
  /** `GET /api/v2/presence/definitions` answers 404, so clients exercise their fallback. */
  definitionsEndpointMissing?: boolean;
  /**
   * `PUT /api/v2/presence/sources/{id}` that reactivates a deactivated source answers 400 (Genesys
   * documents no reactivation rules; the bridge must then create a new source).
   */
  refuseSourceReactivation?: boolean;
}

/** One request the sandbox received, in arrival order. `status` is 0 until it is answered. */
export interface SandboxRequestRecord {
  at: number;
  method: string;
  path: string;
  query: string;
  status: number;
  token?: string;
  body?: unknown;
}

/** A request that changed, or tried to change, something the bridge must never touch. */
export interface SandboxViolation {
  at: number;
  method: string;
  path: string;
  reason: string;
}

/** One accepted write of a user's presence. */
export interface SandboxPresenceWrite {
  at: number;
  userId: string;
  sourceId: string;
  definitionId?: string;
  message?: string;
}

export type SandboxSourceType = 'System' | 'User';

/** A running sandbox and its inspection/control surface for tests. */
export interface GenesysSandbox {
  /** e.g. http://127.0.0.1:PORT — serves both the login host (/oauth/token) and the API host (/api/v2/...). */
  readonly url: string;
  readonly port: number;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Every request, in arrival order (including /oauth/token). */
  readonly requests: SandboxRequestRecord[];
  /** Anything that would change a primary source or a registered source. */
  readonly violations: SandboxViolation[];
  /** Replaces the current faults; `setFaults({})` clears them. */
  setFaults(faults: SandboxFaults): void;
  /** Every token issued so far now answers 401. */
  expireAllTokens(): void;
  addUser(seed: SandboxUserSeed): { id: string; email: string };
  listUsers(): Array<{ id: string; email: string; name: string }>;
  /** Presence of one user on one source, or undefined if never set. */
  getPresence(userId: string, sourceId: string): { definitionId: string; message: string; modifiedDate: string } | undefined;
  /** All accepted writes of user presence, in order. */
  readonly presenceWrites: SandboxPresenceWrite[];
  listSources(): Array<{ id: string; name: string; type: SandboxSourceType; deactivated: boolean }>;
  /** Simulates an admin deleting a source. */
  deleteSource(id: string): void;
  /** Simulates an admin deactivating a source. */
  deactivateSource(id: string): void;
  /** Genesys reports the source with this `type` from now on (listing and GET); it keeps behaving as before. */
  reportSourceTypeAs(id: string, type: SandboxSourceType): void;
  /** Simulates an admin deleting a user: the id answers 404 from now on. */
  deleteUser(id: string): void;
  /** Simulates an admin deleting an org-defined presence and creating it again: returns the new id. */
  recreateDefinition(id: string): { id: string };
  /** Simulates an admin deleting an org-defined presence. */
  deleteDefinition(id: string): void;
  definitions(): Array<{ id: string; systemPresence: string; type: SandboxSourceType; label: string; deactivated: boolean }>;
  /** Adds an org-defined secondary presence (type User) under a system presence. */
  addSecondaryPresence(systemPresence: string, label: string): { id: string };
  /** Source id of the user's primary source ('PURECLOUD' by default). */
  primarySourceOf(userId: string): string;
  /** Clears the request log, violations, writes, faults and rate-limit windows (not users, sources or presences). */
  reset(): void;
  close(): Promise<void>;
}
