/** Small HTTP helpers shared by the Microsoft sandbox's servers (node:http, no framework: it imitates wire details). */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface DeliveryResult {
  readonly status: number;
  readonly body: string;
}

export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function send(res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

/** Graph's error shape (https://learn.microsoft.com/graph/errors). */
export function graphError(res: http.ServerResponse, status: number, code: string, message: string): void {
  send(res, status, { error: { code, message, innerError: { 'request-id': randomUUID(), date: new Date().toISOString() } } });
}

/** Listens on 127.0.0.1 (port 0 unless given) and resolves with the port. */
export function listen(server: http.Server | https.Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export function closeServer(server: http.Server | https.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

export function postText(url: string, contentType: string, body: string, timeoutMs: number): Promise<DeliveryResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', headers: { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) }, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** True for a request from this machine (the admin route answers only those). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
