/**
 * The Teams tests' Microsoft stand-in: the product's Microsoft sandbox (src/sandbox/microsoft/), which
 * behaves as Microsoft documents it (login over HTTPS with a local CA, Graph users/groups/presence with
 * `sequenceNumber`, subscriptions with the real validation handshake, rich notifications encrypted and
 * signed like Graph, mixed batches, lifecycle notifications, JWKS). So every Teams test also proves the
 * sandbox's likeness to Microsoft.
 *
 * Test-only pieces stay here: temp dirs, an `openssl`-made self-signed certificate for tests that
 * want one (the product never shells out to openssl), bulk user generators and connection settings.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TeamsConnection } from '../../src/config';
import {
  startMicrosoftSandbox,
  type MicrosoftSandbox,
  type MicrosoftSandboxOptions,
  type MicrosoftSandboxSubscription,
  type MicrosoftSandboxUser,
} from '../../src/sandbox/microsoft';

export { CHANGE_TRACKING_APP_ID, createTokenSigner, encryptLikeGraph, validationTokenClaims, type TokenSigner } from '../../src/sandbox/microsoft';
export type { DeliverOptions, DeliveryResult, ForeignItem, LoggedRequest } from '../../src/sandbox/microsoft';

export type StandInUser = MicrosoftSandboxUser;
export type StandInSubscription = MicrosoftSandboxSubscription;
export type MicrosoftStandInOptions = MicrosoftSandboxOptions;
export type MicrosoftStandIn = MicrosoftSandbox;

export interface SelfSignedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

/** A throwaway temp dir for one test file's keys; removed by the caller with `removeTempDir`. */
export function makeTempDir(prefix = 'teams-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** RSA-2048 self-signed certificate for 127.0.0.1/localhost, made with the openssl CLI (tests only). */
export function generateSelfSignedCertificate(dir: string, name: string): SelfSignedCertificate {
  const keyFile = path.join(dir, `${name}.key.pem`);
  const certFile = path.join(dir, `${name}.cert.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      '1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return { certPem: fs.readFileSync(certFile, 'utf8'), keyPem: fs.readFileSync(keyFile, 'utf8') };
}

/** Starts the stand-in (the product's Microsoft sandbox); one per test file (jest runs files in parallel). */
export function startMicrosoftStandIn(options: MicrosoftStandInOptions = {}): Promise<MicrosoftStandIn> {
  return startMicrosoftSandbox(options);
}

/** `count` users with GUID ids, mail set on all but every 10th (which has only a UPN). */
export function makeUsers(count: number, availability = 'Available', activity = 'Available'): StandInUser[] {
  return Array.from({ length: count }, (_, index) => {
    const id = randomUUID();
    const name = `user${String(index).padStart(5, '0')}`;
    return {
      id,
      mail: index % 10 === 9 ? null : `${name}@contoso.example`,
      userPrincipalName: `${name}.upn@contoso.example`,
      availability,
      activity,
    };
  });
}

/**
 * The Teams connection settings that point the bridge at this stand-in (its tenant, app and URLs), with
 * whatever a test adds or overrides.
 */
export function standInConnection(
  standIn: Pick<MicrosoftStandIn, 'tenantId' | 'clientId' | 'clientSecret' | 'graphBaseUrl' | 'loginBaseUrl'>,
  extra: Partial<TeamsConnection> = {},
): TeamsConnection {
  return {
    tenantId: standIn.tenantId,
    clientId: standIn.clientId,
    clientSecret: standIn.clientSecret,
    clientStates: [],
    graphApiBaseUrl: standIn.graphBaseUrl,
    microsoftLoginBaseUrl: standIn.loginBaseUrl,
    ...extra,
  };
}
