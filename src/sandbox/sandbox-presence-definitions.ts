/**
 * Organization presence definitions and their two listing shapes. The spelling of
 * `systemPresence` differs by endpoint (docs/vendors.md#genesys-presence-definitions): the SDK enum of
 * `/api/v2/presence/definitions` says `OnQueue`, a captured real `/api/v2/presencedefinitions`
 * payload says `"On Queue"` and has no `type`. The sandbox reproduces both so clients must normalise.
 */
import { randomUUID } from 'node:crypto';
import type { SandboxSourceType } from './sandbox-types';

/** The `systemPresence` enum of OrganizationPresenceDefinition, spelled the SDK way. */
export const SYSTEM_PRESENCES = ['Available', 'Away', 'Busy', 'Offline', 'Idle', 'OnQueue', 'Meal', 'Training', 'Meeting', 'Break'] as const;
export type SystemPresence = (typeof SYSTEM_PRESENCES)[number];

/** One presence definition as the sandbox stores it. */
export interface SandboxDefinition {
  id: string;
  systemPresence: SystemPresence;
  type: SandboxSourceType;
  label: string;
  deactivated: boolean;
}

/** `On Queue` is the only value whose display spelling differs from the enum. */
const DISPLAY_SPELLING: Readonly<Record<SystemPresence, string>> = {
  Available: 'Available',
  Away: 'Away',
  Busy: 'Busy',
  Offline: 'Offline',
  Idle: 'Idle',
  OnQueue: 'On Queue',
  Meal: 'Meal',
  Training: 'Training',
  Meeting: 'Meeting',
  Break: 'Break',
};

/** Folds "On Queue", "OnQueue", "ON_QUEUE" to one key. */
function foldSpelling(value: string): string {
  return value.replace(/[\s_-]/g, '').toLowerCase();
}

/** Parses any spelling of a system presence, or undefined when it is not one. */
export function parseSystemPresence(value: string): SystemPresence | undefined {
  const folded = foldSpelling(value);
  return SYSTEM_PRESENCES.find((presence) => presence.toLowerCase() === folded);
}

/** The spelling used by the deprecated endpoint and by user presences ("On Queue"). */
export function displaySpelling(presence: SystemPresence): string {
  return DISPLAY_SPELLING[presence];
}

/**
 * One System definition per system presence, with ids random per sandbox instance: the real, seemingly
 * org-independent ids (docs/vendors.md#genesys-presence-definitions) are deliberately not used, so a client
 * that hard-codes them fails here (docs/architecture.md: definition ids resolved at run time).
 */
export function createSystemDefinitions(): SandboxDefinition[] {
  return SYSTEM_PRESENCES.map((systemPresence) => ({
    id: randomUUID(),
    systemPresence,
    type: 'System',
    label: DISPLAY_SPELLING[systemPresence],
    deactivated: false,
  }));
}

/** Element of `GET /api/v2/presence/definitions` (OrganizationPresenceDefinition). */
export function toOrganizationPresenceDefinition(definition: SandboxDefinition): Record<string, unknown> {
  return {
    id: definition.id,
    type: definition.type,
    languageLabels: { en_US: definition.label },
    systemPresence: definition.systemPresence,
    deactivated: definition.deactivated,
    selfUri: `/api/v2/presence/definitions/${definition.id}`,
  };
}

/** Element of the deprecated `GET /api/v2/presencedefinitions` (OrganizationPresence): no `type`, has `primary`. */
export function toOrganizationPresence(definition: SandboxDefinition): Record<string, unknown> {
  return {
    id: definition.id,
    name: definition.type === 'System' ? definition.label : undefined,
    languageLabels: { en_US: definition.label },
    systemPresence: DISPLAY_SPELLING[definition.systemPresence],
    deactivated: definition.deactivated,
    primary: definition.type === 'System',
    selfUri: `/api/v2/presencedefinitions/${definition.id}`,
  };
}
