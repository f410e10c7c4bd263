/**
 * Webhook bodies the benchmarks send, built the way the vendors send them: Zoom
 * `user.presence_status_updated` events (signed by the caller with the production signer) and Microsoft
 * Graph change-notification batches (basic presence notifications: ids only, checked by clientState).
 */

/** Zoom presence values that map to different Genesys states (CONTRACT.md default mapping). */
export const ZOOM_STATUSES = ['Available', 'Away', 'Do_Not_Disturb', 'In_Meeting', 'On_Phone_Call', 'Offline'] as const;

export function benchUserEmail(index: number): string {
  return `bench-user-${index}@example.com`;
}

export function benchZoomUserId(index: number): string {
  return `benchzoom${index}`;
}

/** Zoom's `date_time` format: ISO 8601 with whole seconds. */
function zoomDateTime(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * A `user.presence_status_updated` body for one user. `atMs` is when the status changed: it becomes
 * `date_time` (seconds) and `event_ts` (milliseconds), which order events per user.
 */
export function zoomPresenceBody(userIndex: number, status: string, atMs: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      event: 'user.presence_status_updated',
      event_ts: atMs,
      payload: {
        account_id: 'BenchAccount01',
        object: { date_time: zoomDateTime(atMs), email: benchUserEmail(userIndex), id: benchZoomUserId(userIndex), presence_status: status },
      },
    }),
  );
}

export interface GraphBatchOptions {
  readonly subscriptionId: string;
  readonly clientState: string;
  readonly tenantId: string;
  readonly batchSize: number;
  /** Index of the first user; the batch covers `batchSize` consecutive users. */
  readonly firstUser: number;
}

/** A Graph id for bench user `index` (a GUID-shaped string). */
export function benchTeamsUserId(index: number): string {
  return `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
}

/**
 * A changeNotificationCollection of `batchSize` basic presence notifications
 * (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks): the shape Graph sends for
 * a presence subscription without `includeResourceData`.
 */
export function graphBatchBody(options: GraphBatchOptions): Buffer {
  const value = [];
  for (let i = 0; i < options.batchSize; i += 1) {
    const userId = benchTeamsUserId(options.firstUser + i);
    value.push({
      subscriptionId: options.subscriptionId,
      subscriptionExpirationDateTime: '2030-01-01T00:00:00.0000000Z',
      changeType: 'updated',
      resource: `communications/presences('${userId}')`,
      resourceData: { '@odata.type': '#Microsoft.Graph.presence', '@odata.id': `communications/presences('${userId}')`, id: userId },
      clientState: options.clientState,
      tenantId: options.tenantId,
    });
  }
  return Buffer.from(JSON.stringify({ value }));
}
