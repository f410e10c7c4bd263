/**
 * Runs a packaged handler module the way Lambda does: in its own Node process (one per function, like a
 * container), with only the environment it is given, invoked one event at a time.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const RUNNER = `
const handler = require(process.argv[2])[process.argv[3]];
process.on('message', async ({ id, event }) => {
  try {
    // A context as Lambda passes it: the function name and the time left before the function's timeout.
    const endsAt = Date.now() + Number(process.env.LAMBDA_TIMEOUT_SECONDS || 60) * 1000;
    const context = { functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, getRemainingTimeInMillis: () => endsAt - Date.now() };
    const result = await handler(event, context);
    process.send({ id, ok: true, result });
  } catch (error) {
    process.send({ id, ok: false, error: String(error && error.stack || error) });
  }
});
process.send({ ready: true });
`;

export interface LambdaContainer {
  invoke<T = unknown>(event: unknown): Promise<T>;
  /** What the process wrote to stdout/stderr (its logs). */
  output(): string;
  stop(): Promise<void>;
}

/** `handler` as Lambda's function configuration names it: `<module path without .js>.<export>`, under `root`. */
export async function startLambdaContainer(root: string, handler: string, env: Record<string, string>): Promise<LambdaContainer> {
  const dot = handler.lastIndexOf('.');
  const modulePath = path.join(root, `${handler.slice(0, dot)}.js`);
  const runner = path.join(path.dirname(modulePath), 'lambda-runner.js');
  fs.writeFileSync(runner, RUNNER);
  const child: ChildProcess = fork(runner, [modulePath, handler.slice(dot + 1)], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the handler process exited (${code}) before it was ready: ${output}`)));
    child.on('message', (message: { ready?: boolean; id?: number; ok?: boolean; result?: unknown; error?: string }) => {
      if (message.ready) return resolve();
      const waiter = pending.get(message.id!);
      pending.delete(message.id!);
      if (message.ok) waiter?.resolve(message.result);
      else waiter?.reject(new Error(message.error));
    });
  });
  child.removeAllListeners('exit');
  return {
    invoke<T>(event: unknown): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, event });
      });
    },
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
