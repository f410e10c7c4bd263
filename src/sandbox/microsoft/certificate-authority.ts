/**
 * A local certificate authority for the Microsoft sandbox's HTTPS login server: msal-node refuses
 * http authorities, so the sandbox needs TLS, and the bridge trusts exactly this CA through its MSAL
 * network client's https.Agent — never by switching TLS checks off.
 *
 * Keys come from Node's crypto (fast, native); node-forge only builds and signs the X.509 structures,
 * which Node's crypto cannot create. Pure JavaScript, so it works the same on Windows and macOS
 * without an `openssl` binary.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface IssuedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface LocalCertificateAuthority {
  readonly ca: IssuedCertificate;
  /** The leaf for 127.0.0.1 and localhost, signed by `ca`. */
  readonly leaf: IssuedCertificate;
}

function newKeyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function baseCertificate(publicPem: string, commonName: string, days: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  // A positive serial (RFC 5280 §4.1.2.2): high bit cleared.
  cert.serialNumber = '0' + randomBytes(15).toString('hex');
  const notBefore = new Date(Date.now() - 60 * 60_000);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + days * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  return cert;
}

/** A self-signed CA certificate (basicConstraints CA, keyCertSign) valid for `days`. */
export function createCertificateAuthority(commonName = 'presence-bridge local sandbox CA', days = 3650): IssuedCertificate {
  const keys = newKeyPair();
  const cert = baseCertificate(keys.publicPem, commonName, days);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privatePem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

/** A server certificate for 127.0.0.1 and localhost, signed by `ca`. */
export function issueServerCertificate(ca: IssuedCertificate, commonName = 'localhost', days = 825): IssuedCertificate {
  const keys = newKeyPair();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = baseCertificate(keys.publicPem, commonName, days);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
      ],
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

/**
 * A self-signed certificate carrying a key for data encryption, like the one an app gives Graph in
 * `encryptionCertificate` (https://learn.microsoft.com/graph/change-notifications-with-resource-data#creating-a-subscription).
 */
export function createEncryptionCertificate(commonName = 'presence-bridge sandbox notifications', days = 3650): IssuedCertificate {
  const keys = newKeyPair();
  const cert = baseCertificate(keys.publicPem, commonName, days);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([{ name: 'keyUsage', keyEncipherment: true, dataEncipherment: true }]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privatePem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

/** A fresh CA and a leaf for 127.0.0.1/localhost signed by it. */
export function createLocalCertificateAuthority(): LocalCertificateAuthority {
  const ca = createCertificateAuthority();
  return { ca, leaf: issueServerCertificate(ca) };
}
