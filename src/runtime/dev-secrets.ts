/**
 * Development secrets for sandbox mode: generated once and kept in BRIDGE_DATA_DIR so
 * `presence-bridge simulate` can sign exactly like the vendor would (ZOOM_WEBHOOK_SECRET_TOKEN,
 * README.md#configuration).
 * Never used when Genesys credentials are set.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const ZOOM_DEV_SECRET_FILE = 'zoom-dev-secret';

/** Reads the development Zoom secret, creating it (mode 0600) when `create` is true and it is missing. */
export function readZoomDevSecret(dataDir: string, create: boolean): string | undefined {
  const file = path.join(dataDir, ZOOM_DEV_SECRET_FILE);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !create) return undefined;
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(24).toString('base64url');
  fs.writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  return secret;
}

export const RINGCENTRAL_DEV_VERIFICATION_TOKEN_FILE = 'ringcentral-dev-verification-token';

/**
 * Reads the development RINGCENTRAL_VERIFICATION_TOKEN the RingCentral sandbox subscription is created
 * with, creating it (mode 0600) when `create` is true and it is missing. Kept so a restart finds the same
 * token and leaves the kept subscription alone. 32 characters: RingCentral accepts up to 64
 * (https://developers.ringcentral.com/guide/notifications/webhooks/verification-tokens).
 */
export function readRingCentralDevVerificationToken(dataDir: string, create: boolean): string | undefined {
  const file = path.join(dataDir, RINGCENTRAL_DEV_VERIFICATION_TOKEN_FILE);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !create) return undefined;
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(24).toString('base64url');
  fs.writeFileSync(file, token + '\n', { mode: 0o600, flag: 'wx' });
  return token;
}
