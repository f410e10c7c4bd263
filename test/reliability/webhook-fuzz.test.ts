/**
 * A fuzz pass over every webhook route (docs/architecture.md, bad input: malformed input gets 400 and changes
 * nothing; bodies over 1 MiB get 413; failed verification 401/403). Malformed JSON, truncated valid payloads,
 * valid-looking JSON of the wrong shape, bodies over 1 MiB, deeply nested JSON, non-UTF-8 bytes, empty
 * bodies, wrong content types and encodings, huge and many headers, and broken HTTP framing — sent over real
 * HTTP, many of them correctly authenticated so they get past verification to the parser.
 *
 * Two targets:
 * - the real local bridge (`startLocalBridge` via startTestBridge): the composition root as shipped.
 *   A route whose system the bridge does not (yet) configure answers 503 "not configured" — the
 *   contract's answer for that case — and the test says which routes did;
 * - the production express adapter + webhook core with EVERY source configured (Zoom secret, Teams
 *   clientState and a known subscription, RingCentral token) over an embedded store,
 *   so each source's parser and verifier is fuzzed even where the composition root does not wire it.
 *
 * After every request: the status is 4xx (or that 503), the process answers /healthz, the store holds
 * no new record and the queue no new key; and for the real bridge, Genesys got no write. One exception
 * to "4xx", by the sources' design: well-formed, authenticated JSON that is simply not a notification
 * the bridge uses (e.g. `{"value":[[…]]}` with a valid RingCentral token) is acknowledged 2xx
 * `{"status":"ignored"}` — Zoom retries and RingCentral blacklists endpoints that answer errors — and
 * still records nothing.
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/logger';
import { DEFAULT_PRESENCE_MAPPING } from '../../src/presence';
import { MemoryKeyQueue } from '../../src/queue/memory';
import type { LocalBridge } from '../../src/server';
import { createRingCentralWebhookSource } from '../../src/sources/ringcentral/webhook';
import { createTeamsLifecycleWebhookSource, createTeamsWebhookSource } from '../../src/sources/teams/webhook';
import { createZoomWebhookSource } from '../../src/sources/zoom/webhook';
import { signZoomRequest } from '../../src/sources/zoom/verify';
import { openEmbeddedStore, type EmbeddedStateStore } from '../../src/store/embedded';
import { createExpressApp } from '../../src/webhooks/adapters/express';
import { handleWebhook, MAX_BODY_BYTES } from '../../src/webhooks/handle-webhook';
import { startTestBridge, ZOOM_SECRET, zoomPresenceBody } from '../helpers/local-bridge';

const TEAMS_CLIENT_STATE = 'fuzz-client-state-secret';
const TEAMS_SUBSCRIPTION = '7f105c7d-2dc5-4530-97cd-4e7ae6534c07';
const RC_TOKEN = 'fuzz-ringcentral-verification-token';

type RouteName = 'zoom' | 'teams' | 'teams-lifecycle' | 'ringcentral';

interface Route {
  readonly name: RouteName;
  readonly path: string;
  /** A valid, verifiable notification (what truncations and byte mutations start from). */
  readonly valid: Buffer;
  /** Headers that authenticate `body` (Zoom signs the exact bytes; Teams carries clientState in the body). */
  authenticate(body: Buffer): Record<string, string>;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

