/**
 * The sandbox's admin request `POST /sandbox/presence`: change one extension's presence as a RingCentral
 * user would (set Do Not Disturb, pick up a call …). Values are RingCentral's enums
 * (https://developers.ringcentral.com/api-reference/Presence/updateUserPresenceStatus,
 * https://developers.ringcentral.com/guide/notifications/event-filters/detailed-extension-presence).
 */
import * as z from 'zod';
import type { RingCentralSandboxPresenceRecord } from './ringcentral-sandbox-types';

export const RINGCENTRAL_DND_STATUSES = ['TakeAllCalls', 'DoNotAcceptAnyCalls', 'DoNotAcceptDepartmentCalls', 'TakeDepartmentCallsOnly'] as const;
export const RINGCENTRAL_TELEPHONY_STATUSES = ['NoCall', 'CallConnected', 'Ringing', 'OnHold', 'ParkedCall'] as const;
export const RINGCENTRAL_PRESENCE_STATUSES = ['Offline', 'Busy', 'Available'] as const;
export const RINGCENTRAL_USER_STATUSES = ['Offline', 'Busy', 'Available'] as const;

export const presenceChangeSchema = z
  .object({
    email: z.string().trim().min(1),
    dnd: z.enum(RINGCENTRAL_DND_STATUSES).optional(),
    telephony: z.enum(RINGCENTRAL_TELEPHONY_STATUSES).optional(),
    presenceStatus: z.enum(RINGCENTRAL_PRESENCE_STATUSES).optional(),
    userStatus: z.enum(RINGCENTRAL_USER_STATUSES).optional(),
  })
  .refine((change) => change.dnd ?? change.telephony ?? change.presenceStatus ?? change.userStatus, {
    message: 'give at least one of dnd, telephony, presenceStatus, userStatus',
  });
export type PresenceChange = z.infer<typeof presenceChangeSchema>;

/** A one-line description of what is wrong with a change request, naming the allowed values. */
export function describePresenceChangeError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.join('.') || 'body';
      if (issue.code === 'invalid_value') return `${field} must be one of ${issue.values.join(', ')}`;
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * The record after the change. `presenceStatus` follows as RingCentral aggregates it when not given:
 * Busy on a call or with DND, Available otherwise, unless the user set themselves Offline/Busy.
 */
export function applyPresenceChange(record: RingCentralSandboxPresenceRecord, change: PresenceChange): RingCentralSandboxPresenceRecord {
  const next: RingCentralSandboxPresenceRecord = { ...record };
  if (change.dnd) next.dndStatus = change.dnd;
  if (change.telephony) next.telephonyStatus = change.telephony;
  if (change.userStatus) next.userStatus = change.userStatus;
  if (change.presenceStatus) next.presenceStatus = change.presenceStatus;
  else {
    const onCall = next.telephonyStatus !== undefined && next.telephonyStatus !== 'NoCall';
    const dnd = next.dndStatus === 'DoNotAcceptAnyCalls';
    next.presenceStatus = next.userStatus === 'Offline' ? 'Offline' : onCall || dnd || next.userStatus === 'Busy' ? 'Busy' : 'Available';
  }
  return next;
}

/** The notification `body` of that record: the presence fields and `extensionId` (a number, as delivered). */
export function presenceNotificationBody(record: RingCentralSandboxPresenceRecord, sequence: number): Record<string, unknown> {
  const { extension: _extension, ...fields } = record;
  void _extension;
  return { ...fields, sequence };
}
