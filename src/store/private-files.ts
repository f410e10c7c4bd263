/**
 * The data directory holds presence history, Genesys source ids and encrypted service-account tokens:
 * only the bridge's own user may read it. Directories are 0700, files 0600. Modes passed at creation
 * are narrowed by the umask only (never widened), and a directory or file made by an older version
 * is tightened when the bridge opens it.
 */
import { promises as fs } from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and missing parents) as 0700 and tightens it if it already existed. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await tighten(dir, PRIVATE_DIR_MODE);
}

/** Tightens an existing file to 0600 (a no-op when it is missing). */
export async function ensurePrivateFile(file: string): Promise<void> {
  await tighten(file, PRIVATE_FILE_MODE);
}

async function tighten(target: string, mode: number): Promise<void> {
  try {
    const { mode: current } = await fs.stat(target);
    if ((current & 0o777) !== mode) await fs.chmod(target, mode);
  } catch (error) {
    // Missing, or a file system without POSIX modes (the mode is then moot).
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EPERM' && code !== 'ENOTSUP') throw error;
  }
}
