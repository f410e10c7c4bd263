/**
 * User presence on the bridge's custom sources. `setSourcePresence` is the ONLY write of user presence in the
 * bridge (docs/architecture.md: the primary source is never written; writes are per user and per source):
 *
 *   PATCH /api/v2/users/{userId}/presences/{sourceId}  {"presenceDefinition":{"id":…},"message":…}
 *
 * Genesys documents three PATCH options; option 1, `primary: true`, makes the path's source the user's
 * primary, and what `primary: false` does is not documented — so the body never carries the key at all
 * (docs/vendors.md#genesys-presence-patch). The PURECLOUD source is the user's own Genesys presence and is
 * refused here. The user's primary source is only ever read, for reporting
 * (docs/vendors.md#genesys-bulk-presence-read).
 */
import { InvalidInputError } from '../errors';
import { silentLogger, type Logger } from '../logger';
import { GenesysApiError, GenesysPrimarySourceGuardError } from './genesys-errors';
import { segment, type GenesysHttp } from './http';

/** The exact body of the presence write. `primary` cannot be expressed. */
export interface PresenceWriteBody {
  readonly presenceDefinition: { readonly id: string };
  readonly message: string;
  readonly primary?: never;
}

/** `UserPresence` as read back (JS-SDK index.d.ts); `UcUserPresence` adds `userId` in bulk reads. */
export interface SourcePresence {
  readonly sourceId?: string;
  readonly source?: string;
  readonly presenceDefinition?: { readonly id?: string; readonly systemPresence?: string };
  readonly message?: string;
  readonly modifiedDate?: string;
}

export interface BulkSourcePresence extends SourcePresence {
  readonly userId: string;
}

/** `UserPrimarySource`: read only, for reports. */
export interface PrimarySourceInfo {
  readonly sourceId?: string;
  readonly registered?: boolean;
}

/** `GET /api/v2/users/presences/{sourceId}/bulk?id=…`: "Limit 50." (docs/vendors.md#genesys-bulk-presence-read). */
export const BULK_READ_CHUNK = 50;

/** Refuses the PURECLOUD source (any case) and an empty id; returns the trimmed id. */
export function assertCustomSourceId(sourceId: string): string {
  const id = sourceId.trim();
  if (id === '') throw new InvalidInputError('a presence write needs a source id');
  if (id.toLowerCase() === 'purecloud') {
    throw new GenesysPrimarySourceGuardError(
      "refusing to write the PURECLOUD presence: that is the user's own Genesys presence; the bridge writes only its custom sources",
    );
  }
  return id;
}

/** Builds the write body: exactly `presenceDefinition.id` and `message`, nothing else. */
export function buildPresenceWrite(definitionId: string, message: string): PresenceWriteBody {
  return { presenceDefinition: { id: definitionId }, message };
}

export interface PresenceApiOptions {
  readonly http: GenesysHttp;
  readonly logger?: Logger;
}

/** Reads and writes user presence on custom sources. */
export class PresenceApi {
  private readonly logger: Logger;

  constructor(private readonly options: PresenceApiOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /**
   * Sets one user's presence on one custom source. On a 404 (or a 400 that may mean a deactivated
   * source) it looks at the source once, so the error says whether the source or the user is gone
   * (`GenesysApiError.gone`) — the status Genesys uses for either is not documented
   * (docs/vendors.md#genesys-open-questions-and-how-the-code-hedges).
   */
  async setSourcePresence(userId: string, sourceId: string, definitionId: string, message: string): Promise<SourcePresence> {
    const source = assertCustomSourceId(sourceId);
    if (userId.trim() === '') throw new InvalidInputError('a presence write needs a Genesys user id');
    if (definitionId.trim() === '') throw new InvalidInputError('a presence write needs a presence definition id');
    try {
      return await this.options.http.request<SourcePresence>({
        method: 'PATCH',
        path: `/api/v2/users/${segment(userId)}/presences/${segment(source)}`,
        body: buildPresenceWrite(definitionId, message),
        // Enforced since 2025-07-20 (docs/vendors.md#genesys-presence-permission).
        permission: 'presence:userPresence:edit',
      });
    } catch (error) {
      if (error instanceof GenesysApiError && (error.status === 404 || error.status === 400)) {
        throw await this.explainMissing(error, source);
      }
      throw error;
    }
  }

  /** One user's presence on one source; undefined when there is none (the sandbox answers 404 then). */
  async getSourcePresence(userId: string, sourceId: string): Promise<SourcePresence | undefined> {
    try {
      return await this.options.http.request<SourcePresence>({
        method: 'GET',
        path: `/api/v2/users/${segment(userId)}/presences/${segment(sourceId)}`,
      });
    } catch (error) {
      if (error instanceof GenesysApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Presence of many users on one source, 50 per request; users without a presence are absent. */
  async getSourcePresenceBulk(sourceId: string, userIds: readonly string[]): Promise<Map<string, BulkSourcePresence>> {
    const unique = [...new Set(userIds.filter((id) => id.trim() !== ''))];
    const found = new Map<string, BulkSourcePresence>();
    for (let start = 0; start < unique.length; start += BULK_READ_CHUNK) {
      const chunk = unique.slice(start, start + BULK_READ_CHUNK);
      const entries = await this.options.http.request<BulkSourcePresence[]>({
        method: 'GET',
        path: `/api/v2/users/presences/${segment(sourceId)}/bulk`,
        query: { id: chunk },
      });
      for (const entry of Array.isArray(entries) ? entries : []) {
        if (entry && typeof entry.userId === 'string') found.set(entry.userId, entry);
      }
    }
    return found;
  }

  /** The user's primary source — read only, for reporting which source Genesys displays. */
  async getPrimarySource(userId: string): Promise<PrimarySourceInfo> {
    return this.options.http.request<PrimarySourceInfo>({
      method: 'GET',
      path: `/api/v2/presence/users/${segment(userId)}/primarysource`,
      permission: 'presence:userPrimarySource:view',
    });
  }

  private async explainMissing(error: GenesysApiError, sourceId: string): Promise<GenesysApiError> {
    try {
      const source = await this.options.http.request<{ deactivated?: boolean }>({
        method: 'GET',
        path: `/api/v2/presence/sources/${segment(sourceId)}`,
        permission: 'presence:source:view',
      });
      if (source?.deactivated === true) return error.withDetails({ gone: 'source' });
      return error.status === 404 ? error.withDetails({ gone: 'user' }) : error;
    } catch (lookup) {
      if (lookup instanceof GenesysApiError && lookup.status === 404) return error.withDetails({ gone: 'source' });
      this.logger.debug('could not tell whether the source or the user is gone', { error: String(lookup) });
      return error;
    }
  }
}
