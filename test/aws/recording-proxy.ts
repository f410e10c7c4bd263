/**
 * A recording reverse proxy for the AWS JSON protocols (DynamoDB, SQS, SSM): each request's
 * `X-Amz-Target` operation and JSON body are recorded, then the request is forwarded unchanged to the
 * stand-in. Used where the caller's SDK clients cannot be reached (the packaged bundle in a child process).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedCall } from './aws-call-recorder';

export interface RecordingProxy {
  readonly url: string;
  close(): Promise<void>;
}

export async function startRecordingProxy(upstream: string, client: string, calls: RecordedCall[]): Promise<RecordingProxy> {
  const target = new URL(upstream);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? 'unknown';
      calls.push({ client, operation, input: body.length > 0 ? JSON.parse(body.toString('utf8')) : {} });
      const forward = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', (error) => {
        res.writeHead(502);
        res.end(String(error));
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