const ROUTES: readonly Route[] = [
  {
    name: 'zoom',
    path: '/webhooks/zoom',
    valid: zoomPresenceBody({ email: 'alice@example.com', status: 'In_Meeting', at: nowSeconds() }),
    authenticate: (body) => ({ ...signZoomRequest(ZOOM_SECRET, body, nowSeconds()) }),
  },
  {
    name: 'teams',
    path: '/webhooks/teams',
    valid: Buffer.from(
      JSON.stringify({
        value: [
          {
            subscriptionId: TEAMS_SUBSCRIPTION,
            clientState: TEAMS_CLIENT_STATE,
            changeType: 'updated',
            tenantId: 'bb8775a4-4d8c-42cf-a1d4-4d58c2bb668f',
            resource: 'communications/presences/6a1b2c3d-0000-4000-8000-000000000001',
            resourceData: { id: '6a1b2c3d-0000-4000-8000-000000000001' },
            subscriptionExpirationDateTime: '2030-01-01T00:00:00.0000000Z',
          },
        ],
      }),
    ),
    authenticate: () => ({}),
  },
  {
    name: 'teams-lifecycle',
    path: '/webhooks/teams/lifecycle',
    valid: Buffer.from(
      JSON.stringify({
        value: [
          {
            subscriptionId: TEAMS_SUBSCRIPTION,
            clientState: TEAMS_CLIENT_STATE,
            lifecycleEvent: 'reauthorizationRequired',
            tenantId: 'bb8775a4-4d8c-42cf-a1d4-4d58c2bb668f',
            resource: 'communications/presences',
            subscriptionExpirationDateTime: '2030-01-01T00:00:00.0000000Z',
          },
        ],
      }),
    ),
    authenticate: () => ({}),
  },
  {
    name: 'ringcentral',
    path: '/webhooks/ringcentral',
    valid: Buffer.from(
      JSON.stringify({
        uuid: '045b81dc-9f73-4864-84de-08aa6324a7f5',
        event: '/restapi/v1.0/account/~/extension/6610372004/presence?detailedTelephonyState=true',
        timestamp: '2026-02-18T09:37:24.597Z',
        subscriptionId: '9d38419f-645f-4ee3-a053-8cf1368c21c4',
        ownerId: '6610372004',
        body: { extensionId: '6610372004', telephonyStatus: 'CallConnected', sequence: 2698, presenceStatus: 'Busy', dndStatus: 'TakeAllCalls' },
      }),
    ),
    authenticate: () => ({ 'verification-token': RC_TOKEN }),
  },
];

interface FuzzInput {
  readonly body: Buffer;
  readonly headers: Record<string, string>;
  /** An exact status the contract names for this input (e.g. 413), if any. */
  readonly expect?: number;
  /**
   * Well-formed, authenticated JSON that merely is not a notification the bridge uses: Zoom and
   * RingCentral acknowledge those with 2xx `{"status":"ignored"}` by design (Zoom retries and
   * RingCentral blacklists endpoints on errors; see their webhook.ts). Still nothing may be recorded.
   */
  readonly mayBeIgnored?: boolean;
  readonly label: string;
}

/** Adds a short description for fast-check's counterexample report (bodies can be megabytes). */
function input(fields: FuzzInput): FuzzInput {
  return Object.assign(fields, { [fc.toStringMethod]: () => `${fields.label} (${fields.body.length} bytes)` });
}

interface Target {
  readonly url: string;
  /** Routes whose system is not configured: they may answer 503 "not configured". */
  readonly unconfigured: Set<string>;
  /** What a request may not change: records in the store, keys in the queue, Genesys writes. */
  counters(): Promise<Record<string, number>>;
}

type NothingRecorded = (label: string) => Promise<void>;

async function send(target: Target, route: Route, fuzz: FuzzInput): Promise<{ status: number; text: string }> {
  const response = await fetch(`${target.url}${route.path}`, {
    method: 'POST',
    headers: fuzz.headers,
    body: fuzz.body,
    signal: AbortSignal.timeout(20_000),
  });
  return { status: response.status, text: await response.text() };
}

async function assertHealthy(target: Target): Promise<void> {
  const response = await fetch(`${target.url}/healthz`, { signal: AbortSignal.timeout(10_000) });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok' });
}

/** Sends one input and checks the whole outcome. */
async function check(target: Target, route: Route, fuzz: FuzzInput, nothingRecorded: NothingRecorded): Promise<void> {
  const { status, text } = await send(target, route, fuzz);
  const unconfigured = status === 503 && target.unconfigured.has(route.path);
  const ignored = fuzz.mayBeIgnored === true && status >= 200 && status < 300 && /"status":"ignored"/.test(text);
  const allowed = (status >= 400 && status < 500) || unconfigured || ignored;
  const exact = fuzz.expect === undefined || status === fuzz.expect || (unconfigured && fuzz.expect !== 413 && fuzz.expect !== 431);
  if (!allowed || !exact) {
    throw new Error(
      `${route.path} answered ${status} ${text.slice(0, 200)} to ${fuzz.label} (${fuzz.body.length} bytes${fuzz.expect ? `, expected ${fuzz.expect}` : ''})`,
    );
  }
  await nothingRecorded(`${route.path} ${fuzz.label}`);
}

// ── Generators ───────────────────────────────────────────────────────────────────────────────────────

const json = { 'content-type': 'application/json' };

