/**
 * The Microsoft sandbox's local CA: a TLS client that trusts only the CA accepts the leaf for 127.0.0.1
 * and localhost, rejects it without the CA (no switched-off checks anywhere), and the files kept in
 * BRIDGE_DATA_DIR are private (0600 in a 0700 directory) and reused on restart.
 */
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { createLocalCertificateAuthority } from '../../../src/sandbox/microsoft';
import { loadOrCreateMicrosoftSandboxFiles, MICROSOFT_SANDBOX_DIR } from '../../../src/sandbox/microsoft/sandbox-files';

function connect(port: number, options: tls.ConnectionOptions): Promise<{ authorized: boolean; error?: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ...options }, () => {
      resolve({ authorized: socket.authorized });
      socket.end();
    });
    socket.on('error', (error) => resolve({ authorized: false, error: (error as NodeJS.ErrnoException).code ?? error.message }));
  });
}

describe('local certificate authority', () => {
  const { ca, leaf } = createLocalCertificateAuthority();
  let server: https.Server;
  let port: number;

  beforeAll(async () => {
    server = https.createServer({ key: leaf.keyPem, cert: leaf.certPem }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('issues a leaf for 127.0.0.1 and localhost, signed by the CA', () => {
    const caCert = new X509Certificate(ca.certPem);
    const leafCert = new X509Certificate(leaf.certPem);
    expect(caCert.ca).toBe(true);
    expect(leafCert.ca).toBe(false);
    expect(leafCert.checkIssued(caCert)).toBe(true);
    expect(leafCert.verify(caCert.publicKey)).toBe(true);
    expect(leafCert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leafCert.checkHost('localhost')).toBe('localhost');
  });

  it('verifies with Node tls against the CA, by IP and by host name', async () => {
    expect(await connect(port, { ca: ca.certPem })).toEqual({ authorized: true });
    expect(await connect(port, { ca: ca.certPem, servername: 'localhost' })).toEqual({ authorized: true });
  });

  it('is refused by a client that does not trust the CA', async () => {
    const refused = await connect(port, {});
    expect(refused.authorized).toBe(false);
    expect(refused.error).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|unable to verify/i);
    const otherCa = createLocalCertificateAuthority().ca;
    expect((await connect(port, { ca: otherCa.certPem })).authorized).toBe(false);
  });

  it('keeps its files private in BRIDGE_DATA_DIR and reuses them on restart', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-sandbox-files-'));
    try {
      const first = loadOrCreateMicrosoftSandboxFiles(dataDir);
      const dir = path.join(dataDir, MICROSOFT_SANDBOX_DIR);
      if (process.platform !== 'win32') {
        expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
        for (const name of fs.readdirSync(dir)) expect([name, fs.statSync(path.join(dir, name)).mode & 0o777]).toEqual([name, 0o600]);
      }
      const second = loadOrCreateMicrosoftSandboxFiles(dataDir);
      expect(second).toEqual(first);
      expect(new X509Certificate(first.leaf.certPem).checkIssued(new X509Certificate(first.ca.certPem))).toBe(true);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
