/**
 * Teams-specific errors, in the bridge's one hierarchy (src/errors.ts). Each says what to fix.
 */
import { BridgeError } from '../../errors';

/** A notification failed a cryptographic check (dataSignature, validation token): record nothing. */
export class TeamsVerificationError extends BridgeError {
  override readonly name = 'TeamsVerificationError';
}

/** Microsoft's signing keys could not be fetched in time: the notification cannot be checked now (retry). */
export class TeamsSigningKeyUnavailableError extends BridgeError {
  override readonly name = 'TeamsSigningKeyUnavailableError';
}

/** A rich notification could not be decrypted because no configured key matches it. */
export class TeamsDecryptionKeyMissingError extends BridgeError {
  override readonly name = 'TeamsDecryptionKeyMissingError';
}

/** A service account has no usable refresh token: an operator must run `presence-bridge teams login`. */
export class ServiceAccountSignInRequiredError extends BridgeError {
  override readonly name = 'ServiceAccountSignInRequiredError';
  constructor(
    readonly account: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Teams service account "${account}" must be signed in again: run \`presence-bridge teams login --account ${account}\` (${detail})`, options);
  }
}

/** A Graph call failed; `status` is the HTTP status when there was a response. */
export class GraphRequestError extends BridgeError {
  override readonly name = 'GraphRequestError';
  constructor(
    message: string,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
