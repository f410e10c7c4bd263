/**
 * The bridge's one small error hierarchy. Every error says what to fix; `cause` keeps the original.
 */
export class BridgeError extends Error {
  override readonly name: string = 'BridgeError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A configuration value is missing or malformed; the message names the variable. */
export class ConfigError extends BridgeError {
  override readonly name = 'ConfigError';
}

/** Input from outside (a webhook body, a mapping file) does not have the expected shape. */
export class InvalidInputError extends BridgeError {
  override readonly name = 'InvalidInputError';
}

/** The durable store could not record or read state. */
export class StoreError extends BridgeError {
  override readonly name = 'StoreError';
}

/** Returns a short, log-safe description of anything thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
