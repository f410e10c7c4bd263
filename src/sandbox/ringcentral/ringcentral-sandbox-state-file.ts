/**
 * Persistence of the RingCentral sandbox for `npm start`: subscriptions (with their verification tokens)
 * and presence must survive a restart, because the bridge keeps its subscription and only checks it with
 * `GET /subscription` on the next start (docs/ringcentral.md). Writes are atomic (temp file + rename),
 * one at a time.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import type { RingCentralSandboxPresenceRecord, RingCentralSandboxSubscription } from './ringcentral-sandbox-types';

export interface RingCentralSandboxSnapshot {
  readonly version: 1;
  readonly subscriptions: RingCentralSandboxSubscription[];
  readonly presence: RingCentralSandboxPresenceRecord[];
  readonly sequence: number;
}

const subscriptionSchema = z.object({
  id: z.string(),
  uri: z.string(),
  eventFilters: z.array(z.string()),
  disabledFilters: z.array(z.object({ filter: z.string(), reason: z.string() })),
  expirationTime: z.string(),
  expiresIn: z.number(),
  status: z.enum(['Active', 'Blacklisted']),
  creationTime: z.string(),
  deliveryMode: z.object({ transportType: z.string(), address: z.string(), verificationToken: z.string().optional() }),
  blacklistedData: z.object({ reason: z.string(), blacklistedAt: z.string() }).optional(),
});

const snapshotSchema = z.object({
  version: z.literal(1),
  subscriptions: z.array(subscriptionSchema),
  presence: z.array(z.record(z.string(), z.unknown())),
  sequence: z.number().int().nonnegative(),
});

/** Reads a state file; undefined when it does not exist, an error naming the fix when it is malformed. */
export async function loadRingCentralSnapshot(file: string): Promise<RingCentralSandboxSnapshot | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`ringcentral sandbox: cannot read state file ${file}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`ringcentral sandbox: state file ${file} is not JSON; delete it to start afresh`, { cause: error });
  }
  const parsed = snapshotSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `ringcentral sandbox: state file ${file} has an unexpected shape (${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}); delete it to start afresh`,
    );
  }
  return parsed.data;
}

/** Saves snapshots atomically and in order; `save` resolves once this snapshot is on disk. */
export function createRingCentralStateWriter(file: string): { save(snapshot: RingCentralSandboxSnapshot): Promise<void> } {
  let last: Promise<void> = Promise.resolve();
  return {
    save(snapshot) {
      const text = JSON.stringify(snapshot, null, 2) + '\n';
      const run = last.then(async () => {
        await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
        const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
        // 0600: the file holds the subscription's verification token.
        await fs.writeFile(temp, text, { encoding: 'utf8', mode: 0o600 });
        await fs.rename(temp, file);
      });
      last = run.catch(() => undefined);
      return run;
    },
  };
}
