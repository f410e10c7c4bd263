/**
 * What the Microsoft sandbox keeps in BRIDGE_DATA_DIR (`microsoft-sandbox/`, 0700; files 0600) so a
 * restart reuses it: the local CA and its login leaf, the app's tenant/client/secret, the development
 * TEAMS_CLIENT_STATE and TEAMS_TOKEN_ENCRYPTION_KEY, and the rich-notification encryption certificate.
 * Generated on first use, like the development Zoom secret (src/runtime/dev-secrets.ts). Never committed
 * (BRIDGE_DATA_DIR is ignored by git).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createEncryptionCertificate, createLocalCertificateAuthority, issueServerCertificate, type IssuedCertificate } from './certificate-authority';

export const MICROSOFT_SANDBOX_DIR = 'microsoft-sandbox';

export interface MicrosoftSandboxFiles {
  readonly ca: IssuedCertificate;
  readonly leaf: IssuedCertificate;
  readonly encryption: IssuedCertificate;
  readonly app: {
    readonly tenantId: string;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly clientState: string;
    readonly tokenEncryptionKey: string;
  };
}

function writePrivate(file: string, text: string): void {
  fs.writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

function readIfPresent(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function loadOrCreatePair(dir: string, name: string, create: () => IssuedCertificate): IssuedCertificate {
  const certFile = path.join(dir, `${name}.cert.pem`);
  const keyFile = path.join(dir, `${name}.key.pem`);
  const certPem = readIfPresent(certFile);
  const keyPem = readIfPresent(keyFile);
  if (certPem && keyPem) return { certPem, keyPem };
  const made = create();
  writePrivate(keyFile, made.keyPem);
  writePrivate(certFile, made.certPem);
  return made;
}

/** Reads the sandbox's files under `dataDir`, creating what is missing. */
export function loadOrCreateMicrosoftSandboxFiles(dataDir: string): MicrosoftSandboxFiles {
  const dir = path.join(dataDir, MICROSOFT_SANDBOX_DIR);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let ca: IssuedCertificate;
  let leaf: IssuedCertificate;
  const caCert = readIfPresent(path.join(dir, 'ca.cert.pem'));
  const caKey = readIfPresent(path.join(dir, 'ca.key.pem'));
  if (caCert && caKey) {
    ca = { certPem: caCert, keyPem: caKey };
    leaf = loadOrCreatePair(dir, 'login', () => issueServerCertificate(ca));
  } else {
    // A new CA means a new leaf: an old leaf would not chain to it.
    const made = createLocalCertificateAuthority();
    ca = made.ca;
    leaf = made.leaf;
    writePrivate(path.join(dir, 'ca.key.pem'), ca.keyPem);
    writePrivate(path.join(dir, 'ca.cert.pem'), ca.certPem);
    writePrivate(path.join(dir, 'login.key.pem'), leaf.keyPem);
    writePrivate(path.join(dir, 'login.cert.pem'), leaf.certPem);
  }
  const encryption = loadOrCreatePair(dir, 'notifications', () => createEncryptionCertificate());
  const appFile = path.join(dir, 'app.json');
  const stored = readIfPresent(appFile);
  let app: MicrosoftSandboxFiles['app'];
  if (stored) {
    app = JSON.parse(stored) as MicrosoftSandboxFiles['app'];
  } else {
    app = {
      tenantId: randomUUID(),
      clientId: randomUUID(),
      clientSecret: `sandbox-${randomBytes(18).toString('base64url')}`,
      clientState: randomBytes(24).toString('base64url'),
      tokenEncryptionKey: randomBytes(32).toString('base64url'),
    };
    writePrivate(appFile, JSON.stringify(app, null, 2) + '\n');
  }
  return { ca, leaf, encryption, app };
}
