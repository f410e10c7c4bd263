/**
 * How the three sandboxes keep their state in BRIDGE_DATA_DIR across `npm start` restarts: one JSON file
 * each, read and checked against a schema at start (a damaged file is refused with the fix: delete it),
 * written atomically (temp file + rename, 0600: the files hold tokens) so a crash never leaves half a file,
 * and never two writes at once.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type * as z from 'zod';

/** Reads a state file; undefined when it does not exist, an error naming the fix when it is damaged. */
export async function readSandboxJson<T>(file: string, schema: z.ZodType<T>, label: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${label}: cannot read state file ${file}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${label}: state file ${file} is not JSON; delete it to start afresh`, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`).join('; ');
    throw new Error(`${label}: state file ${file} has an unexpected shape (${issues}); delete it to start afresh`);
  }
  return parsed.data;
}

/** Writes a state file atomically (0600), creating its directory (0700). */
export async function writeSandboxJson(file: string, value: unknown): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // Unique per write: two sandboxes in one process may share a file in tests.
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await fs.writeFile(temp, JSON.stringify(value, null, 2) + '\n', { encoding: 'utf8', mode: 0o600 });
  await fs.rename(temp, file);
}

/** Saves at most once per `delayMs` after changes, and on `flush()`. Saves never overlap. */
export interface DebouncedSaver {
  schedule(): void;
  flush(): Promise<void>;
}

/** Creates a debounced saver of `snapshot()` into `file`; errors go to `onError`. */
export function createDebouncedSaver(file: string, snapshot: () => unknown, onError: (error: unknown) => void, delayMs = 200): DebouncedSaver {
  let timer: NodeJS.Timeout | undefined;
  let dirty = false;
  let running: Promise<void> = Promise.resolve();

  const save = (): Promise<void> => {
    running = running.then(async () => {
      if (!dirty) return;
      dirty = false;
      try {
        await writeSandboxJson(file, snapshot());
      } catch (error) {
        onError(error);
      }
    });
    return running;
  };

  return {
    schedule() {
      dirty = true;
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        void save();
      }, delayMs);
      // A pending save must not keep a finished process (or a jest worker) alive; close() flushes.
      timer.unref();
    },
    async flush() {
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      await save();
    },
  };
}

/** Writes each given snapshot in order; `save` resolves once that snapshot is on disk. */
export function createOrderedWriter<T>(file: string): { save(value: T): Promise<void> } {
  let last: Promise<void> = Promise.resolve();
  return {
    save(value) {
      const run = last.then(() => writeSandboxJson(file, value));
      last = run.catch(() => undefined);
      return run;
    },
  };
}
