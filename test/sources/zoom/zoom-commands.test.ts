import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Command } from 'commander';
import {
  buildSimulatedZoomEvent,
  createBackfillProgressPrinter,
  registerZoomCommands,
  sendSimulatedZoomEvent,
  type ZoomCommandDeps,
} from '../../../src/cli/zoom-commands';
import type { ZoomBackfillSummary } from '../../../src/sources/zoom/backfill';
import { resolveZoomWebhookUrl, simulatedZoomUserId } from '../../../src/sources/zoom/simulated-event';
import { verifyZoomSignature } from '../../../src/sources/zoom/verify';
import { createZoomWebhookSource } from '../../../src/sources/zoom/webhook';
import type { WebhookOutcome } from '../../../src/webhooks/types';
import { NOW_MS, SECRET, zoomConfig } from './helpers';

function sink(isTTY = false) {
  const chunks: string[] = [];
  return { write: (text: string) => chunks.push(text), isTTY, columns: 100, text: () => chunks.join(''), chunks };
}

const summary = (overrides: Partial<ZoomBackfillSummary> = {}): ZoomBackfillSummary => ({
  total: 3,
  recorded: 3,
  failed: 0,
  failures: [],
  durationMs: 1500,
  ...overrides,
});

function program(deps: Partial<ZoomCommandDeps>, io = { stdout: sink(), stderr: sink(), exitCodes: [] as number[] }) {
  const root = new Command('presence-bridge').exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  registerZoomCommands(root, {
    backfill: async () => summary(),
    simulate: async () => ({ status: 200, body: '' }),
    ...deps,
    io: { stdout: io.stdout, stderr: io.stderr, now: () => 0, setExitCode: (code) => io.exitCodes.push(code) },
  });
  return { root, io };
}

