/**
 * Test support for the Teams source: an in-memory DocumentStore, and a minimal HTTP front for the
 * webhook sources on 127.0.0.1:0 (the stand-in's handshake and deliveries go over real HTTP).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PresenceEvent } from '../../../src/presence';
import type { QueueMessage } from '../../../src/queue/key-queue';
import type { DocumentStore } from '../../../src/store/state-store';
import type { InboundRequest, WebhookOutcome, WebhookSource } from '../../../src/webhooks/types';

export interface MemoryDocumentStore extends DocumentStore {
  readonly documents: Map<string, { value: unknown; version: number }>;
}

export function createMemoryDocumentStore(): MemoryDocumentStore {
  const documents = new Map<string, { value: unknown; version: number }>();
  return {
    documents,
    async getDocument<T>(name: string) {
      const entry = documents.get(name);
      return entry ? { value: structuredClone(entry.value) as T, version: entry.version } : undefined;
    },
    async putDocument<T>(name: string, value: T, expectedVersion?: number) {
      const entry = documents.get(name);
      if ((entry?.version ?? undefined) !== expectedVersion) return false;
      documents.set(name, { value: structuredClone(value), version: (entry?.version ?? 0) + 1 });
      return true;
    },
  };
}

export interface WebhookServer {
  readonly baseUrl: string;
  readonly outcomes: Array<{ path: string; outcome: WebhookOutcome }>;
  /** Events of accepted outcomes, in arrival order. */
  readonly events: PresenceEvent[];
  readonly tasks: QueueMessage[];
  close(): Promise<void>;
}

/** Serves the sources like the real adapters: raw body, decoded query, lower-cased headers. */
export async function startWebhookServer(sources: readonly WebhookSource[], now: () => number = Date.now): Promise<WebhookServer> {
  const outcomes: Array<{ path: string; outcome: WebhookOutcome }> = [];
  const events: PresenceEvent[] = [];
  const tasks: QueueMessage[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const source = sources.find((candidate) => candidate.path === url.pathname);
        if (!source) {
          res.writeHead(404).end();
          return;
        }
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers)) {
          if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
        }
        const request: InboundRequest = {
          method: req.method ?? 'POST',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers,
          body: Buffer.concat(chunks),
          receivedAt: now(),
        };
        const outcome = await source.handle(request);
        outcomes.push({ path: url.pathname, outcome });
        switch (outcome.kind) {
          case 'handshake':
            res.writeHead(outcome.response.status, outcome.response.headers).end(outcome.response.body);
            return;
          case 'accepted':
            events.push(...outcome.events);
            tasks.push(...(outcome.tasks ?? []));
            res.writeHead(outcome.ackStatus ?? 200).end();
            return;
          case 'ignored':
            res.writeHead(outcome.ackStatus ?? 200).end();
            return;
          case 'rejected':
            res.writeHead(outcome.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: outcome.reason }));
            return;
        }
      })().catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    outcomes,
    events,
    tasks,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An InboundRequest for direct `handle` calls. */
export function inbound(path: string, body: unknown, options: { query?: Record<string, string>; receivedAt?: number } = {}): InboundRequest {
  return {
    method: 'POST',
    path,
    query: options.query ?? {},
    headers: { 'content-type': 'application/json' },
    body: Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    receivedAt: options.receivedAt ?? Date.now(),
  };
}