/** Authenticated or not: authenticated inputs get past verification and exercise the parser. */
function withAuth(route: Route, body: Buffer, authenticated: boolean, extra: Record<string, string> = json): Record<string, string> {
  return { ...extra, ...(authenticated ? route.authenticate(body) : {}) };
}

function isWellFormedJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const malformedArb = (route: Route) =>
  fc
    .tuple(
      fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.string({ maxLength: 400 }), fc.stringMatching(/^[{}[\]",:0-9a-z\\ ]{0,200}$/)),
      fc.boolean(),
    )
    .map(([text, auth]): FuzzInput => {
      const body = Buffer.from(text, 'utf8');
      // The text pattern sometimes forms well-formed JSON (`{}`, `[]`, `"a"`): then, authenticated, it is
      // "JSON of the wrong shape" and may be acknowledged as ignored (see the file comment).
      const mayBeIgnored = auth && isWellFormedJson(text);
      return input({ body, headers: withAuth(route, body, auth), mayBeIgnored, label: `malformed text ${JSON.stringify(text.slice(0, 60))}` });
    });

const wrongShapeArb = (route: Route) =>
  fc.tuple(fc.json({ maxDepth: 4 }), fc.boolean()).map(([text, auth]): FuzzInput => {
    const body = Buffer.from(text, 'utf8');
    return input({ body, headers: withAuth(route, body, auth), mayBeIgnored: auth, label: `JSON of the wrong shape ${text.slice(0, 60)}` });
  });

const truncatedArb = (route: Route) =>
  fc.tuple(fc.nat({ max: route.valid.length - 1 }), fc.boolean()).map(([length, auth]): FuzzInput => {
    const body = route.valid.subarray(0, length);
    return input({ body, headers: withAuth(route, body, auth), label: `valid payload truncated to ${length} bytes` });
  });

/** Bytes that can never appear in UTF-8, or that start a sequence left unfinished. */
const badUtf8Arb = fc.constantFrom([0xff], [0xfe], [0xc0, 0x80], [0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80]);

const nonUtf8Arb = (route: Route) =>
  fc.oneof(
    // Inside the valid (authenticated) payload: often inside a JSON string, where JSON.parse alone would not notice.
    fc.tuple(fc.nat(), badUtf8Arb).map(([at, bad]): FuzzInput => {
      const text = route.valid.toString('latin1');
      // Prefer positions inside string values: right after an opening quote of a value.
      const quotes = [...text.matchAll(/:"/g)].map((m) => (m.index ?? 0) + 2);
      const position = quotes.length > 0 ? quotes[at % quotes.length] : at % route.valid.length;
      const body = Buffer.concat([route.valid.subarray(0, position), Buffer.from(bad), route.valid.subarray(position)]);
      // Teams carries its secret (clientState) and subscription id in the body: bytes there fail verification (403) first.
      const expect = route.name.startsWith('teams') ? undefined : 400;
      return input({ body, headers: withAuth(route, body, true), expect, label: `valid payload with bytes ${bad.map((b) => b.toString(16))} at ${position}` });
    }),
    // Random bytes, authenticated or not.
    fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 600 }), fc.boolean()).map(([bytes, auth]): FuzzInput => {
      const body = Buffer.from(bytes);
      return input({ body, headers: withAuth(route, body, auth), label: 'random bytes' });
    }),
  );

const DEPTH = 100_000;
/** The field of each valid payload that the parser needs, replaced by a deep structure. */
const DEEP_FIELD: Record<RouteName, string> = { zoom: 'payload', teams: 'value', 'teams-lifecycle': 'value', ringcentral: 'body' };
/**
 * Nested arrays, never valid where an object or a list of objects is required. (Nested *objects*
 * under RingCentral's `body` would be a well-formed presence notification without presence fields,
 * which the source records as "skip" by design: unknown values map to skip.) Built as text:
 * JSON.stringify itself would overflow the stack on such a value.
 */
function withDeepField(route: Route): Buffer {
  const rest = JSON.parse(route.valid.toString('utf8')) as Record<string, unknown>;
  delete rest[DEEP_FIELD[route.name]];
  const deep = '['.repeat(DEPTH) + '{}' + ']'.repeat(DEPTH);
  return Buffer.from(`${JSON.stringify(rest).slice(0, -1)},"${DEEP_FIELD[route.name]}":${deep}}`);
}
/** `wellFormed`: valid JSON (only absurdly deep), which an authenticated sender may get `ignored` for. */
const deepBodies = (route: Route): Array<{ label: string; body: Buffer; wellFormed?: boolean }> => [
  { label: `${DEPTH} × "["`, body: Buffer.from('['.repeat(DEPTH)) },
  { label: `${DEPTH} nested arrays`, body: Buffer.from('['.repeat(DEPTH) + ']'.repeat(DEPTH)), wellFormed: true },
  { label: `${DEPTH} nested objects`, body: Buffer.from('{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH)), wellFormed: true },
  { label: `the valid payload with "${DEEP_FIELD[route.name]}" replaced by ${DEPTH} nested arrays`, body: withDeepField(route) },
  { label: `${DEPTH} nested arrays inside "value"`, body: Buffer.from(`{"value":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}`), wellFormed: true },
];

const hugeArb = (route: Route) =>
  fc.tuple(fc.integer({ min: 1, max: 64 * 1024 }), fc.constantFrom('pad-valid', 'garbage'), fc.boolean()).map(([extra, kind, auth]): FuzzInput => {
    const size = MAX_BODY_BYTES + extra;
    // A valid notification padded with JSON whitespace is still valid JSON: only its size is wrong.
    const body = kind === 'pad-valid' ? Buffer.concat([route.valid, Buffer.alloc(size - route.valid.length, 0x20)]) : Buffer.alloc(size, 0x7b /* { */);
    return input({ body, headers: withAuth(route, body, auth), expect: 413, label: `${kind} body of ${size} bytes` });
  });

const contentTypeArb = (route: Route) =>
  fc
    .tuple(
      fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=----x',
        'application/octet-stream',
        'application/json; charset=utf-16',
        'application/xml',
        'image/png',
        '*/*',
        'application/json; charset=',
        ';;;',
      ),
      fc.oneof(fc.constant('a=1&b=2'), fc.string({ maxLength: 100 }), fc.constant('<xml/>')),
      fc.boolean(),
    )
    .map(([contentType, text, auth]): FuzzInput => {
      const body = Buffer.from(text);
      return input({ body, headers: withAuth(route, body, auth, { 'content-type': contentType }), label: `content-type ${contentType}` });
    });

/** Content-Encoding tricks: express.raw inflates, so the limit and the parser apply to what comes out. */
const encodingCases = (route: Route): FuzzInput[] => {
  const bomb = zlib.gzipSync(Buffer.alloc(2 * MAX_BODY_BYTES, 0x20));
  const gzMalformed = zlib.gzipSync(Buffer.from('{"event":'));
  return [
    { body: bomb, headers: { ...json, 'content-encoding': 'gzip' }, expect: 413, label: 'gzip bomb (2 MiB inflated)' },
    { body: Buffer.from('not gzip at all'), headers: { ...json, 'content-encoding': 'gzip' }, label: 'gzip header, plain body' },
    { body: Buffer.from('whatever'), headers: { ...json, 'content-encoding': 'x-unknown' }, label: 'unknown content-encoding' },
    { body: gzMalformed, headers: { ...json, 'content-encoding': 'gzip', ...route.authenticate(gzMalformed) }, label: 'gzip of malformed JSON' },
    { body: zlib.deflateSync(route.valid).subarray(0, 10), headers: { ...json, 'content-encoding': 'deflate' }, label: 'truncated deflate stream' },
  ];
};

const headerCases = (route: Route): FuzzInput[] => {
  const many: Record<string, string> = { ...json };
  for (let i = 0; i < 300; i += 1) many[`x-fuzz-${i}`] = 'v'.repeat(20);
  // The valid payload missing its last byte: malformed, whatever the headers say.
  const almost = route.valid.subarray(0, route.valid.length - 1);
  return [
    {
      body: route.valid,
      headers: { ...json, ...route.authenticate(route.valid), 'x-huge': 'h'.repeat(20 * 1024) },
      expect: 431,
      label: '20 KiB header on a valid request',
    },
    {
      body: almost,
      headers: { ...json, 'x-zm-signature': `v0=${'a'.repeat(12 * 1024)}`, 'verification-token': 't'.repeat(2048) },
      label: 'oversized auth headers',
    },
    { body: Buffer.from('{'), headers: many, label: '300 extra headers' },
    { body: Buffer.alloc(0), headers: { ...json, ...route.authenticate(Buffer.alloc(0)) }, label: 'empty body, authenticated' },
    { body: Buffer.alloc(0), headers: {}, label: 'empty body, no headers at all' },
  ];
};

/** Broken HTTP framing, written on a raw socket: the server must answer 400 or just drop the request. */
const rawRequests = (route: Route, host: string): Array<{ label: string; bytes: string }> => [
  {
    label: 'declared length longer than the body',
    bytes: `POST ${route.path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"a":1}`,
  },
  { label: 'broken chunked encoding', bytes: `POST ${route.path} HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nhello\r\n0\r\n\r\n` },
  {
    label: 'Content-Length and Transfer-Encoding together',
    bytes: `POST ${route.path} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
  },
  { label: 'declared length over 1 MiB', bytes: `POST ${route.path} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ${MAX_BODY_BYTES * 4}\r\n\r\n{"a":` },
  { label: 'garbage request line', bytes: `\u0000\u0001POST ${route.path} HTTP/9.9\r\n\r\n` },
];

/** Sends raw bytes, half-closes, and returns the status line's code (or undefined if the server just closed). */
function sendRaw(url: string, bytes: string): Promise<number | undefined> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let answer = '';
    socket.setTimeout(10_000, () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.on('connect', () => {
      socket.write(bytes, 'latin1');
      socket.end();
    });
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? resolve(parse()) : reject(error)));
    socket.on('close', () => resolve(parse()));
    const parse = () => {
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(answer);
      return match ? Number(match[1]) : undefined;
    };
  });
}

// ── The pass, run against each target ───────────────────────────────────────────────────────────────

function fuzzSuite(name: string, setup: () => Promise<{ target: Target; teardown: () => Promise<void> }>) {
  describe(name, () => {
    let target: Target;
    let teardown: () => Promise<void>;
    beforeAll(async () => {
      ({ target, teardown } = await setup());
    });
    // Compared per test, so one failure does not cascade into the tests after it.
    let baseline: Record<string, number>;
    beforeEach(async () => {
      baseline = await target.counters();
    });
    const nothingRecorded: NothingRecorded = async (label) => {
      const now = await target.counters();
      if (JSON.stringify(now) !== JSON.stringify(baseline)) {
        throw new Error(`${label} recorded something: before ${JSON.stringify(baseline)}, after ${JSON.stringify(now)}`);
      }
    };
    afterAll(async () => {
      await teardown?.();
    });

    const runs = (n: number) => ({ numRuns: n, endOnFailure: true });

    describe.each(ROUTES.map((route) => [route.path, route] as const))('%s', (_path, route) => {
      it('malformed text, wrong-shape JSON and truncated valid payloads → 4xx, nothing recorded', async () => {
        await fc.assert(
          fc.asyncProperty(malformedArb(route), (fuzz) => check(target, route, fuzz, nothingRecorded)),
          runs(40),
        );
        await fc.assert(
          fc.asyncProperty(wrongShapeArb(route), (fuzz) => check(target, route, fuzz, nothingRecorded)),
          runs(40),
        );
        await fc.assert(
          fc.asyncProperty(truncatedArb(route), (fuzz) => check(target, route, fuzz, nothingRecorded)),
          runs(40),
        );
        await assertHealthy(target);
      });

      it('non-UTF-8 bytes, also inside a valid payload → 4xx, nothing recorded', async () => {
        await fc.assert(
          fc.asyncProperty(nonUtf8Arb(route), (fuzz) => check(target, route, fuzz, nothingRecorded)),
          runs(40),
        );
        await assertHealthy(target);
      });

      it('deeply nested JSON (100 000 levels) → 4xx, nothing recorded, no crash', async () => {
        for (const { label, body, wellFormed } of deepBodies(route)) {
          await check(target, route, input({ body, headers: withAuth(route, body, true), mayBeIgnored: wellFormed, label }), nothingRecorded);
          await check(target, route, input({ body, headers: withAuth(route, body, false), label: `${label}, unauthenticated` }), nothingRecorded);
        }
        await assertHealthy(target);
      });

      it('bodies over 1 MiB → 413, nothing recorded', async () => {
        await fc.assert(
          fc.asyncProperty(hugeArb(route), (fuzz) => check(target, route, fuzz, nothingRecorded)),
          runs(3),
        );
        await assertHealthy(target);
      });

      it('wrong content types and encodings, huge and many headers, empty bodies → 4xx, nothing recorded', async () => {
        await fc.assert(
          fc.asyncProperty(contentTypeArb(route), (fuzz) => check(target, route, fuzz, nothingRecorded)),
          runs(20),
        );
        for (const fuzz of [...encodingCases(route), ...headerCases(route)]) await check(target, route, input(fuzz), nothingRecorded);
        await assertHealthy(target);
      });

      it('broken HTTP framing → 4xx or a closed connection, nothing recorded', async () => {
        const host = new URL(target.url).host;
        for (const { label, bytes } of rawRequests(route, host)) {
          const status = await sendRaw(target.url, bytes);
          if (status !== undefined && !(status >= 400 && status < 500) && !(status === 503 && target.unconfigured.has(route.path))) {
            throw new Error(`${route.path} answered ${status} to ${label}`);
          }
          await nothingRecorded(`${route.path} ${label}`);
        }
        await assertHealthy(target);
      });
    });
  });
}

/** Which routes answer 503 "not configured" (asked once, with an empty JSON object). */
async function unconfiguredRoutes(url: string): Promise<Set<string>> {
  const found = new Set<string>();
  for (const route of ROUTES) {
    const response = await fetch(`${url}${route.path}`, { method: 'POST', headers: json, body: '{}' });
    const text = await response.text();
    if (response.status === 503 && /not configured/i.test(text)) found.add(route.path);
  }
  return found;
}

fuzzSuite('the local bridge as shipped (startLocalBridge)', async () => {
  const bridge: LocalBridge = await startTestBridge({ TEAMS_CLIENT_STATE, RINGCENTRAL_VERIFICATION_TOKEN: RC_TOKEN });
  const unconfigured = await unconfiguredRoutes(bridge.url);
  console.log(`routes answering 503 "not configured" in the shipped bridge: ${[...unconfigured].join(', ') || 'none'}`);
  const target: Target = {
    url: bridge.url,
    unconfigured,
    counters: async () => ({
      records: (await bridge.parts.store.list()).length,
      queued: bridge.queue.size,
      genesysWrites: bridge.sandbox!.presenceWrites.length,
    }),
  };
  return {
    target,
    teardown: async () => {
      expect(bridge.sandbox!.violations).toEqual([]);
      await bridge.stop();
    },
  };
});

fuzzSuite('every source configured (express adapter + webhook core + embedded store)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-fuzz-'));
  const store: EmbeddedStateStore = await openEmbeddedStore(dir);
  const queue = new MemoryKeyQueue(); // never started: anything enqueued stays visible in `size`
  const config = loadConfig({ PORT: '0', BRIDGE_DATA_DIR: dir, ZOOM_WEBHOOK_SECRET_TOKEN: ZOOM_SECRET, RINGCENTRAL_VERIFICATION_TOKEN: RC_TOKEN });
  const teamsDeps = { clientStates: [TEAMS_CLIENT_STATE], isKnownSubscription: (id: string) => id === TEAMS_SUBSCRIPTION };
  const sources = [
    createZoomWebhookSource(config.zoom),
    createTeamsWebhookSource(teamsDeps),
    createTeamsLifecycleWebhookSource(teamsDeps),
    createRingCentralWebhookSource(config.ringcentral),
  ];
  const deps = { sources, store, queue, mapping: DEFAULT_PRESENCE_MAPPING, now: Date.now, logger: silentLogger };
  const app = createExpressApp({ webhookPaths: sources.map((s) => s.path), handle: (request) => handleWebhook(request, deps) });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as net.AddressInfo;

  // The valid payloads really are accepted here (otherwise "rejected" would prove nothing), then forgotten.
  const probe = await fetch(`http://127.0.0.1:${port}${ROUTES[0].path}`, {
    method: 'POST',
    headers: { ...json, ...ROUTES[0].authenticate(ROUTES[0].valid) },
    body: ROUTES[0].valid,
  });
  expect(probe.status).toBe(200);
  for (const route of ROUTES.slice(1)) {
    const outcome = await sources
      .find((s) => s.path === route.path)!
      .handle({
        method: 'POST',
        path: route.path,
        query: {},
        headers: { ...json, ...route.authenticate(route.valid) },
        body: route.valid,
        receivedAt: Date.now(),
      });
    expect({ route: route.path, kind: outcome.kind }).toEqual({ route: route.path, kind: 'accepted' });
  }
  const target: Target = {
    url: `http://127.0.0.1:${port}`,
    unconfigured: new Set(),
    counters: async () => ({ records: (await store.list()).length, queued: queue.size }),
  };
  return {
    target,
    teardown: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await queue.stop();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
