/**
 * Per-source user presence (docs/vendors.md#genesys-presence-writes): the PATCH the bridge writes with, the
 * reads it reconciles with, and the calls that touch a primary source, which the sandbox answers
 * like Genesys but records as violations (docs/architecture.md: the primary source is never written).
 */
import * as z from 'zod';
import { badRequest, notFound, SandboxHttpError, SANDBOX_ERROR_CODES } from './sandbox-errors';
import { displaySpelling } from './sandbox-presence-definitions';
import type { Route, RouteContext } from './sandbox-router';
import { isPurecloudSourceId, PURECLOUD_SOURCE_ID, type SandboxPresence, type SandboxState, type SandboxUser } from './sandbox-state';
import { hasKey, parseBody, queryList } from './sandbox-validation';
import { VIOLATION_REASONS } from './sandbox-violations';

/**
 * `GET /users/presences/{sourceId}/bulk`: "A comma separated list of user IDs … Limit 50."
 * (docs/vendors.md#genesys-bulk-presence-read).
 */
export const BULK_READ_LIMIT = 50;
/** The bulk PUT size limit is not documented; the sandbox uses the read limit. */
export const BULK_WRITE_LIMIT = 50;

const presencePatchSchema = z.object({
  presenceDefinition: z.object({ id: z.string().min(1, 'presenceDefinition.id is required') }).optional(),
  message: z.string().optional(),
  primary: z.boolean().optional(),
});
type PresencePatch = z.infer<typeof presencePatchSchema>;

const bulkPresenceSchema = z
  .array(
    presencePatchSchema.extend({
      // MutableUserPresence has no userId; how bulk PUT names the user is not documented
      // by Genesys, so the sandbox accepts `userId` or `id`.
      userId: z.string().optional(),
      id: z.string().optional(),
      sourceId: z.string().optional(),
      source: z.string().optional(),
    }),
  )
  .max(BULK_WRITE_LIMIT, `at most ${BULK_WRITE_LIMIT} presences per request`);

const primarySourceSchema = z.object({ sourceId: z.string().min(1, 'sourceId is required') });

function requireUser(state: SandboxState, userId: string | undefined): SandboxUser {
  const user = state.getUser(userId ?? '');
  if (!user) throw notFound(`User ${userId} not found.`);
  return user;
}

/** Is this source id a registered one (PURECLOUD or a System-type source)? */
function isRegistered(state: SandboxState, sourceId: string): boolean {
  return isPurecloudSourceId(sourceId) || state.getSource(sourceId)?.type === 'System';
}

/**
 * Checks that a source can take a presence write. Status codes for unknown, deactivated and
 * registered sources are not documented (docs/vendors.md#genesys-open-questions-and-how-the-code-hedges):
 * the sandbox answers 404, 400 and 400.
 */
function assertWritableSource(context: RouteContext, sourceId: string): void {
  if (isPurecloudSourceId(sourceId)) return;
  const source = context.state.getSource(sourceId);
  if (!source) throw notFound(`Presence source ${sourceId} not found.`);
  if (source.type === 'System') {
    context.violate(VIOLATION_REASONS.wroteRegisteredSourcePresence);
    throw badRequest('This endpoint does not support registered presence sources.');
  }
  if (source.deactivated) throw badRequest(`Presence source ${sourceId} is deactivated.`);
}

/**
 * What Genesys answers for a definition id it does not know is UNCONFIRMED. The sandbox answers 404
 * for the id of a definition deleted in this org (e.g. an org-defined presence deleted and re-created,
 * which changes its id), and 400 for an id it never had or a deactivated one.
 */
function assertDefinition(state: SandboxState, definitionId: string): void {
  const definition = state.getDefinition(definitionId);
  if (!definition && state.wasDefinitionDeleted(definitionId)) throw notFound(`Presence definition ${definitionId} not found.`);
  if (!definition || definition.deactivated) {
    throw new SandboxHttpError(400, SANDBOX_ERROR_CODES.invalidValue, `Presence definition ${definitionId} is not valid.`);
  }
}

