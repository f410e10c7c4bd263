/**
 * The Genesys Cloud client: budgeted, retried, authenticated access to custom presence sources,
 * presence definitions, user presence and user lookup. Composition roots import from here.
 */
export { createGenesysClient, type GenesysClient, type GenesysClientOptions, type ResolvedGenesysConfig } from './client';
export {
  genesysBaseUrls,
  regionHost,
  findGenesysRegion,
  isKnownRegionHost,
  describeValidRegions,
  GENESYS_REGIONS,
  GENESYS_REGION_HOSTS,
  type GenesysBaseUrls,
  type GenesysRegion,
} from './regions';
export { createLocalBudget, type LocalBudget, type LocalBudgetOptions } from './local-budget';
export type { RequestBudget } from './request-budget';
export {
  GenesysApiError,
  GenesysParkedError,
  GenesysPrimarySourceGuardError,
  GenesysSourceError,
  classifyGenesysFailure,
  type GenesysFailureKind,
} from './genesys-errors';
export { PresenceSources, SOURCES_DOCUMENT, type EnsuredSource, type EnsuredSources, type PresenceSource, type SourceNames } from './sources';
export { PresenceDefinitions, normalizePresenceName, type ResolvedDefinition, type PresenceDefinitionEntry } from './definitions';
export { PresenceApi, type SourcePresence, type BulkSourcePresence, type PrimarySourceInfo } from './presence';
export { GenesysUsers } from './users';
export { GenesysHttp, type GenesysRequest } from './http';
