/**
 * OAuth client-credentials tokens (docs/vendors.md#genesys-client-credentials): `POST /oauth/token` with
 * HTTP Basic `client_id:client_secret` and form body `grant_type=client_credentials` answers
 * `{access_token, token_type, expires_in}`. There is no refresh; a client asks for a new token.
 * Tokens live in memory only: after a sandbox restart clients must log in again, like after expiry.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export type TokenCheck = 'valid' | 'missing' | 'unknown' | 'expired';

/** The answer to a token request: a status and a JSON body. */
export interface TokenResponse {
  status: number;
  body: Record<string, unknown>;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Issues and checks bearer tokens for one client id/secret pair. */
export class SandboxTokens {
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly clientId: string,
    private readonly clientSecret: string,
    private readonly ttlSeconds: number,
    private readonly now: () => number,
  ) {}

  /** Handles `POST /oauth/token`; `form` is the url-encoded body. */
  issue(authorization: string | undefined, form: URLSearchParams): TokenResponse {
    const credentials = parseBasic(authorization);
    if (!credentials || !sameText(credentials.id, this.clientId) || !sameText(credentials.secret, this.clientSecret)) {
      return invalid(401, 'invalid_client', 'client not found');
    }
    const grant = form.get('grant_type');
    if (grant !== 'client_credentials') {
      return invalid(400, 'unsupported_grant_type', `grant_type ${grant ?? '(missing)'} is not supported`);
    }
    const token = randomBytes(48).toString('base64url');
    this.expiries.set(token, this.now() + this.ttlSeconds * 1000);
    return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: this.ttlSeconds } };
  }

  /** Extracts the bearer token of an Authorization header, if any. */
  static bearerOf(authorization: string | undefined): string | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    return match?.[1];
  }

  /** Checks a bearer token. */
  check(token: string | undefined): TokenCheck {
    if (token === undefined) return 'missing';
    const expiry = this.expiries.get(token);
    if (expiry === undefined) return 'unknown';
    return expiry > this.now() ? 'valid' : 'expired';
  }

  /** Every token issued so far answers 401 from now on. */
  expireAll(): void {
    for (const token of this.expiries.keys()) this.expiries.set(token, Number.NEGATIVE_INFINITY);
  }
}

function parseBasic(authorization: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

function invalid(status: number, error: string, description: string): TokenResponse {
  // Genesys login errors are OAuth-style, not Platform API error bodies.
  return { status, body: { error, description, error_description: description } };
}
