/**
 * The RingCentral REST client against the stand-in: JWT login and token cache, 429 penalties per rate
 * group, pacing, typed errors.
 */
import { createRingCentralClient, type RingCentralClientOptions } from '../../../src/sources/ringcentral/client';
import { RingCentralApiError } from '../../../src/sources/ringcentral/ringcentral-errors';
import { RINGCENTRAL_TOKEN_DOCUMENT } from '../../../src/sources/ringcentral/token-cache';
import { startRingCentralStandIn, type RingCentralStandIn } from '../../helpers/ringcentral-stand-in';
import { createFakeClock, createManualClock, createMemoryDocuments, until } from './test-doubles';

let rc: RingCentralStandIn;
let clock: ReturnType<typeof createFakeClock>;

beforeEach(async () => {
  clock = createFakeClock();
  rc = await startRingCentralStandIn({ clock: clock.now, tokenTtlSeconds: 3600 });
});
afterEach(() => rc.close());

function client(extra: Partial<RingCentralClientOptions> = {}) {
  return createRingCentralClient({
    serverUrl: rc.url,
    clientId: rc.clientId,
    clientSecret: rc.clientSecret,
    jwt: rc.jwt,
    now: clock.now,
    sleep: clock.sleep,
    ...extra,
  });
}

const listSubscriptions = { method: 'GET', path: '/restapi/v1.0/subscription', group: 'Light' } as const;
const readPresence = { method: 'GET', path: '/restapi/v1.0/account/~/presence', group: 'Heavy' } as const;

describe('JWT login', () => {
  it('logs in once for 5 concurrent callers (Auth group: 5 logins a minute)', async () => {
    const c = client();
    await Promise.all(Array.from({ length: 5 }, () => c.request(listSubscriptions)));
    expect(rc.logins).toBe(1);
    const login = rc.requestsTo(/oauth\/token/)[0];
    expect(login.body).toEqual({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: rc.jwt });
  });

  it('shares the token through the document store, encrypted, so another process does not log in', async () => {
    const documents = createMemoryDocuments();
    await client({ documents }).request(listSubscriptions);
    await client({ documents }).request(listSubscriptions);
    expect(rc.logins).toBe(1);
    const stored = JSON.stringify(documents.docs.get(RINGCENTRAL_TOKEN_DOCUMENT)?.value);
    expect(stored).not.toContain('at-1-');
  });

  it('logs in again shortly before expires_in runs out', async () => {
    const c = client();
    await c.request(listSubscriptions);
    clock.advance(3600_000 - 30_000);
    await c.request(listSubscriptions);
    expect(rc.logins).toBe(2);
  });

  it('drops a refused token and retries once with a new login', async () => {
    const c = client();
    await c.request(listSubscriptions);
    rc.revokeTokens();
    await c.request(listSubscriptions);
    expect(rc.logins).toBe(2);
  });

  it('says which variables to check when the credentials are wrong', async () => {
    const error = await client({ jwt: 'wrong' })
      .request(listSubscriptions)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RingCentralApiError);
    expect((error as RingCentralApiError).errorCode).toBe('OAU-213');
    expect((error as Error).message).toContain('RINGCENTRAL_JWT');
  });
});

describe('rate limits', () => {
  it('honours Retry-After and pauses every request of the group, not other groups', async () => {
    const manual = createManualClock();
    const c = client({ now: manual.now, sleep: manual.sleep });
    await c.request(listSubscriptions); // login first
    rc.failNext(/\/account\/~\/presence$/, { status: 429, headers: { 'retry-after': '7' }, body: { errorCode: 'CMN-301', message: 'Request rate exceeded' } });
    const heavy = () => rc.requestsTo(/\/account\/~\/presence$/);
    const first = c.request(readPresence);
    await until(() => manual.waiters.length === 1);
    // During the penalty: another Heavy request waits too; a Light one goes through at once.
    const second = c.request(readPresence);
    await c.request(listSubscriptions);
    manual.advance(6999);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(heavy()).toHaveLength(1);
    manual.advance(1);
    await Promise.all([first, second]);
    expect(heavy()).toHaveLength(3);
  });

  it('waits a whole penalty (60 s) when Retry-After is absent', async () => {
    const c = client();
    await c.request(listSubscriptions);
    rc.failNext(/\/account\/~\/presence$/, { status: 429 });
    const t429 = clock.now();
    await c.request(readPresence);
    const [, retry] = rc.requestsTo(/\/account\/~\/presence$/);
    expect(retry.at - t429).toBeGreaterThanOrEqual(60_000);
  });

  it('paces a group to its per-minute limit', async () => {
    const c = client({ rateLimits: { Heavy: 2 } });
    const start = clock.now();
    for (let i = 0; i < 3; i++) await c.request(readPresence);
    const heavy = rc.requestsTo(/\/account\/~\/presence$/);
    expect(heavy[2].at - heavy[0].at).toBeGreaterThanOrEqual(60_000);
    expect(heavy[1].at - start).toBeLessThan(60_000);
  });

  it('retries a 5xx GET with back-off, and gives up with a typed error after the last attempt', async () => {
    const c = client({ maxAttempts: 2 });
    rc.failNext(/\/subscription$/, { status: 503 });
    await expect(c.request(listSubscriptions)).resolves.toBeDefined();
    rc.failNext(/\/subscription$/, { status: 503 });
    rc.failNext(/\/subscription$/, { status: 503 });
    await expect(c.request(listSubscriptions)).rejects.toMatchObject({ status: 503 });
  });
});

describe('typed errors', () => {
  it('names the missing permission and where to grant it', async () => {
    const c = client();
    rc.failNext(/\/account\/~\/presence$/, {
      status: 403,
      body: {
        errorCode: 'CMN-408',
        message: 'In order to call this API endpoint, user needs to have [ReadPresence] permission for requested resource.',
        errors: [
          {
            errorCode: 'CMN-408',
            message: 'In order to call this API endpoint, user needs to have [ReadPresence] permission for requested resource.',
            permissionName: 'ReadPresence',
          },
        ],
      },
    });
    const error = (await c.request(readPresence).catch((e: unknown) => e)) as RingCentralApiError;
    expect(error).toBeInstanceOf(RingCentralApiError);
    expect(error).toMatchObject({ status: 403, errorCode: 'CMN-408', permissionName: 'ReadPresence' });
    expect(error.message).toMatch(/ReadPresence.*Developer Console/);
  });
});