/** The UserPresence model (no userId). `systemPresence` uses the display spelling ("On Queue"), as a captured real payload does. */
function toUserPresence(state: SandboxState, userId: string, sourceId: string, presence: SandboxPresence): Record<string, unknown> {
  const definition = state.getDefinition(presence.definitionId);
  const id = isPurecloudSourceId(sourceId) ? PURECLOUD_SOURCE_ID : sourceId;
  return {
    source: id,
    sourceId: id,
    primary: state.primarySourceOf(userId) === id,
    presenceDefinition: {
      id: presence.definitionId,
      systemPresence: definition ? displaySpelling(definition.systemPresence) : undefined,
      selfUri: `/api/v2/presencedefinitions/${presence.definitionId}`,
    },
    message: presence.message,
    modifiedDate: presence.modifiedDate,
    selfUri: `/api/v2/users/${userId}/presences/${id}`,
  };
}

/** Every user has a PURECLOUD presence; one never set reads as Offline. */
function readPresence(state: SandboxState, userId: string, sourceId: string): SandboxPresence | undefined {
  const stored = state.getPresence(userId, sourceId);
  if (stored || !isPurecloudSourceId(sourceId)) return stored;
  return { definitionId: state.systemDefinition('Offline').id, message: '', modifiedDate: new Date(0).toISOString() };
}

/** Applies one validated presence patch and records it as a write. */
function applyPatch(context: RouteContext, userId: string, sourceId: string, patch: PresencePatch): SandboxPresence {
  const { state } = context;
  const existing = state.getPresence(userId, sourceId);
  const presence = state.setPresence(userId, sourceId, {
    // Whether a first PATCH with only a message creates a presence is not documented
    // by Genesys; the sandbox creates one, defaulting to Offline.
    definitionId: patch.presenceDefinition?.id ?? existing?.definitionId ?? state.systemDefinition('Offline').id,
    message: patch.message ?? existing?.message ?? '',
    modifiedDate: new Date(context.now).toISOString(),
  });
  context.recordWrite({
    userId,
    sourceId: isPurecloudSourceId(sourceId) ? PURECLOUD_SOURCE_ID : sourceId,
    ...(patch.presenceDefinition ? { definitionId: patch.presenceDefinition.id } : {}),
    ...(patch.message !== undefined ? { message: patch.message } : {}),
  });
  // `primary: true` makes the path's source the primary (docs/vendors.md#genesys-presence-patch); what
  // `false` does is not documented — the sandbox un-sets it when it was this source.
  if (patch.primary === true) state.setPrimarySource(userId, sourceId);
  if (patch.primary === false && state.primarySourceOf(userId) === sourceId) state.setPrimarySource(userId, PURECLOUD_SOURCE_ID);
  return presence;
}

function primarySourceModel(state: SandboxState, userId: string): Record<string, unknown> {
  const sourceId = state.primarySourceOf(userId);
  return {
    id: userId,
    sourceId,
    registered: isRegistered(state, sourceId),
    selfUri: `/api/v2/presence/users/${userId}/primarysource`,
  };
}

