/**
 * Runs the real operator CLI (`node bin/presence-bridge.js …`, what `npx presence-bridge …` runs) as a
 * child process and returns its exit code and output, whether it succeeded or not.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const REPO_ROOT = path.resolve(__dirname, '../..');
const run = promisify(execFile);

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCliProcess(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  try {
    const result = await run(process.execPath, ['bin/presence-bridge.js', ...args], { cwd: REPO_ROOT, env });
    return { code: 0, stdout: result.stdout, stderr: result.stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
