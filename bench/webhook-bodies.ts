/**
 * Webhook bodies the benchmarks send, built the way the vendors send them: Zoom
 * `user.presence_status_updated` events (signed by the caller with the production signer) and Microsoft
 * Graph change-notification batches, basic (ids only, checked by clientState) and rich (encrypted
 * resource data plus a validation token).
 */
import crypto from 'node:crypto';

/** Zoom presence values that map to different Genesys states (README.md#presence-mapping). */
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

export interface GraphRichBatchOptions extends GraphBatchOptions {
  /** PEM certificate (or public key) whose private key the bridge holds (TEAMS_ENCRYPTION_*). */
  readonly certificatePem: string;
  readonly certificateId: string;
  /** One validation token for the batch's app and tenant, as Graph attaches. */
  readonly validationToken: string;
}

const RICH_STATES = [
  ['Available', 'Available'],
  ['Busy', 'InACall'],
  ['Busy', 'InAMeeting'],
  ['Away', 'Away'],
  ['DoNotDisturb', 'Presenting'],
  ['Offline', 'OffWork'],
] as const;

/**
 * A batch of rich presence notifications (`includeResourceData`), encrypted the way Graph does
 * (https://learn.microsoft.com/graph/change-notifications-with-resource-data#decrypting-resource-data-from-change-notifications):
 * a fresh AES-256 key per notification (CBC, IV = first 16 key bytes), HMAC-SHA256 `dataSignature`,
 * the key wrapped with RSA-OAEP (SHA-1) under the subscription's certificate.
 */
export function graphRichBatchBody(options: GraphRichBatchOptions, sequence: number): Buffer {
  const value = [];
  for (let i = 0; i < options.batchSize; i += 1) {
    const userId = benchTeamsUserId(options.firstUser + i);
    const [availability, activity] = RICH_STATES[(sequence + i) % RICH_STATES.length]!;
    const resource = { '@odata.type': '#Microsoft.Graph.presence', '@odata.id': `communications/presences('${userId}')`, id: userId, availability, activity };
    const key = crypto.randomBytes(32);
    const cipher = crypto.createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
    const data = Buffer.concat([cipher.update(JSON.stringify(resource), 'utf8'), cipher.final()]);
    value.push({
      subscriptionId: options.subscriptionId,
      subscriptionExpirationDateTime: '2030-01-01T00:00:00.0000000Z',
      changeType: 'updated',
      resource: `communications/presences('${userId}')`,
      resourceData: { '@odata.type': '#Microsoft.Graph.presence', '@odata.id': `communications/presences('${userId}')`, id: userId },
      clientState: options.clientState,
      tenantId: options.tenantId,
      encryptedContent: {
        data: data.toString('base64'),
        dataSignature: crypto.createHmac('sha256', key).update(data).digest('base64'),
        dataKey: crypto
          .publicEncrypt({ key: options.certificatePem, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, key)
          .toString('base64'),
        encryptionCertificateId: options.certificateId,
        encryptionCertificateThumbprint: 'bench-thumbprint',
      },
    });
  }
  return Buffer.from(JSON.stringify({ value, validationTokens: [options.validationToken] }));
}
