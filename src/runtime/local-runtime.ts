/**
 * The local runtime file (`BRIDGE_DATA_DIR/runtime.json`): written by `npm start` so the operator CLI
 * can find the running bridge and, in sandbox mode, the sandbox's URL and client.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface LocalRuntimeInfo {
  readonly pid: number;
  readonly port: number;
  readonly startedAt: string;
  readonly sandbox?: { readonly url: string; readonly clientId: string; readonly clientSecret: string };
  /** The RingCentral sandbox, when `npm start` uses it: `simulate ringcentral` posts to `adminUrl`. */
  readonly ringcentralSandbox?: { readonly url: string; readonly adminUrl: string };
  /** Bearer token of the loopback-only control routes (src/runtime/local-control.ts); the file is 0600. */
  readonly controlToken?: string;
  /** The Microsoft sandbox, when no Teams credentials are set (src/sandbox/microsoft/use-microsoft-sandbox.ts). */
  readonly microsoftSandbox?: { readonly adminUrl: string; readonly loginBaseUrl: string; readonly graphBaseUrl: string };
}

const FILE = 'runtime.json';

export function writeLocalRuntime(dataDir: string, info: LocalRuntimeInfo): void {
  const file = path.join(dataDir, FILE);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(info, null, 2), { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

/** The running bridge's info, or undefined when none is running (a stale file of a dead pid is ignored). */
export function readLocalRuntime(dataDir: string): LocalRuntimeInfo | undefined {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, FILE), 'utf8')) as LocalRuntimeInfo;
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined;
  }
}

export function removeLocalRuntime(dataDir: string): void {
  fs.rmSync(path.join(dataDir, FILE), { force: true });
}
