/**
 * express adapter: converts only, no business rules (docs/architecture.md). Webhook routes get the exact raw bytes
 * (`express.raw`, 1 MiB limit) so verifiers never see re-serialized JSON.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { MAX_BODY_BYTES } from '../handle-webhook';
import type { StatusRequest } from '../../status/status-page';
import type { InboundRequest, OutboundResponse } from '../types';

export interface ExpressAdapterOptions {
  readonly webhookPaths: readonly string[];
  readonly handle: (request: InboundRequest) => Promise<OutboundResponse>;
  /** Answers `GET /healthz` (see health.ts); 200 `{"status":"ok"}` when absent. */
  readonly health?: () => Promise<OutboundResponse>;
  /** Answers `GET /status` and `GET /status.json` (src/status/status-page.ts); 404 when absent. */
  readonly status?: (request: StatusRequest) => Promise<OutboundResponse>;
  /** Extra routers mounted as they are, e.g. the local control routes (src/runtime/local-control.ts). */
  readonly routers?: readonly express.Router[];
}

function flattenHeaders(headers: Request['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function flattenQuery(query: Request['query']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(query ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') flat[name] = first;
  }
  return flat;
}

/** Builds the local HTTP app: the webhook routes and `GET /healthz`. */
export function createExpressApp(options: ExpressAdapterOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.get('/healthz', async (_req, res) => {
    const answer = options.health ? await options.health() : { status: 200, headers: {}, body: '{"status":"ok"}' };
    res.status(answer.status).type('application/json').set(answer.headers).send(answer.body);
  });

  const status = options.status;
  if (status) {
    app.get(['/status', '/status.json'], async (req: Request, res: Response, next: NextFunction) => {
      try {
        const answer = await status({
          method: req.method,
          path: req.path,
          query: flattenQuery(req.query),
          headers: flattenHeaders(req.headers),
          remoteAddress: req.socket.remoteAddress,
        });
        res.status(answer.status).set(answer.headers).send(answer.body);
      } catch (error) {
        next(error);
      }
    });
  }

  for (const router of options.routers ?? []) app.use(router);

  const raw = express.raw({ type: () => true, limit: MAX_BODY_BYTES });
  for (const path of options.webhookPaths) {
    app.all(path, raw, async (req: Request, res: Response, next: NextFunction) => {
      try {
        const inbound: InboundRequest = {
          method: req.method,
          path,
          query: flattenQuery(req.query),
          headers: flattenHeaders(req.headers),
          body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
          receivedAt: Date.now(),
        };
        const outbound = await options.handle(inbound);
        res.status(outbound.status).set(outbound.headers).send(outbound.body);
      } catch (error) {
        next(error);
      }
    });
  }

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not found' });
  });

  // body-parser errors carry a status (413 too large, 415 unsupported encoding, 400 bad length).
  app.use((error: { status?: number; type?: string; message?: string }, _req: Request, res: Response, _next: NextFunction) => {
    void _next;
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    const message = status === 413 ? 'body larger than 1 MiB' : status === 500 ? 'internal error; please retry' : (error.message ?? 'bad request');
    res.status(status).json({ error: message });
  });
  return app;
}
