/**
 * A minimal stand-in for API Gateway / a Lambda Function URL on 127.0.0.1: each HTTP request becomes
 * a payload-2.0 event (`rawPath`, lower-cased `headers`, `body` as a UTF-8 string,
 * `requestContext.http.method`), the handler's `{statusCode, headers, body}` becomes the response.
 * The same host runs the vendor's Lambda receiver and the bridge's Lambda adapter, so the two are
 * measured behind identical plumbing. It adds well under a millisecond; what API Gateway adds in
 * production (typically several ms) is not modelled.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FunctionUrlEvent {
  readonly version: '2.0';
  readonly routeKey: '$default';
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly headers: Record<string, string>;
  readonly requestContext: { readonly http: { readonly method: string; readonly path: string; readonly sourceIp: string } };
  readonly body: string;
  readonly isBase64Encoded: false;
}

export interface FunctionUrlResult {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export type LambdaHttpHandler = (event: FunctionUrlEvent, context: Record<string, unknown>) => Promise<FunctionUrlResult>;

export interface LambdaHost {
  readonly url: string;
  close(): Promise<void>;
}

export async function startLambdaHost(handler: LambdaHttpHandler): Promise<LambdaHost> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = new URL(req.url ?? '/', 'http://127.0.0.1');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
      }
      const event: FunctionUrlEvent = {
        version: '2.0',
        routeKey: '$default',
        rawPath: target.pathname,
        rawQueryString: target.search.replace(/^\?/, ''),
        headers,
        requestContext: { http: { method: req.method ?? 'POST', path: target.pathname, sourceIp: '127.0.0.1' } },
        body: Buffer.concat(chunks).toString('utf8'),
        isBase64Encoded: false,
      };
      handler(event, { functionName: 'bench', awsRequestId: 'bench' }).then(
        (result) => {
          res.writeHead(result.statusCode, result.headers ?? {});
          res.end(result.body ?? '');
        },
        () => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end('{"error":"handler threw"}');
        },
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
