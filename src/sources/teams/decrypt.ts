/**
 * Rich-notification decryption, step by step as documented in "Decrypting resource data"
 * (https://learn.microsoft.com/graph/change-notifications-with-resource-data#decrypting-resource-data):
 * 1. pick the private key by `encryptionCertificateId`;
 * 2. RSA-OAEP (SHA-1, as the C#/Java samples) decrypts `dataKey` into a 32-byte symmetric key;
 * 3. HMAC-SHA256(key, base64-decoded `data`) must equal `dataSignature` — compared in constant time
 *    and BEFORE any decryption, so tampered ciphertext never reaches the AES code;
 * 4. AES-256-CBC, PKCS7, IV = first 16 bytes of the key; the result is a JSON string.
 * "Assume the symmetric key is different for each item", so each item is handled on its own.
 */
import { constants, createDecipheriv, createHmac, createPrivateKey, privateDecrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { EncryptedContent } from './schema';
import { TeamsDecryptionKeyMissingError, TeamsVerificationError } from './teams-errors';

/** One configured decryption key: the PEM private key behind `encryptionCertificate`. */
export interface DecryptionKey {
  /** The `encryptionCertificateId` given when the subscription was created. */
  readonly certificateId: string;
  readonly privateKeyPem: string;
}

export interface DecryptionKeyring {
  /** The key for `certificateId`; with no id in the notification, the only key if there is one. */
  find(certificateId: string | null | undefined): KeyObject | undefined;
  readonly size: number;
}

/** Parses the PEM keys once (parsing per notification would cost time on the 3-second path). */
export function createDecryptionKeyring(keys: readonly DecryptionKey[]): DecryptionKeyring {
  const byId = new Map<string, KeyObject>();
  for (const key of keys) byId.set(key.certificateId, createPrivateKey(key.privateKeyPem));
  return {
    size: byId.size,
    find(certificateId) {
      if (certificateId) return byId.get(certificateId);
      return byId.size === 1 ? [...byId.values()][0] : undefined;
    },
  };
}

function base64(value: string, what: string): Buffer {
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(trimmed)) throw new TeamsVerificationError(`${what} is not base64`);
  return Buffer.from(trimmed, 'base64');
}

/**
 * Verifies and decrypts one item's `encryptedContent`. Throws TeamsDecryptionKeyMissingError when no
 * configured key matches, TeamsVerificationError when the key unwrap or the signature check fails.
 */
export function decryptEncryptedContent(content: EncryptedContent, keyring: DecryptionKeyring): unknown {
  const privateKey = keyring.find(content.encryptionCertificateId);
  if (!privateKey) {
    throw new TeamsDecryptionKeyMissingError(
      `no decryption key for encryptionCertificateId "${content.encryptionCertificateId ?? ''}"; ` +
        'keep the old key configured until no subscription uses it',
    );
  }
  let symmetricKey: Buffer;
  try {
    // OAEP with SHA-1 is Node's default oaepHash and what Graph uses
    // (docs/vendors.md#teams-rich-notification-decryption).
    symmetricKey = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, base64(content.dataKey, 'dataKey'));
  } catch (error) {
    throw new TeamsVerificationError('dataKey could not be decrypted with the configured private key', { cause: error });
  }
  if (symmetricKey.length !== 32) throw new TeamsVerificationError('dataKey is not a 256-bit key');

  const data = base64(content.data, 'data');
  const expected = createHmac('sha256', symmetricKey).update(data).digest();
  const received = base64(content.dataSignature, 'dataSignature');
  // Length check first: timingSafeEqual throws on unequal lengths; the length is not secret.
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    throw new TeamsVerificationError('dataSignature does not match the data: not decrypting');
  }

  let plain: string;
  try {
    const decipher = createDecipheriv('aes-256-cbc', symmetricKey, symmetricKey.subarray(0, 16));
    plain = Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
  } catch (error) {
    throw new TeamsVerificationError('encrypted data could not be decrypted', { cause: error });
  }
  try {
    return JSON.parse(plain) as unknown;
  } catch (error) {
    throw new TeamsVerificationError('decrypted data is not JSON', { cause: error });
  }
}
