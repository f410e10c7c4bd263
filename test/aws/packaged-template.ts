/**
 * Runs `osls package` (the pinned deployment CLI) once and returns the CloudFormation template it writes,
 * offline: no AWS credentials, no network. Test files call it once, in beforeAll.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { StoreError } from '../../src/errors';
import { acquireDirLock } from '../../src/store/dir-lock';

const root = path.join(__dirname, '../..');
const run = promisify(execFile);

/** The parts of a CloudFormation template the tests read. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: unknown;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly [key: string]: unknown;
}
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export interface PackagedService {
  /** The directory with the template and the zip. */
  readonly dir: string;
  readonly template: CfnTemplate;
}

/** The stage the tests package for; names and SSM paths contain it. */
export const TEST_STAGE = 'test';

/**
 * Packaging writes its build into the project (`.esbuild/`, `.serverless/`), so two test files packaging
 * at once (jest runs files in parallel workers) would trample each other: one packages at a time, under
 * the same directory lock the embedded store uses, waited for.
 */
async function withPackagingLock<T>(work: () => Promise<T>): Promise<T> {
  const lockDir = path.join(os.tmpdir(), 'presence-bridge-packaging');
  fs.mkdirSync(lockDir, { recursive: true });
  const waitUntil = Date.now() + 180_000;
  for (;;) {
    try {
      const lock = await acquireDirLock(lockDir);
      try {
        return await work();
      } finally {
        await lock.release();
      }
    } catch (error) {
      if (!(error instanceof StoreError && /in use/.test(error.message)) || Date.now() > waitUntil) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export async function packageService(): Promise<PackagedService> {
  return withPackagingLock(packageOnce);
}

async function packageOnce(): Promise<PackagedService> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sls-package-'));
  // A clean environment: nothing from the developer's shell (AWS credentials, LOG_LEVEL, …) leaks in.
  await run(process.execPath, ['node_modules/osls/bin/serverless.js', 'package', '--stage', TEST_STAGE, '--package', dir], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: os.tmpdir(), SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
    timeout: 120_000,
  });
  const template = JSON.parse(fs.readFileSync(path.join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as CfnTemplate;
  return { dir, template };
}