describe('zoom backfill', () => {
  it('passes repeated and space-separated --email values to the backfill', async () => {
    const calls: Array<{ emails?: string[] }> = [];
    const { root } = program({ backfill: async (opts) => (calls.push(opts), summary()) });
    await root.parseAsync(['zoom', 'backfill', '--email', 'a@x.example', 'b@x.example', '--email', 'c@x.example'], { from: 'user' });
    expect(calls[0].emails).toEqual(['a@x.example', 'b@x.example', 'c@x.example']);
  });

  it('backfills everyone when no --email is given', async () => {
    const calls: Array<{ emails?: string[] }> = [];
    const { root } = program({ backfill: async (opts) => (calls.push(opts), summary()) });
    await root.parseAsync(['zoom', 'backfill'], { from: 'user' });
    expect(calls[0].emails).toBeUndefined();
  });

  it('prints progress lines on a non-TTY stderr and the summary on stdout', async () => {
    const { root, io } = program({
      backfill: async ({ onProgress }) => {
        for (let done = 1; done <= 20; done++) onProgress?.(done, 20, done > 15 ? 1 : 0);
        return summary({
          total: 20,
          recorded: 19,
          failed: 1,
          failures: [{ externalUserId: 'x1', email: 'gone@example.com', reason: 'no such Zoom user', status: 404, code: 1001 }],
        });
      },
    });
    await root.parseAsync(['zoom', 'backfill'], { from: 'user' });
    const lines = io.stderr.text().trim().split('\n');
    // One line when it starts, then one per 10 % step.
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe('Zoom backfill: 1/20 (5%)');
    expect(lines.at(-1)).toBe('Zoom backfill: 20/20 (100%), 1 failed');
    expect(io.stderr.text()).not.toContain('\r');
    expect(io.stdout.text()).toContain('Zoom backfill: 20 user(s), 19 recorded, 1 failed');
    expect(io.stdout.text()).toContain('gone@example.com / x1: no such Zoom user');
    expect(io.exitCodes).toEqual([1]);
  });

  it('draws a bar in place on a TTY', () => {
    const stderr = sink(true);
    let t = 0;
    const printer = createBackfillProgressPrinter(stderr, () => (t += 200));
    printer.update(1, 4, 0);
    printer.update(4, 4, 0);
    printer.finish();
    // eslint-disable-next-line no-control-regex -- the line starts with the terminal's erase-line sequence
    expect(stderr.chunks[0]).toMatch(/^\r\x1b\[2KZoom backfill \[#+-+\] {2}25% 1\/4$/);
    expect(stderr.chunks[1]).toMatch(/\[#+\] 100% 4\/4$/);
    expect(stderr.chunks.at(-1)).toBe('\n');
  });

  it('leaves the exit code alone when nothing failed', async () => {
    const { root, io } = program({});
    await root.parseAsync(['zoom', 'backfill'], { from: 'user' });
    expect(io.exitCodes).toEqual([]);
  });
});

describe('simulate zoom', () => {
  it('passes the options with the default URL and prints the answer', async () => {
    const calls: unknown[] = [];
    const { root, io } = program({ simulate: async (opts) => (calls.push(opts), { status: 200, body: '' }) });
    await root.parseAsync(['simulate', 'zoom', '--email', 'a@x.example', '--status', 'In_Meeting'], { from: 'user' });
    expect(calls).toEqual([{ email: 'a@x.example', status: 'In_Meeting', url: 'http://127.0.0.1:3000' }]);
    expect(io.stdout.text()).toBe('HTTP 200\n');
    expect(io.stderr.text()).toBe('');
  });

  it('passes --url and --user-id, warns about an undocumented status, and fails on a non-2xx answer', async () => {
    const calls: unknown[] = [];
    const { root, io } = program({ simulate: async (opts) => (calls.push(opts), { status: 401, body: 'bad signature' }) });
    await root.parseAsync(['simulate', 'zoom', '--email', 'a@x.example', '--status', 'Focus', '--url', 'http://127.0.0.1:4000', '--user-id', 'U1'], {
      from: 'user',
    });
    expect(calls).toEqual([{ email: 'a@x.example', status: 'Focus', url: 'http://127.0.0.1:4000', userId: 'U1' }]);
    expect(io.stderr.text()).toMatch(/not a documented Zoom presence_status/);
    expect(io.stdout.text()).toBe('HTTP 401 bad signature\n');
    expect(io.exitCodes).toEqual([1]);
  });

  it('requires --email and --status', async () => {
    const { root } = program({});
    await expect(root.parseAsync(['simulate', 'zoom', '--status', 'Away'], { from: 'user' })).rejects.toThrow(/--email/);
  });

  it('shares an existing `simulate` command with other systems', async () => {
    const root = new Command().exitOverride();
    root.command('simulate').description('send simulated events').command('teams');
    registerZoomCommands(root, { backfill: async () => summary(), simulate: async () => ({ status: 200, body: '' }) });
    const simulate = root.commands.filter((c) => c.name() === 'simulate');
    expect(simulate).toHaveLength(1);
    expect(simulate[0].commands.map((c) => c.name()).sort()).toEqual(['teams', 'zoom']);
  });
});

describe('buildSimulatedZoomEvent', () => {
  it('builds a signed event the Zoom webhook source accepts', async () => {
    const { body, headers } = buildSimulatedZoomEvent({ secret: SECRET, email: 'Ada@Example.com', status: 'In_Meeting', now: NOW_MS + 123 });
    expect(verifyZoomSignature({ secrets: [SECRET], headers, body, nowMs: NOW_MS, toleranceSeconds: 300 }).ok).toBe(true);
    const outcome = await createZoomWebhookSource(zoomConfig(), () => NOW_MS).handle({
      method: 'POST',
      path: '/webhooks/zoom',
      query: {},
      headers,
      body,
      receivedAt: NOW_MS,
    });
    expect(outcome).toEqual({
      kind: 'accepted',
      events: [
        {
          system: 'zoom',
          externalUserId: simulatedZoomUserId('ada@example.com'),
          email: 'ada@example.com',
          values: { presence_status: 'In_Meeting' },
          order: NOW_MS,
          tiebreak: NOW_MS + 123,
        },
      ],
    });
  });

  it('uses the given user id and derives a stable one otherwise', () => {
    const given = buildSimulatedZoomEvent({ secret: SECRET, email: 'a@x.example', status: 'Away', userId: 'Zoom123', now: NOW_MS });
    expect(JSON.parse(given.body.toString('utf8')).payload.object.id).toBe('Zoom123');
    expect(simulatedZoomUserId('A@X.example ')).toBe(simulatedZoomUserId('a@x.example'));
    expect(simulatedZoomUserId('a@x.example')).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('names the given account, so a bridge with a ZOOM_ACCOUNT_ID allow-list accepts it', async () => {
    const { body, headers } = buildSimulatedZoomEvent({ secret: SECRET, email: 'a@x.example', status: 'Away', accountId: 'AbC-acct', now: NOW_MS });
    expect(JSON.parse(body.toString('utf8')).payload.account_id).toBe('AbC-acct');
    const source = createZoomWebhookSource(zoomConfig({ allowedAccountIds: ['AbC-acct'] }), () => NOW_MS);
    const outcome = await source.handle({ method: 'POST', path: '/webhooks/zoom', query: {}, headers, body, receivedAt: NOW_MS });
    expect(outcome).toMatchObject({ kind: 'accepted' });
    const unnamed = buildSimulatedZoomEvent({ secret: SECRET, email: 'a@x.example', status: 'Away', now: NOW_MS });
    expect(JSON.parse(unnamed.body.toString('utf8')).payload.account_id).toBe('simulated');
  });

  it('writes date_time in whole seconds like Zoom', () => {
    const { body } = buildSimulatedZoomEvent({ secret: SECRET, email: 'a@x.example', status: 'Away', now: Date.parse('2024-03-27T04:00:00.789Z') });
    expect(JSON.parse(body.toString('utf8')).payload.object.date_time).toBe('2024-03-27T04:00:00Z');
  });
});

describe('resolveZoomWebhookUrl', () => {
  it.each([
    ['http://127.0.0.1:3000', 'http://127.0.0.1:3000/webhooks/zoom'],
    ['http://127.0.0.1:3000/', 'http://127.0.0.1:3000/webhooks/zoom'],
    ['https://bridge.example/prod/webhooks/zoom', 'https://bridge.example/prod/webhooks/zoom'],
  ])('%s → %s', (url, expected) => {
    expect(resolveZoomWebhookUrl(url)).toBe(expected);
  });

  it('refuses a relative URL', () => {
    expect(() => resolveZoomWebhookUrl('localhost:3000')).toThrow(/absolute http\(s\) URL/);
  });
});

describe('sendSimulatedZoomEvent', () => {
  it('posts the raw signed bytes to a running bridge', async () => {
    const source = createZoomWebhookSource(zoomConfig());
    const outcomes: WebhookOutcome[] = [];
    // A minimal adapter: raw bytes in, outcome → status out.
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', async () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : (value ?? '');
        const outcome = await source.handle({
          method: req.method ?? 'POST',
          path: new URL(req.url ?? '/', 'http://127.0.0.1').pathname,
          query: {},
          headers,
          body: Buffer.concat(chunks),
          receivedAt: Date.now(),
        });
        outcomes.push(outcome);
        res.statusCode = outcome.kind === 'rejected' ? outcome.status : 200;
        res.end(outcome.kind === 'rejected' ? outcome.reason : '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const ok = await sendSimulatedZoomEvent({ secret: SECRET, email: 'a@x.example', status: 'Away', url: `http://127.0.0.1:${port}` });
      expect(ok).toEqual({ status: 200, body: '' });
      expect(outcomes[0]).toMatchObject({ kind: 'accepted', events: [{ email: 'a@x.example', values: { presence_status: 'Away' } }] });
      const wrong = await sendSimulatedZoomEvent({ secret: 'other', email: 'a@x.example', status: 'Away', url: `http://127.0.0.1:${port}` });
      expect(wrong.status).toBe(401);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('says to start the bridge when nothing listens at the URL', async () => {
    // A port that was just free: nothing listens there.
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));

    await expect(sendSimulatedZoomEvent({ secret: SECRET, email: 'a@x.example', status: 'Away', url: `http://127.0.0.1:${port}` })).rejects.toThrow(
      `no bridge is listening at http://127.0.0.1:${port}: start it with \`npm start\``,
    );
  });
});
