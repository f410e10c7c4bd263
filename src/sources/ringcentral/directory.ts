/**
 * RingCentral extension → email directory. Presence notifications carry no email, so the worker resolves
 * the user through this directory (USER_MAPPING_FILE overrides come first, in the user resolver).
 *
 * Filled from `GET /restapi/v1.0/account/~/extension` (paged; group Medium; permission ReadAccounts), the
 * email being `contact.email` (https://developers.ringcentral.com/api-reference/Extensions/listExtensions).
 * Stored as small documents: an index `ringcentral-directory` and 16 shards `ringcentral-directory/N`, so a
 * large account stays far below per-item size limits (DynamoDB: 400 KB) and one lookup reads one shard.
 */
import type { DocumentStore, StateKey } from '../../store/state-store';
import type { RingCentralClient } from './client';
import { overwriteDocument } from './documents';
import { RingCentralExtensionPageSchema, RingCentralExtensionSchema, type RingCentralExtension } from './schema';

export const RINGCENTRAL_DIRECTORY_DOCUMENT = 'ringcentral-directory';
export const RINGCENTRAL_DIRECTORY_SHARDS = 16;
export const RINGCENTRAL_EXTENSIONS_PATH = '/restapi/v1.0/account/~/extension';

/** What the directory knows about one extension. */
export interface RingCentralDirectoryEntry {
  /** `contact.email`, lower-cased. */
  readonly email?: string;
  /** `User`, `Department`, `IvrMenu`, … */
  readonly type?: string;
  /** `Enabled`, `Disabled`, `NotActivated`, … */
  readonly status?: string;
}

/** The index document. */
export interface RingCentralDirectoryIndex {
  readonly shards: number;
  readonly extensions: number;
  readonly withEmail: number;
  readonly refreshedAt: string;
}

type Shard = Record<string, RingCentralDirectoryEntry>;

export interface RingCentralDirectoryRefreshResult {
  readonly extensions: number;
  readonly withEmail: number;
  /** Records that did not parse (no id). */
  readonly skipped: number;
  readonly pages: number;
}

