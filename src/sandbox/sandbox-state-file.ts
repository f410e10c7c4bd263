/**
 * Persistence of the sandbox organization for `npm start`: source ids, definition ids and presences
 * must survive a restart, because the bridge remembers source ids and compares what Genesys holds.
 * Writes are atomic (temp file + rename) so a crash never leaves half a file.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { SYSTEM_PRESENCES } from './sandbox-presence-definitions';
import type { SandboxSnapshot } from './sandbox-state';

const sourceTypeSchema = z.enum(['System', 'User']);

const snapshotSchema = z.object({
  version: z.literal(1),
  users: z.array(z.object({ id: z.string(), email: z.string(), name: z.string(), state: z.enum(['active', 'inactive']) })),
  sources: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      description: z.string().optional(),
      type: sourceTypeSchema,
      deactivated: z.boolean(),
    }),
  ),
  definitions: z.array(
    z.object({
      id: z.string(),
      systemPresence: z.enum(SYSTEM_PRESENCES),
      type: sourceTypeSchema,
      label: z.string(),
      deactivated: z.boolean(),
    }),
  ),
  presences: z.array(
    z.object({
      userId: z.string(),
      sourceId: z.string(),
      definitionId: z.string(),
      message: z.string(),
      modifiedDate: z.string(),
    }),
  ),
  primarySources: z.array(z.object({ userId: z.string(), sourceId: z.string() })),
});

/** Reads a state file; undefined when it does not exist, an error when it is malformed. */
export async function loadSnapshot(file: string): Promise<SandboxSnapshot | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`sandbox: cannot read state file ${file}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`sandbox: state file ${file} is not JSON; delete it to start afresh`, { cause: error });
  }
  const parsed = snapshotSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`sandbox: state file ${file} has an unexpected shape (${parsed.error.message}); delete it to start afresh`);
  }
  return parsed.data;
}

/** Writes a state file atomically, creating its directory. */
export async function saveSnapshot(file: string, snapshot: SandboxSnapshot): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  // Unique per write: two sandboxes in one process may share a file in tests.
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await fs.writeFile(temp, JSON.stringify(snapshot, null, 2) + '\n', { encoding: 'utf8', mode: 0o600 });
  await fs.rename(temp, file);
}

/** Saves at most once per `delayMs` after changes, and on `flush()`. Saves never overlap. */
export interface DebouncedSaver {
  schedule(): void;
  flush(): Promise<void>;
}

/** Creates a debounced saver of `snapshot()` into `file`; errors go to `onError`. */
export function createDebouncedSaver(file: string, snapshot: () => SandboxSnapshot, onError: (error: unknown) => void, delayMs = 200): DebouncedSaver {
  let timer: NodeJS.Timeout | undefined;
  let dirty = false;
  let running: Promise<void> = Promise.resolve();

  const save = (): Promise<void> => {
    running = running.then(async () => {
      if (!dirty) return;
      dirty = false;
      try {
        await saveSnapshot(file, snapshot());
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
