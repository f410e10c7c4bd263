/**
 * Presence definitions on both endpoints (docs/vendors.md#genesys-presence-definitions): the current
 * `GET /api/v2/presence/definitions` and the deprecated `GET /api/v2/presencedefinitions`, which
 * clients use as a fallback (docs/architecture.md: definition ids resolved at run time).
 */
import { notFound } from './sandbox-errors';
import { toOrganizationPresence, toOrganizationPresenceDefinition } from './sandbox-presence-definitions';
import type { Route } from './sandbox-router';
import { pageCountOf, queryBoolean, queryInteger } from './sandbox-validation';

/** Routes of both presence definition endpoints. */
export const definitionRoutes: readonly Route[] = [
  {
    method: 'GET',
    pattern: '/api/v2/presence/definitions',
    handle(context) {
      if (context.faults.definitionsEndpointMissing) {
        throw notFound('Resource not found: /api/v2/presence/definitions (sandbox fault definitionsEndpointMissing).');
      }
      // `deactivated=true` also returns deactivated definitions; the sandbox has none to hide
      // unless a state file says so. `divisionId` and `localeCode` are accepted and ignored.
      const includeDeactivated = queryBoolean(context.query, 'deactivated', false);
      const entities = context.state
        .definitions()
        .filter((definition) => includeDeactivated || !definition.deactivated)
        .map(toOrganizationPresenceDefinition);
      return { status: 200, body: { total: entities.length, entities, selfUri: '/api/v2/presence/definitions' } };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v2/presencedefinitions',
    handle(context) {
      // Paged like other Genesys entity listings (default 25). The maximum page size is
      // UNCONFIRMED; the sandbox allows 100.
      const pageSize = queryInteger(context.query, 'pageSize', 25, 1, 100);
      const pageNumber = queryInteger(context.query, 'pageNumber', 1, 1, Number.MAX_SAFE_INTEGER);
      const includeDeactivated = queryBoolean(context.query, 'deleted', false);
      const all = context.state.definitions().filter((definition) => includeDeactivated || !definition.deactivated);
      const start = (pageNumber - 1) * pageSize;
      return {
        status: 200,
        body: {
          entities: all.slice(start, start + pageSize).map(toOrganizationPresence),
          pageSize,
          pageNumber,
          total: all.length,
          pageCount: pageCountOf(all.length, pageSize),
        },
      };
    },
  },
];