/** Which shard holds an extension (FNV-1a of the id). */
export function ringCentralDirectoryShard(extensionId: string, shards: number = RINGCENTRAL_DIRECTORY_SHARDS): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < extensionId.length; i++) {
    hash ^= extensionId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

function shardName(index: number): string {
  return `${RINGCENTRAL_DIRECTORY_DOCUMENT}/${index}`;
}

/** Emails are matched case-insensitively (docs/architecture.md: users matched by email); empty means unknown. */
export function normalizeRingCentralEmail(email: string | undefined): string | undefined {
  const trimmed = email?.trim().toLowerCase();
  return trimmed ? trimmed : undefined;
}

/** Guard against a server that never stops paging: 1000 pages of up to 1000 records. */
export const RINGCENTRAL_MAX_PAGES = 1000;

export interface ListRingCentralExtensionsOptions {
  readonly perPage?: number;
}

/** Reads every extension of the account, page by page. */
export async function listRingCentralExtensions(
  client: RingCentralClient,
  options: ListRingCentralExtensionsOptions = {},
): Promise<{ extensions: RingCentralExtension[]; skipped: number; pages: number }> {
  const perPage = options.perPage ?? 1000;
  const maxPages = RINGCENTRAL_MAX_PAGES;
  const extensions: RingCentralExtension[] = [];
  let skipped = 0;
  let page = 1;
  for (; page <= maxPages; page++) {
    const data = await client.request({ method: 'GET', path: RINGCENTRAL_EXTENSIONS_PATH, group: 'Medium', query: { page, perPage } });
    const parsed = RingCentralExtensionPageSchema.parse(data ?? {});
    for (const record of parsed.records) {
      const extension = RingCentralExtensionSchema.safeParse(record);
      if (extension.success) extensions.push(extension.data);
      else skipped++;
    }
    const totalPages = parsed.paging?.totalPages;
    const more = parsed.navigation?.nextPage !== undefined || (totalPages !== undefined && page < totalPages);
    if (!more || parsed.records.length === 0) break;
  }
  return { extensions, skipped, pages: Math.min(page, maxPages) };
}

/** Re-reads the extension list and replaces the stored directory. */
export async function refreshRingCentralDirectory(
  client: RingCentralClient,
  documents: DocumentStore,
  options: ListRingCentralExtensionsOptions & { readonly now?: () => number } = {},
): Promise<RingCentralDirectoryRefreshResult> {
  const { extensions, skipped, pages } = await listRingCentralExtensions(client, options);
  const shards: Shard[] = Array.from({ length: RINGCENTRAL_DIRECTORY_SHARDS }, () => ({}));
  let withEmail = 0;
  for (const extension of extensions) {
    const email = normalizeRingCentralEmail(extension.contact?.email);
    if (email) withEmail++;
    const entry: RingCentralDirectoryEntry = {
      ...(email ? { email } : {}),
      ...(extension.type ? { type: extension.type } : {}),
      ...(extension.status ? { status: extension.status } : {}),
    };
    shards[ringCentralDirectoryShard(extension.id)][extension.id] = entry;
  }
  for (let i = 0; i < shards.length; i++) await overwriteDocument(documents, shardName(i), shards[i]);
  const index: RingCentralDirectoryIndex = {
    shards: RINGCENTRAL_DIRECTORY_SHARDS,
    extensions: extensions.length,
    withEmail,
    refreshedAt: new Date((options.now ?? Date.now)()).toISOString(),
  };
  await overwriteDocument(documents, RINGCENTRAL_DIRECTORY_DOCUMENT, index);
  return { extensions: extensions.length, withEmail, skipped, pages };
}

/** The whole stored directory (for the per-extension subscription fallback and the CLI). */
export async function readRingCentralDirectory(documents: DocumentStore): Promise<Map<string, RingCentralDirectoryEntry>> {
  const entries = new Map<string, RingCentralDirectoryEntry>();
  const index = await documents.getDocument<RingCentralDirectoryIndex>(RINGCENTRAL_DIRECTORY_DOCUMENT);
  if (!index) return entries;
  for (let i = 0; i < index.value.shards; i++) {
    const shard = await documents.getDocument<Shard>(shardName(i));
    for (const [id, entry] of Object.entries(shard?.value ?? {})) entries.set(id, entry);
  }
  return entries;
}

/** Extensions worth a presence subscription: enabled users (type/status unknown counts as yes). */
export function isRingCentralUserExtension(entry: RingCentralDirectoryEntry): boolean {
  const typeOk = entry.type === undefined || entry.type.toLowerCase() === 'user';
  const statusOk = entry.status === undefined || entry.status.toLowerCase() === 'enabled';
  return typeOk && statusOk;
}

/** How long a read shard of the email directory is reused before it is read again. */
const EMAIL_DIRECTORY_CACHE_MS = 60_000;

/**
 * The `EmailDirectory` the user resolver consults for RingCentral keys: extension id → email, or
 * undefined when unknown (the key is then recorded as unmatched with a hint to USER_MAPPING_FILE).
 */
export function createRingCentralEmailDirectory(documents: DocumentStore): (key: StateKey) => Promise<string | undefined> {
  const cache = new Map<number, { at: number; shard: Promise<Shard> }>();
  return async (key) => {
    if (key.system !== 'ringcentral') return undefined;
    const index = ringCentralDirectoryShard(key.externalUserId);
    let hit = cache.get(index);
    if (!hit || Date.now() - hit.at >= EMAIL_DIRECTORY_CACHE_MS) {
      const shard = documents.getDocument<Shard>(shardName(index)).then((doc) => doc?.value ?? {});
      hit = { at: Date.now(), shard };
      cache.set(index, hit);
      // A failed read is not cached.
      shard.catch(() => cache.delete(index));
    }
    return (await hit.shard)[key.externalUserId]?.email;
  };
}
