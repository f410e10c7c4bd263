/**
 * The reference point for the Zoom acknowledgement benchmark: Zoom's own SDK, `@zoom/rivet`, with its
 * AWS Lambda webhook receiver (`AwsLambdaReceiver`), set up the way its README sets up a client:
 * `new UsersS2SAuthClient({ …, receiver })`, a listener for `user.presence_status_updated`, then
 * `start()`, which returns the Lambda handler.
 *
 * It is a devDependency of the benchmarks only (bench/package.json), loaded at run time, never
 * imported statically: a fresh clone type-checks and runs `npm test` without it, and `npm run bench`
 * reports the comparison as skipped when it cannot be installed.
 *
 * What the receiver does per event (node_modules/@zoom/rivet/users/users.cjs, 0.4.0): logs the whole
 * event with `console.debug(JSON.stringify(event))`, `JSON.parse`s the body, re-serializes it with
 * `JSON.stringify` to check `x-zm-signature` (so a body that is not in `JSON.stringify` form fails),
 * compares with `===`, awaits the listeners and answers 200. It records nothing durably: a reference for
 * the cost of verify-and-ack alone, not an equivalent of the bridge (which fsyncs before it acknowledges).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FunctionUrlEvent, FunctionUrlResult, LambdaHttpHandler } from './lambda-host';

/** The slice of `@zoom/rivet/users` used here (typed locally: the package may be absent). */
interface RivetUsersModule {
  AwsLambdaReceiver: new (options: { webhooksSecretToken: string }) => unknown;
  UsersS2SAuthClient: new (options: { clientId: string; clientSecret: string; accountId: string; webhooksSecretToken: string; receiver: unknown }) => {
    webEventConsumer: { event(name: string, listener: (payload: unknown) => unknown): void };
    start(): Promise<(event: FunctionUrlEvent, context: Record<string, unknown>) => Promise<FunctionUrlResult>>;
  };
}

export type RivetAvailability =
  { readonly ok: true; readonly version: string; createHandler(secret: string): Promise<LambdaHttpHandler> } | { readonly ok: false; readonly reason: string };

/** Loads `@zoom/rivet` from bench/node_modules, or says why it cannot. */
export function loadRivet(): RivetAvailability {
  const skipped = process.env.BENCH_RIVET_UNAVAILABLE;
  if (skipped) return { ok: false, reason: skipped };
  let rivet: RivetUsersModule;
  let version = 'unknown';
  try {
    rivet = require('@zoom/rivet/users') as RivetUsersModule;
    const manifest = path.join(__dirname, 'node_modules', '@zoom', 'rivet', 'package.json');
    if (fs.existsSync(manifest)) version = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
  } catch (error) {
    return { ok: false, reason: `@zoom/rivet is not installed in bench/node_modules (${(error as Error).message.split('\n')[0]})` };
  }
  return {
    ok: true,
    version,
    async createHandler(secret) {
      const receiver = new rivet.AwsLambdaReceiver({ webhooksSecretToken: secret });
      const client = new rivet.UsersS2SAuthClient({
        clientId: 'bench-client',
        clientSecret: 'bench-secret',
        accountId: 'bench-account',
        webhooksSecretToken: secret,
        receiver,
      });
      // A listener that does nothing: the reference measures the receiver, not an application.
      client.webEventConsumer.event('user.presence_status_updated', () => undefined);
      const handler = await client.start();
      return (event, context) => handler(event, context);
    },
  };
}

/**
 * Runs `work` with `console.debug` silenced: the receiver logs every event with it (in Lambda that goes
 * to CloudWatch; here it would flood the terminal). Its `JSON.stringify(event)` still runs, since the
 * arguments are evaluated before the call, so the receiver's own work is still measured.
 */
export async function withConsoleDebugSilenced<T>(work: () => Promise<T>): Promise<T> {
  const original = console.debug;
  console.debug = () => undefined;
  try {
    return await work();
  } finally {
    console.debug = original;
  }
}
