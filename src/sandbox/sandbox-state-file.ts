/**
 * Persistence of the sandbox organization for `npm start`: source ids, definition ids and presences
 * must survive a restart, because the bridge remembers source ids and compares what Genesys holds.
 * Read and written by src/sandbox/sandbox-json-file.ts.
 */
import * as z from 'zod';
import { readSandboxJson } from './sandbox-json-file';
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
export function loadSnapshot(file: string): Promise<SandboxSnapshot | undefined> {
  return readSandboxJson(file, snapshotSchema, 'sandbox');
}
