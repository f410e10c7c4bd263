/** The external presence systems the bridge brings into Genesys Cloud. */
export const SYSTEMS = ['teams', 'zoom', 'ringcentral'] as const;
export type SystemName = (typeof SYSTEMS)[number];

/** Human names, used in logs, CLI output and as the default Genesys source names (README.md#configuration). */
export const SYSTEM_LABELS: Readonly<Record<SystemName, string>> = {
  teams: 'Microsoft Teams',
  zoom: 'Zoom',
  ringcentral: 'RingCentral',
};

export function isSystemName(value: string): value is SystemName {
  return (SYSTEMS as readonly string[]).includes(value);
}
