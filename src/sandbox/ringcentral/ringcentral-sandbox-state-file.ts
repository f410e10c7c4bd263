/**
 * Persistence of the RingCentral sandbox for `npm start`: subscriptions (with their verification tokens)
 * and presence must survive a restart, because the bridge keeps its subscription and only checks it with
 * `GET /subscription` on the next start (docs/ringcentral.md). Read and written by
 * src/sandbox/sandbox-json-file.ts.
 */
import * as z from 'zod';
import { readSandboxJson } from '../sandbox-json-file';
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
export function loadRingCentralSnapshot(file: string): Promise<RingCentralSandboxSnapshot | undefined> {
  return readSandboxJson(file, snapshotSchema, 'ringcentral sandbox');
}
