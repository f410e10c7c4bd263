/**
 * Genesys-shaped errors. Genesys Cloud error bodies carry `message`, `code`, `status` and
 * `contextId` (the request's correlation id), e.g. a missing token answers
 * `{"message":"No authentication bearer token specified in authorization header.","code":"authentication.required","status":401}`.
 */

/** Error codes the sandbox answers with (Genesys spells them lower-case and dotted). */
export const SANDBOX_ERROR_CODES = {
  authenticationRequired: 'authentication.required',
  badCredentials: 'bad.credentials',
  badRequest: 'bad.request',
  invalidValue: 'invalid.value',
  notFound: 'not.found',
  // The code a duplicate source name gets is not documented by Genesys
  // (docs/vendors.md#genesys-open-questions-and-how-the-code-hedges).
  duplicateValue: 'duplicate.value',
  tooManyRequests: 'too.many.requests',
  requestTooLarge: 'request.entity.too.large',
  serviceUnavailable: 'service.unavailable',
  internalServerError: 'internal.server.error',
} as const;

/** Thrown by route handlers; the server turns it into a Genesys error response. */
export class SandboxHttpError extends Error {
  override readonly name = 'SandboxHttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** The body of a Genesys error response. */
export interface GenesysErrorBody {
  message: string;
  code: string;
  status: number;
  contextId: string;
  details: unknown[];
  errors: unknown[];
}

/** Builds a Genesys error body; `contextId` is the request's `inin-correlation-id`. */
export function genesysErrorBody(status: number, code: string, message: string, contextId: string): GenesysErrorBody {
  return { message, code, status, contextId, details: [], errors: [] };
}

/** The error an injected fault answers with, by status. */
export function faultError(status: number): SandboxHttpError {
  const code =
    status === 503 ? SANDBOX_ERROR_CODES.serviceUnavailable : status >= 500 ? SANDBOX_ERROR_CODES.internalServerError : SANDBOX_ERROR_CODES.badRequest;
  return new SandboxHttpError(status, code, `Injected sandbox fault (HTTP ${status}).`);
}

/** 400 with the generic Genesys bad-request code. */
export function badRequest(message: string): SandboxHttpError {
  return new SandboxHttpError(400, SANDBOX_ERROR_CODES.badRequest, message);
}

/** 404 with the Genesys not-found code. */
export function notFound(message: string): SandboxHttpError {
  return new SandboxHttpError(404, SANDBOX_ERROR_CODES.notFound, message);
}
