/**
 * What the Microsoft sandbox signs and encrypts the way Microsoft does:
 * - RS256 tokens with a `kid` published in a JWKS, like the Microsoft identity platform;
 * - validation tokens of rich notifications, issued to the app by "Microsoft Graph Change Tracking"
 *   (https://learn.microsoft.com/graph/change-notifications-with-resource-data#how-to-validate);
 * - resource data encrypted like Graph (https://learn.microsoft.com/graph/change-notifications-with-resource-data#decrypting-resource-data-from-change-notifications).
 */
import { constants, createCipheriv, createHmac, generateKeyPairSync, publicEncrypt, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** The appId of the "Microsoft Graph Change Tracking" service principal (`azp` of validation tokens). */
export const CHANGE_TRACKING_APP_ID = '0bf30f3b-4a52-48df-9a82-234910c4a086';

/** An RS256 signing key with a kid, as the Microsoft identity platform publishes in its JWKS. */
export interface TokenSigner {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKeyPem: string;
  readonly jwk: Record<string, unknown>;
  sign(claims: Record<string, unknown>): string;
}

export function createTokenSigner(kid = `kid-${randomUUID()}`): TokenSigner {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', kty: 'RSA', alg: 'RS256' };
  return {
    kid,
    privateKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    jwk,
    sign: (claims) => jwt.sign(claims, privateKey, { algorithm: 'RS256', keyid: kid, noTimestamp: true }),
  };
}

/** Claims of a Graph validation token (the docs' v2 sample), valid for a day from `nowMs`. */
export function validationTokenClaims(options: { readonly appId: string; readonly tenantId: string; readonly nowMs?: number }): Record<string, unknown> {
  const now = Math.floor((options.nowMs ?? Date.now()) / 1000);
  return {
    aud: options.appId,
    iss: `https://login.microsoftonline.com/${options.tenantId}/v2.0`,
    iat: now - 60,
    nbf: now - 60,
    exp: now + 86_400,
    azp: CHANGE_TRACKING_APP_ID,
    azpacr: '2',
    oid: randomUUID(),
    sub: randomUUID(),
    tid: options.tenantId,
    ver: '2.0',
  };
}

/**
 * Encrypts a resource the way Graph does for rich notifications: random AES-256 key, CBC with the
 * first 16 key bytes as IV, HMAC-SHA256 over the ciphertext, key wrapped with RSA-OAEP (SHA-1).
 */
export function encryptLikeGraph(resource: unknown, certificatePem: string, certificateId: string): Record<string, string> {
  const key = randomBytes(32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  const data = Buffer.concat([cipher.update(JSON.stringify(resource), 'utf8'), cipher.final()]);
  return {
    data: data.toString('base64'),
    dataSignature: createHmac('sha256', key).update(data).digest('base64'),
    dataKey: publicEncrypt({ key: certificatePem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, key).toString('base64'),
    encryptionCertificateId: certificateId,
    encryptionCertificateThumbprint: 'sandbox-thumbprint',
  };
}

/** The PEM form of the base64 DER certificate a subscription carries in `encryptionCertificate`. */
export function certificatePemOf(base64Der: string): string {
  return `-----BEGIN CERTIFICATE-----\n${base64Der.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}
