/**
 * The sandbox's RingCentral account: one User extension per demo user of the Genesys sandbox (same emails,
 * so the bridge matches them), each available and taking calls. Ids are fixed so a restart keeps them.
 */
import { DEMO_USERS } from '../sandbox-state';
import type { RingCentralSandboxExtension, RingCentralSandboxPresenceRecord } from './ringcentral-sandbox-types';

/** First demo extension id; the others follow (RingCentral ids are large integers). */
const FIRST_EXTENSION_ID = 6610372101;

export function demoRingCentralExtensions(): RingCentralSandboxExtension[] {
  return DEMO_USERS.map((user, index) => {
    const name = user.name ?? user.email;
    const [firstName, ...rest] = name.split(' ');
    return {
      id: FIRST_EXTENSION_ID + index,
      extensionNumber: String(101 + index),
      type: 'User',
      status: 'Enabled',
      name,
      contact: { email: user.email, firstName, lastName: rest.join(' ') },
    };
  });
}

/** Everyone idle: Available, no call, taking all calls. */
export function idleRingCentralPresence(extension: RingCentralSandboxExtension): RingCentralSandboxPresenceRecord {
  return {
    extension: { id: Number(extension.id), extensionNumber: extension.extensionNumber },
    presenceStatus: 'Available',
    userStatus: 'Available',
    dndStatus: 'TakeAllCalls',
    telephonyStatus: 'NoCall',
    meetingStatus: 'Disconnected',
    allowSeeMyPresence: true,
    ringOnMonitoredCall: false,
    pickUpCallsOnHold: false,
  };
}
