/**
 * The sandbox's HTTP pipeline: correlation id → request record → body limit → (/oauth/token |
 * /api/v2: latency → faults → bearer auth → per-token rate limit → route) → Genesys-shaped answer.
 * Faults come first because they imitate an outage in front of the platform.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { faultError, genesysErrorBody, SandboxHttpError, SANDBOX_ERROR_CODES } from './sandbox-errors';
import type { SandboxRateLimiter } from './sandbox-rate-limit';
import type { RouteContext, SandboxRouter } from './sandbox-router';
import type { SandboxState } from './sandbox-state';
import { SandboxTokens } from './sandbox-tokens';
import type { SandboxFaults, SandboxPresenceWrite, SandboxRequestRecord, SandboxViolation } from './sandbox-types';

/** `request.bytes.max` = 512000 (https://developer.genesys.cloud/organization/organization/limits#platform-api). */
export const MAX_REQUEST_BYTES = 512_000;

/** Everything the pipeline reads and records; owned by `startGenesysSandbox`. */
export interface SandboxRuntime {
  readonly state: SandboxState;
  readonly tokens: SandboxTokens;
  readonly limiter: SandboxRateLimiter;
  readonly router: SandboxRouter;
  /** Current faults; `failNextRequests` is counted down in place. */
  faults: SandboxFaults;
  readonly requests: SandboxRequestRecord[];
  readonly violations: SandboxViolation[];
  readonly presenceWrites: SandboxPresenceWrite[];
  readonly requestsPerMinutePerToken: number;
  now(): number;
  sleep(ms: number): Promise<void>;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>): void;
}

interface Exchange {
  readonly res: ServerResponse;
  readonly record: SandboxRequestRecord;
  readonly correlationId: string;
  readonly startedAt: number;
}

/** Creates the node:http request listener of a sandbox. */
export function createSandboxListener(runtime: SandboxRuntime): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handleRequest(runtime, req, res);
  };
}

async function handleRequest(runtime: SandboxRuntime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const correlationId = randomUUID();
  const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
  const method = (req.method ?? 'GET').toUpperCase();
  const record: SandboxRequestRecord = {
    at: runtime.now(),
    method,
    path: url.pathname,
    query: url.search.startsWith('?') ? url.search.slice(1) : url.search,
    status: 0,
  };
  const token = SandboxTokens.bearerOf(req.headers.authorization);
  if (token !== undefined) record.token = token;
  runtime.requests.push(record);
  const exchange: Exchange = { res, record, correlationId, startedAt: Date.now() };

  try {
    const body = await readBody(req);
    if (body.tooLarge) {
      throw new SandboxHttpError(
        413,
        SANDBOX_ERROR_CODES.requestTooLarge,
        `The request is larger than the limit of ${MAX_REQUEST_BYTES} bytes (request.bytes.max).`,
      );
    }
    if (url.pathname === '/oauth/token' && method === 'POST') {
      handleToken(runtime, exchange, req, body.bytes);
    } else if (url.pathname.startsWith('/api/v2/')) {
      await handleApi(runtime, exchange, method, url, body.bytes);
    } else {
      throw new SandboxHttpError(404, SANDBOX_ERROR_CODES.notFound, `No resource at ${method} ${url.pathname}.`);
    }
  } catch (error) {
    if (error instanceof SandboxHttpError) {
      sendError(runtime, exchange, error);
    } else {
      runtime.log('error', 'genesys sandbox handler failed', { error: String(error), path: url.pathname });
      sendError(runtime, exchange, new SandboxHttpError(500, SANDBOX_ERROR_CODES.internalServerError, 'Sandbox internal error.'));
    }
  }
}

function handleToken(runtime: SandboxRuntime, exchange: Exchange, req: IncomingMessage, bytes: Buffer): void {
  const form = new URLSearchParams(bytes.toString('utf8'));
  // Keep the grant in the log, never a secret a client might put in the form.
  const logged = Object.fromEntries([...form].filter(([key]) => key !== 'client_secret'));
  exchange.record.body = logged;
  const answer = runtime.tokens.issue(req.headers.authorization, form);
  send(runtime, exchange, answer.status, answer.body, answer.status === 401 ? { 'www-authenticate': 'Basic' } : {});
}

