/**
 * A stand-in for API Gateway's HTTP API in front of a webhook handler: real HTTP requests (vendor
 * deliveries, subscription handshakes) become HTTP API v2 events, base64 bodies included, and the
 * handler's result becomes the HTTP answer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpApiEvent, HttpApiResult } from '../../src/webhooks/adapters/lambda';

export interface HttpApiFront {
  readonly url: string;
  close(): Promise<void>;
}

export async function startHttpApiFront(invoke: (event: HttpApiEvent) => Promise<HttpApiResult>): Promise<HttpApiFront> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
      const event: HttpApiEvent = {
        rawPath: url.pathname,
        rawQueryString: url.search.replace(/^\?/, ''),
        headers,
        body: Buffer.concat(chunks).toString('base64'),
        isBase64Encoded: true,
        requestContext: { http: { method: req.method, path: url.pathname } },
      };
      invoke(event).then(
        (answer) => {
          res.writeHead(answer.statusCode, answer.headers);
          res.end(answer.body);
        },
        (error) => {
          res.writeHead(500);
          res.end(String(error));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
