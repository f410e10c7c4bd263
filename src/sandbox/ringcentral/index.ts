/**
 * The RingCentral sandbox: used by `npm start` when no RingCentral credentials are set
 * (docs/ringcentral.md, "Trying RingCentral offline"), and by the tests of the RingCentral source.
 */
export { RingCentralSandbox, startRingCentralSandbox, RINGCENTRAL_SANDBOX_PRESENCE_ROUTE, type RingCentralPresenceChangeResult } from './ringcentral-sandbox';
export { probeRingCentralHandshake, type HandshakeProbe } from './ringcentral-handshake-probe';
export {
  RINGCENTRAL_DND_STATUSES,
  RINGCENTRAL_PRESENCE_STATUSES,
  RINGCENTRAL_TELEPHONY_STATUSES,
  RINGCENTRAL_USER_STATUSES,
  type PresenceChange,
} from './ringcentral-presence-change';
export type {
  RingCentralSandboxAnswer,
  RingCentralSandboxDelivery,
  RingCentralSandboxExtension,
  RingCentralSandboxOptions,
  RingCentralSandboxPresenceRecord,
  RingCentralSandboxRequest,
  RingCentralSandboxSubscription,
} from './ringcentral-sandbox-types';
