/**
 * `/api/v2/presence/sources*` (docs/vendors.md#genesys-presence-sources). Sources are `Source {id, name,
 * description, type, deactivated, selfUri}`; the listing is `SourceEntityListing {total, entities,
 * selfUri}` with no paging.
 */
import * as z from 'zod';
import { badRequest, notFound, SandboxHttpError, SANDBOX_ERROR_CODES } from './sandbox-errors';
import type { Route, RouteContext } from './sandbox-router';
import { VIOLATION_REASONS } from './sandbox-violations';
import type { SandboxSource, SandboxState } from './sandbox-state';
import { parseBody, queryBoolean } from './sandbox-validation';

const SOURCES_PATH = '/api/v2/presence/sources';

// `name` is the only required field of Source (docs/vendors.md#genesys-presence-sources). Whether `type`
// is settable on POST is not documented; the sandbox ignores it and always creates type User.
const createSourceSchema = z.object({
  name: z.string().trim().min(1, 'name is required'),
  description: z.string().optional(),
});

const updateSourceSchema = z.object({
  name: z.string().trim().min(1, 'name is required'),
  description: z.string().optional(),
  deactivated: z.boolean().optional(),
});

/** The Source model as Genesys returns it. */
export function toSourceModel(source: SandboxSource): Record<string, unknown> {
  return {
    id: source.id,
    name: source.name,
    description: source.description,
    type: source.reportedType ?? source.type,
    deactivated: source.deactivated,
    selfUri: `${SOURCES_PATH}/${source.id}`,
  };
}

/**
 * Name uniqueness rules are not documented (docs/vendors.md#genesys-open-questions-and-how-the-code-hedges).
 * The sandbox refuses a second non-deactivated User source with the same name, compared case-insensitively,
 * with 409 — registered (System) sources do not count, so a custom "Microsoft Teams" can coexist with the
 * registered one.
 */
function assertNameFree(state: SandboxState, name: string, exceptId?: string): void {
  const wanted = name.toLowerCase();
  const clash = state.listSources().find((s) => s.id !== exceptId && s.type === 'User' && !s.deactivated && s.name.toLowerCase() === wanted);
  if (clash) {
    throw new SandboxHttpError(409, SANDBOX_ERROR_CODES.duplicateValue, `A presence source named ${name} already exists.`);
  }
}

function requireSource(context: RouteContext): SandboxSource {
  const source = context.state.getSource(context.params.sourceId ?? '');
  if (!source) throw notFound(`Presence source ${context.params.sourceId} not found.`);
  return source;
}

/**
 * Registered sources belong to Genesys; the bridge must never modify them (docs/architecture.md: one
 * custom source per system).
 */
function refuseSystemSource(context: RouteContext, source: SandboxSource): void {
  if (source.type !== 'System') return;
  context.violate(VIOLATION_REASONS.modifiedSystemSource);
  throw badRequest(`Presence source ${source.name} is a registered (System) source and cannot be modified.`);
}

/** Routes of the presence source API. */
export const sourceRoutes: readonly Route[] = [
  {
    method: 'GET',
    pattern: SOURCES_PATH,
    handle(context) {
      // UNCONFIRMED whether deactivated=true means "only deactivated" or "also deactivated"; the
      // sandbox filters (only), so a client that wants both must ask for both.
      const deactivated = queryBoolean(context.query, 'deactivated', false);
      const entities = context.state
        .listSources()
        .filter((source) => source.deactivated === deactivated)
        .map(toSourceModel);
      return { status: 200, body: { total: entities.length, entities, selfUri: SOURCES_PATH } };
    },
  },
  {
    method: 'POST',
    pattern: SOURCES_PATH,
    handle(context) {
      const input = parseBody(createSourceSchema, context.body);
      assertNameFree(context.state, input.name);
      // 200 vs 201 is UNCONFIRMED; many Genesys create operations answer 200.
      return { status: 200, body: toSourceModel(context.state.createSource(input.name, input.description)) };
    },
  },
  {
    method: 'GET',
    pattern: `${SOURCES_PATH}/:sourceId`,
    handle(context) {
      return { status: 200, body: toSourceModel(requireSource(context)) };
    },
  },
  {
    method: 'PUT',
    pattern: `${SOURCES_PATH}/:sourceId`,
    handle(context) {
      const source = requireSource(context);
      refuseSystemSource(context, source);
      const input = parseBody(updateSourceSchema, context.body);
      const staysActive = input.deactivated === undefined ? !source.deactivated : !input.deactivated;
      if (source.deactivated && staysActive && context.faults.refuseSourceReactivation) {
        // What Genesys answers when it will not reactivate a source is undocumented; a 400 with the
        // generic code is what its API answers for a request it considers invalid.
        throw badRequest(`Presence source ${source.id} is deactivated and cannot be reactivated.`);
      }
      if (staysActive) assertNameFree(context.state, input.name, source.id);
      return { status: 200, body: toSourceModel(context.state.updateSource(source.id, input)) };
    },
  },
  {
    method: 'DELETE',
    pattern: `${SOURCES_PATH}/:sourceId`,
    handle(context) {
      const source = requireSource(context);
      refuseSystemSource(context, source);
      context.state.deleteSource(source.id);
      return { status: 204 };
    },
  },
];
