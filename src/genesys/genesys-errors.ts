/**
 * Typed Genesys Cloud failures. Every message says what an operator should check; `cause` keeps the
 * original (axios) error. Genesys error bodies are `{message, code, status, contextId}` and carry the
 * `inin-correlation-id` header, which Genesys support asks for (docs/vendors.md#genesys-error-body).
 */
import { BridgeError, InvalidInputError } from '../errors';

export interface GenesysApiErrorDetails {
  /** HTTP status; undefined when no response arrived (network error, timeout). */
  readonly status?: number;
  readonly method: string;
  /** Path without host, e.g. `/api/v2/presence/sources` or `/oauth/token`. */
  readonly path: string;
  /** True when trying again later may succeed (429, 5xx, network). */
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  /** Genesys error `code`, e.g. `bad.request`. */
  readonly code?: string;
  /** Genesys error `message`. */
  readonly genesysMessage?: string;
  /** `inin-correlation-id` header, else the body's `contextId`. */
  readonly requestId?: string;
  /**
   * The permission the endpoint needs, named by the caller next to the endpoint
   * (docs/vendors.md#genesys-presence-permission).
   */
  readonly permission?: string;
  /** The 401 came right after a fresh login. */
  readonly afterRelogin?: boolean;
  readonly attempts?: number;
  /** For a 404 on a presence write: which id is gone (the source, or the user). */
  readonly gone?: 'source' | 'user';
  readonly cause?: unknown;
}

/** A Genesys Cloud request failed for good (after the retries the policy allows). */
export class GenesysApiError extends BridgeError {
  override readonly name = 'GenesysApiError';
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly code: string | undefined;
  readonly genesysMessage: string | undefined;
  readonly requestId: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly permission: string | undefined;
  readonly gone: 'source' | 'user' | undefined;

  constructor(details: GenesysApiErrorDetails) {
    super(describeFailure(details), { cause: details.cause });
    this.status = details.status;
    this.retryable = details.retryable;
    this.retryAfterMs = details.retryAfterMs;
    this.code = details.code;
    this.genesysMessage = details.genesysMessage;
    this.requestId = details.requestId;
    this.method = details.method;
    this.path = details.path;
    this.permission = details.permission;
    this.gone = details.gone;
  }

  /** A copy with changed details (e.g. marking a 404 as source-gone); the message is rebuilt. */
  withDetails(changes: Partial<GenesysApiErrorDetails>): GenesysApiError {
    return new GenesysApiError({ ...this.details(), ...changes });
  }

  private details(): GenesysApiErrorDetails {
    return {
      status: this.status,
      method: this.method,
      path: this.path,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      code: this.code,
      genesysMessage: this.genesysMessage,
      requestId: this.requestId,
      permission: this.permission,
      gone: this.gone,
      cause: this.cause,
    };
  }
}

/**
 * Genesys answered 429 with a Retry-After too long to sleep on (a daily quota,
 * docs/vendors.md#genesys-long-retry-after), or a wait (Retry-After, request budget) would outlast the time
 * the caller has left (a Lambda invocation's deadline): the work is parked until `retryAt`, not slept on.
 */
export class GenesysParkedError extends BridgeError {
  override readonly name = 'GenesysParkedError';
  readonly retryAt: Date;
  readonly method: string;
  readonly path: string;
  /** Status of the answer that asked to wait; undefined when the wait is the bridge's own request budget. */
  readonly status: number | undefined;
  readonly requestId: string | undefined;

  constructor(details: {
    retryAt: Date;
    method: string;
    path: string;
    status?: number;
    requestId?: string;
    /** Set when the wait is parked because it would outlast the caller's deadline: what the wait is for. */
    deadlineWait?: string;
    cause?: unknown;
  }) {
    const id = details.requestId ? ` [correlation id ${details.requestId}]` : '';
    super(
      details.deadlineWait !== undefined
        ? `Genesys Cloud ${details.method} ${details.path} would have to wait until ${details.retryAt.toISOString()} ` +
            `(${details.deadlineWait}), longer than this worker invocation has left; the key is parked until then ` +
            `instead of failing the whole batch. If this repeats, lower GENESYS_REQUESTS_PER_MINUTE${id}`
        : `Genesys Cloud ${details.method} ${details.path} answered ${details.status} with a Retry-After until ` +
            `${details.retryAt.toISOString()}, probably a daily quota; the work is parked until then. ` +
            `If this repeats, lower GENESYS_REQUESTS_PER_MINUTE or ask Genesys support about the limit${id}`,
      { cause: details.cause },
    );
    this.retryAt = details.retryAt;
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.requestId = details.requestId;
  }
}

