/**
 * One contract suite, run through both adapters (express over real HTTP, Lambda with HTTP API v2
 * events): the core must see exactly the bytes, headers and query the sender sent.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEmbeddedStore } from '../../../src/store/embedded';
import { createExpressApp } from '../../../src/webhooks/adapters/express';
import { checkHealth } from '../../../src/webhooks/health';
import { createHttpApiHandler } from '../../../src/webhooks/adapters/lambda';
import type { InboundRequest, OutboundResponse } from '../../../src/webhooks/types';

interface Sent {
  method: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
  body?: Buffer;
}
interface Received {
  status: number;
  headers: Record<string, string>;
  body: string;
}
interface Runtime {
  name: string;
  start(handle: (r: InboundRequest) => Promise<OutboundResponse>, health?: () => Promise<OutboundResponse>): Promise<(s: Sent) => Promise<Received>>;
  stop(): Promise<void>;
}

const paths = ['/webhooks/zoom', '/webhooks/teams'];

function expressRuntime(): Runtime {
  let server: http.Server | undefined;
  return {
    name: 'express',
    async start(handle, health) {
      const app = createExpressApp({ webhookPaths: paths, handle, health });
      server = await new Promise<http.Server>((resolve) => {
        const s = app.listen(0, '127.0.0.1', () => resolve(s));
      });
      const port = (server.address() as AddressInfo).port;
      return async (sent) => {
        const response = await fetch(`http://127.0.0.1:${port}${sent.path}${sent.query ? `?${sent.query}` : ''}`, {
          method: sent.method,
          headers: sent.headers,
          body: sent.body,
        });
        return {
          status: response.status,
          headers: Object.fromEntries(response.headers.entries()),
          body: await response.text(),
        };
      };
    },
    async stop() {
      await new Promise((resolve) => server?.close(resolve));
    },
  };
}

function lambdaRuntime(): Runtime {
  return {
    name: 'lambda',
    async start(handle, health) {
      const handler = createHttpApiHandler(handle, Date.now, health);
      return async (sent) => {
        const result = await handler({
          rawPath: sent.path,
          rawQueryString: sent.query ?? '',
          headers: Object.fromEntries(Object.entries(sent.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
          body: sent.body ? sent.body.toString('base64') : undefined,
          isBase64Encoded: sent.body !== undefined,
          requestContext: { http: { method: sent.method, path: sent.path } },
        });
        return { status: result.statusCode, headers: result.headers, body: result.body };
      };
    },
    async stop() {},
  };
}

describe.each([expressRuntime, lambdaRuntime])('adapter contract: %p', (makeRuntime) => {
  const runtime = makeRuntime();
  const seen: InboundRequest[] = [];
  let send: (s: Sent) => Promise<Received>;

  beforeAll(async () => {
    send = await runtime.start(async (request) => {
      seen.push(request);
      return { status: 202, headers: { 'content-type': 'text/plain', 'x-echo': 'yes' }, body: 'ok' };
    });
  });
  afterAll(() => runtime.stop());
  beforeEach(() => (seen.length = 0));

  it('passes the exact raw bytes, including non-UTF-8 and odd JSON spacing', async () => {
    const body = Buffer.concat([Buffer.from('{ "a" :1,\n"b":"\\u00e9"}'), Buffer.from([0xff, 0xfe, 0x00])]);
    const received = await send({ method: 'POST', path: '/webhooks/zoom', headers: { 'content-type': 'application/json' }, body });
    expect(received.status).toBe(202);
    expect(received.headers['x-echo']).toBe('yes');
    expect(received.body).toBe('ok');
    expect(seen[0].body.equals(body)).toBe(true);
  });

  it('lower-cases header names and decodes the query once (validationToken with spaces)', async () => {
    const token = 'Validation: Testing client application reachability for subscription Request-Id: 877cb92e';
    await send({
      method: 'POST',
      path: '/webhooks/teams',
      query: `validationToken=${encodeURIComponent(token)}`,
      headers: { 'X-ZM-Signature': 'v0=abc', 'content-type': 'text/plain' },
      body: Buffer.alloc(0),
    });
    expect(seen[0].query.validationToken).toBe(token);
    expect(seen[0].headers['x-zm-signature']).toBe('v0=abc');
    expect(seen[0].path).toBe('/webhooks/teams');
    expect(seen[0].method).toBe('POST');
  });

  it('answers 413 for a body over 1 MiB without calling the core', async () => {
    const received = await send({ method: 'POST', path: '/webhooks/zoom', body: Buffer.alloc(1024 * 1024 + 1, 0x61) });
    expect(received.status).toBe(413);
    expect(seen).toHaveLength(0);
  });

  it('accepts a body of exactly 1 MiB', async () => {
    const received = await send({ method: 'POST', path: '/webhooks/zoom', body: Buffer.alloc(1024 * 1024, 0x61) });
    expect(received.status).toBe(202);
    expect(seen[0].body.length).toBe(1024 * 1024);
  });

  it('serves GET /healthz', async () => {
    const received = await send({ method: 'GET', path: '/healthz' });
    expect(received.status).toBe(200);
    expect(JSON.parse(received.body)).toEqual({ status: 'ok' });
  });
});

describe.each([expressRuntime, lambdaRuntime])('GET /healthz over a real store: %p', (makeRuntime) => {
  const runtime = makeRuntime();
  afterAll(() => runtime.stop());

  it('answers 200 while the store writes, 503 once it cannot, and 503 while stopping', async () => {
    const store = await openEmbeddedStore(fs.mkdtempSync(path.join(os.tmpdir(), 'healthz-')));
    let stopping = false;
    const send = await runtime.start(
      async () => ({ status: 202, headers: {}, body: '' }),
      () => checkHealth({ checkWritable: () => store.checkWritable(), isStopping: () => stopping }),
    );
    const healthz = async () => {
      const received = await send({ method: 'GET', path: '/healthz' });
      return { status: received.status, body: JSON.parse(received.body), cache: received.headers['cache-control'] };
    };

    expect(await healthz()).toEqual({ status: 200, body: { status: 'ok' }, cache: 'no-store' });
    stopping = true;
    expect(await healthz()).toMatchObject({ status: 503, body: { status: 'shutting-down' } });
    stopping = false;
    await store.close(); // every write now fails, as a full disk or a lost connection would
    expect(await healthz()).toMatchObject({ status: 503, body: { status: 'unavailable', reason: 'the store cannot write' } });
  });
});
