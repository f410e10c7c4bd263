/**
 * The Genesys Cloud sandbox: used by `npm start` when no Genesys credentials are set, and by every
 * test of the Genesys client. The semantics it imitates are in docs/vendors.md#genesys-cloud.
 */
export { startGenesysSandbox } from './start-genesys-sandbox';
export type {
  GenesysSandbox,
  SandboxFaults,
  SandboxOptions,
  SandboxPresenceWrite,
  SandboxRequestRecord,
  SandboxSourceType,
  SandboxUserSeed,
  SandboxViolation,
} from './sandbox-types';
export { VIOLATION_REASONS, type ViolationReason } from './sandbox-violations';
export { PURECLOUD_SOURCE_ID, DEMO_USERS } from './sandbox-state';
export { SYSTEM_PRESENCES, type SystemPresence } from './sandbox-presence-definitions';
export { MAX_REQUEST_BYTES } from './sandbox-server';
export { BULK_READ_LIMIT } from './sandbox-presence-routes';