/** Routes of user presence and primary source. */
export const presenceRoutes: readonly Route[] = [
  {
    method: 'GET',
    pattern: '/api/v2/users/presences/:sourceId/bulk',
    handle(context) {
      const sourceId = context.params.sourceId ?? '';
      const ids = queryList(context.query, 'id');
      if (ids.length === 0) throw badRequest('Query parameter id is required (comma-separated user ids).');
      if (ids.length > BULK_READ_LIMIT) throw badRequest(`At most ${BULK_READ_LIMIT} user ids may be requested; got ${ids.length}.`);
      if (!isPurecloudSourceId(sourceId) && !context.state.getSource(sourceId)) throw notFound(`Presence source ${sourceId} not found.`);
      // Users that are unknown or have no presence on this source are left out (UNCONFIRMED).
      const entries = ids.flatMap((userId) => {
        if (!context.state.getUser(userId)) return [];
        const presence = readPresence(context.state, userId, sourceId);
        if (!presence) return [];
        const { primary: _primary, ...model } = toUserPresence(context.state, userId, sourceId, presence);
        return [{ userId, ...model }];
      });
      return { status: 200, body: entries };
    },
  },
  {
    method: 'PUT',
    pattern: '/api/v2/users/presences/bulk',
    handle(context) {
      const items = Array.isArray(context.body) ? context.body : [];
      if (items.some((item) => hasKey(item, 'primary') || isPurecloudSourceId(String(sourceOf(item) ?? '')))) {
        context.violate(VIOLATION_REASONS.primaryInBulkPresence);
      }
      const patches = parseBody(bulkPresenceSchema, context.body);
      // Validate everything first so a bad element changes nothing.
      const targets = patches.map((patch, index) => {
        const userId = patch.userId ?? patch.id;
        const sourceId = patch.sourceId ?? patch.source;
        if (!userId || !sourceId) throw badRequest(`Element ${index} needs userId (or id) and sourceId.`);
        requireUser(context.state, userId);
        assertWritableSource(context, sourceId);
        if (patch.presenceDefinition) assertDefinition(context.state, patch.presenceDefinition.id);
        return { userId, sourceId, patch };
      });
      const body = targets.map(({ userId, sourceId, patch }) => toUserPresence(context.state, userId, sourceId, applyPatch(context, userId, sourceId, patch)));
      return { status: 200, body };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v2/users/:userId/presences/:sourceId',
    handle(context) {
      const user = requireUser(context.state, context.params.userId);
      const sourceId = context.params.sourceId ?? '';
      if (!isPurecloudSourceId(sourceId)) {
        const source = context.state.getSource(sourceId);
        if (!source) throw notFound(`Presence source ${sourceId} not found.`);
        if (source.type === 'System') throw badRequest('This endpoint does not support registered presence sources.');
      }
      const presence = readPresence(context.state, user.id, sourceId);
      // UNCONFIRMED: what Genesys answers for a custom source the user never had a presence on.
      // The sandbox answers 404, so clients must treat "no presence yet" as a normal case.
      if (!presence) throw notFound(`User ${user.id} has no presence on source ${sourceId}.`);
      return { status: 200, body: toUserPresence(context.state, user.id, sourceId, presence) };
    },
  },
  {
    method: 'PATCH',
    pattern: '/api/v2/users/:userId/presences/:sourceId',
    handle(context) {
      const sourceId = context.params.sourceId ?? '';
      // Recorded before any validation: the attempt is the bug, whatever Genesys answers.
      if (isPurecloudSourceId(sourceId)) context.violate(VIOLATION_REASONS.patchedPurecloudPresence);
      if (hasKey(context.body, 'primary')) context.violate(VIOLATION_REASONS.primaryInPresencePatch);
      const user = requireUser(context.state, context.params.userId);
      assertWritableSource(context, sourceId);
      const patch = parseBody(presencePatchSchema, context.body);
      if (!patch.presenceDefinition && patch.message === undefined && patch.primary === undefined) {
        throw badRequest('Provide presenceDefinition, message or primary.');
      }
      if (patch.presenceDefinition) assertDefinition(context.state, patch.presenceDefinition.id);
      const presence = applyPatch(context, user.id, sourceId, patch);
      return { status: 200, body: toUserPresence(context.state, user.id, sourceId, presence) };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v2/presence/users/:userId/primarysource',
    handle(context) {
      const user = requireUser(context.state, context.params.userId);
      return { status: 200, body: primarySourceModel(context.state, user.id) };
    },
  },
  {
    method: 'PUT',
    pattern: '/api/v2/presence/users/:userId/primarysource',
    handle(context) {
      context.violate(VIOLATION_REASONS.changedPrimarySource);
      const user = requireUser(context.state, context.params.userId);
      const { sourceId } = parseBody(primarySourceSchema, context.body);
      if (!isPurecloudSourceId(sourceId) && !context.state.getSource(sourceId)) {
        throw badRequest(`Presence source ${sourceId} not found.`);
      }
      context.state.setPrimarySource(user.id, sourceId);
      return { status: 200, body: primarySourceModel(context.state, user.id) };
    },
  },
];

function sourceOf(item: unknown): unknown {
  if (typeof item !== 'object' || item === null) return undefined;
  const record = item as Record<string, unknown>;
  return record.sourceId ?? record.source;
}