async function handleApi(runtime: SandboxRuntime, exchange: Exchange, method: string, url: URL, bytes: Buffer): Promise<void> {
  const parsed = parseJson(bytes);
  if (parsed.present) exchange.record.body = parsed.ok ? parsed.value : bytes.toString('utf8');

  await applyFaults(runtime, { method, path: url.pathname, body: parsed.present && parsed.ok ? parsed.value : undefined });
  const token = exchange.record.token;
  const check = runtime.tokens.check(token);
  if (check === 'missing') {
    throw new SandboxHttpError(401, SANDBOX_ERROR_CODES.authenticationRequired, 'No authentication bearer token specified in authorization header.');
  }
  if (check !== 'valid' || token === undefined) {
    throw new SandboxHttpError(401, SANDBOX_ERROR_CODES.badCredentials, 'Invalid login credentials.');
  }
  const decision = runtime.limiter.admit(token, runtime.now());
  if (!decision.admitted) {
    throw tooManyRequests(decision.retryAfterSeconds, runtime.requestsPerMinutePerToken);
  }
  if (parsed.present && !parsed.ok) throw new SandboxHttpError(400, SANDBOX_ERROR_CODES.badRequest, 'The request body is not valid JSON.');

  const matched = runtime.router.match(method, url.pathname);
  if (!matched) throw new SandboxHttpError(404, SANDBOX_ERROR_CODES.notFound, `No resource at ${method} ${url.pathname}.`);
  const at = runtime.now();
  const context: RouteContext = {
    method,
    path: url.pathname,
    params: matched.params,
    query: url.searchParams,
    body: parsed.present && parsed.ok ? parsed.value : undefined,
    state: runtime.state,
    faults: runtime.faults,
    now: at,
    violate(reason) {
      runtime.violations.push({ at, method, path: url.pathname, reason });
      runtime.log('warn', 'genesys sandbox violation', { method, path: url.pathname, reason });
    },
    recordWrite(write) {
      runtime.presenceWrites.push({ at, ...write });
    },
  };
  const result = matched.route.handle(context);
  send(runtime, exchange, result.status, result.body);
}

/** Latency, then a 429 storm, then deterministic failures, then random failures. */
async function applyFaults(runtime: SandboxRuntime, request: { method: string; path: string; body: unknown }): Promise<void> {
  const faults = runtime.faults;
  if (faults.latencyMs !== undefined && faults.latencyMs > 0) await runtime.sleep(faults.latencyMs);
  const extra = faults.latencyFor?.(request) ?? 0;
  if (extra > 0) await runtime.sleep(extra);
  if (faults.rateLimitRetryAfterSeconds !== undefined) {
    throw tooManyRequests(faults.rateLimitRetryAfterSeconds, runtime.requestsPerMinutePerToken);
  }
  const status = faults.errorStatus ?? 503;
  if (faults.failNextRequests !== undefined && faults.failNextRequests > 0) {
    faults.failNextRequests -= 1;
    throw faultError(status);
  }
  if (faults.errorRate !== undefined && faults.errorRate > 0 && Math.random() < faults.errorRate) {
    throw faultError(status);
  }
}

/** Genesys answers 429 with `Retry-After` in seconds (docs/vendors.md#genesys-rate-limits). */
function tooManyRequests(retryAfterSeconds: number, limit: number): SandboxHttpError {
  const seconds = Math.max(0, Math.ceil(retryAfterSeconds));
  return new SandboxHttpError(429, SANDBOX_ERROR_CODES.tooManyRequests, `Rate limit exceeded the maximum. [${limit}] requests for [60] seconds.`, {
    'retry-after': String(seconds),
  });
}

function sendError(runtime: SandboxRuntime, exchange: Exchange, error: SandboxHttpError): void {
  send(runtime, exchange, error.status, genesysErrorBody(error.status, error.code, error.message, exchange.correlationId), error.headers);
}

function send(runtime: SandboxRuntime, exchange: Exchange, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const { res, record } = exchange;
  record.status = status;
  runtime.log('debug', 'genesys sandbox request', {
    method: record.method,
    path: record.path,
    status,
    durationMs: Date.now() - exchange.startedAt,
  });
  // The client may have given up (timeouts in tests) or the sandbox may be closing.
  if (res.writableEnded || res.destroyed) return;
  res.setHeader('inin-correlation-id', exchange.correlationId);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

type ParsedJson = { present: false } | { present: true; ok: true; value: unknown } | { present: true; ok: false };

function parseJson(bytes: Buffer): ParsedJson {
  const text = bytes.toString('utf8');
  if (text.trim() === '') return { present: false };
  try {
    return { present: true, ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { present: true, ok: false };
  }
}

/** Reads the whole body but keeps at most MAX_REQUEST_BYTES, so an oversized upload still gets its 413. */
function readBody(req: IncomingMessage): Promise<{ bytes: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve({ bytes: Buffer.concat(chunks), tooLarge: size > MAX_REQUEST_BYTES }));
    req.on('error', reject);
  });
}