/**
 * The bridge refused to send a request that could touch a user's primary presence (docs/architecture.md:
 * the primary source is never written).
 */
export class GenesysPrimarySourceGuardError extends BridgeError {
  override readonly name = 'GenesysPrimarySourceGuardError';
}

/** A presence source the bridge needs cannot be created or adopted (e.g. a System source holds the name). */
export class GenesysSourceError extends BridgeError {
  override readonly name = 'GenesysSourceError';
}

function advice(details: GenesysApiErrorDetails): string {
  const { status, path } = details;
  if (status === undefined) {
    return 'Genesys Cloud could not be reached: check GENESYS_REGION (or GENESYS_API_BASE_URL / GENESYS_LOGIN_BASE_URL) and the network';
  }
  if (path.endsWith('/oauth/token') && (status === 400 || status === 401 || status === 403)) {
    return (
      'the login was refused: check GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET (a Client Credentials OAuth client), ' +
      'and that GENESYS_REGION is the region of the organization that owns the client'
    );
  }
  if (status === 401) {
    return details.afterRelogin
      ? "the token was refused even right after a fresh login: check GENESYS_CLIENT_ID / GENESYS_CLIENT_SECRET and that GENESYS_REGION (API and login host) is the organization's region"
      : 'the access token was refused';
  }
  if (status === 403) {
    return details.permission
      ? `the OAuth client's role lacks the permission ${details.permission} (grant it to the role, in the divisions of the users and sources concerned)`
      : "the OAuth client's role lacks a permission this endpoint needs";
  }
  if (status === 404) {
    if (details.gone === 'source') return 'the presence source no longer exists; it will be re-created';
    if (details.gone === 'user') return 'the Genesys user no longer exists (deleted or wrong id); check the user mapping';
    return 'not found: the id may be stale (deleted user, source or presence definition)';
  }
  if (status === 409) return 'Genesys reports a conflict (the object already exists or was changed meanwhile)';
  if (status === 429) {
    return `rate limited by Genesys Cloud${details.attempts ? ` after ${details.attempts} attempts` : ''}; it will be retried later. If this repeats, lower GENESYS_REQUESTS_PER_MINUTE`;
  }
  if (status >= 500) {
    return `Genesys Cloud server error${details.attempts ? ` after ${details.attempts} attempts` : ''}; it will be retried later`;
  }
  if (status === 400) return 'Genesys rejected the request as malformed';
  return 'unexpected answer from Genesys Cloud';
}

function describeFailure(details: GenesysApiErrorDetails): string {
  const answer = details.status === undefined ? 'got no response' : `answered ${details.status}`;
  const code = details.code ? ` ${details.code}` : '';
  const said = details.genesysMessage ? ` ("${details.genesysMessage}")` : '';
  const id = details.requestId ? ` [correlation id ${details.requestId}]` : '';
  return `Genesys Cloud ${details.method} ${details.path} ${answer}${code}${said}: ${advice(details)}${id}`;
}

/**
 * How a caller should treat a Genesys failure. Structurally the worker's `GenesysFailure`
 * (src/webhooks/worker.ts), so a composition root can pass it straight through.
 */
export type GenesysFailureKind =
  | { readonly kind: 'parked'; readonly retryAt: Date; readonly detail: string }
  | { readonly kind: 'retryable'; readonly afterMs: number; readonly detail: string }
  | { readonly kind: 'source-gone'; readonly detail: string }
  | { readonly kind: 'user-gone'; readonly detail: string }
  | { readonly kind: 'permanent'; readonly detail: string };

/** Maps anything thrown by the Genesys client onto a treatment. Unknown errors are retried after a pause. */
export function classifyGenesysFailure(error: unknown, defaultRetryMs = 30_000): GenesysFailureKind {
  if (error instanceof GenesysParkedError) return { kind: 'parked', retryAt: error.retryAt, detail: error.message };
  if (error instanceof GenesysApiError) {
    if (error.gone === 'source') return { kind: 'source-gone', detail: error.message };
    if (error.gone === 'user') return { kind: 'user-gone', detail: error.message };
    if (error.retryable) return { kind: 'retryable', afterMs: error.retryAfterMs ?? defaultRetryMs, detail: error.message };
    return { kind: 'permanent', detail: error.message };
  }
  if (error instanceof GenesysPrimarySourceGuardError || error instanceof GenesysSourceError || error instanceof InvalidInputError) {
    return { kind: 'permanent', detail: error.message };
  }
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { kind: 'retryable', afterMs: defaultRetryMs, detail };
}
