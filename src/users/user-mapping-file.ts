/**
 * USER_MAPPING_FILE: explicit external-user → Genesys-user overrides, JSON or CSV.
 *
 * An external side is `system:externalUserId` (e.g. `zoom:KDcuGIm1QgePTO8WbOqwIQ`) or an email; a
 * Genesys side is a Genesys user id or a Genesys email. Formats:
 * - JSON object: `{ "zoom:KDcu…": "jane@corp.example", "j.doe@zoom.example": "0a1b…" }`
 * - JSON array: `[ { "external": "…", "genesys": "…" } ]`
 * - CSV with a header row naming `external` and `genesys` columns.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InvalidInputError } from '../errors';
import { isSystemName } from '../systems';

export type GenesysUserRef = { readonly kind: 'id'; readonly id: string } | { readonly kind: 'email'; readonly email: string };

export interface UserMappingOverrides {
  /** By `system:externalUserId` (system lower-case, id exactly as given: Zoom ids are case-sensitive). */
  readonly byKey: ReadonlyMap<string, GenesysUserRef>;
  /** By external email, lower-cased. */
  readonly byEmail: ReadonlyMap<string, GenesysUserRef>;
}

export const NO_OVERRIDES: UserMappingOverrides = { byKey: new Map(), byEmail: new Map() };

function parseGenesysRef(value: string, at: string): GenesysUserRef {
  const trimmed = value.trim();
  if (!trimmed) throw new InvalidInputError(`${at}: the Genesys user is empty; give a Genesys user id or email`);
  return trimmed.includes('@') ? { kind: 'email', email: trimmed.toLowerCase() } : { kind: 'id', id: trimmed };
}

function addRow(byKey: Map<string, GenesysUserRef>, byEmail: Map<string, GenesysUserRef>, external: string, genesys: string, at: string): void {
  const ext = external.trim();
  const ref = parseGenesysRef(genesys, at);
  if (ext.includes('@') && !/^[a-z]+:/i.test(ext)) {
    byEmail.set(ext.toLowerCase(), ref);
    return;
  }
  const colon = ext.indexOf(':');
  const system = ext.slice(0, colon).toLowerCase();
  if (colon <= 0 || !isSystemName(system) || colon === ext.length - 1) {
    throw new InvalidInputError(`${at}: external user "${ext}" must be an email or system:externalUserId with system teams, zoom or ringcentral`);
  }
  // Ids are kept exactly as written: Zoom user ids are case-sensitive (docs/zoom.md), so `zoom:KDcu…`
  // matches only the user Zoom calls `KDcu…`, and `zoom backfill` reads it by that exact id.
  const id = ext.slice(colon + 1);
  byKey.set(`${system}:${id}`, ref);
}

/** Splits one CSV line, honouring double quotes. */
function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells.map((c) => c.trim());
}

/** Parses the text of a mapping file; `name` is used in error messages. */
export function parseUserMapping(text: string, name: string): UserMappingOverrides {
  const byKey = new Map<string, GenesysUserRef>();
  const byEmail = new Map<string, GenesysUserRef>();
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (error) {
      throw new InvalidInputError(`${name}: not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    if (Array.isArray(json)) {
      json.forEach((row, index) => {
        const at = `${name}[${index}]`;
        if (typeof row !== 'object' || row === null || typeof row.external !== 'string' || typeof row.genesys !== 'string') {
          throw new InvalidInputError(`${at}: each entry needs string "external" and "genesys" fields`);
        }
        addRow(byKey, byEmail, row.external, row.genesys, at);
      });
    } else {
      for (const [external, genesys] of Object.entries(json as Record<string, unknown>)) {
        const at = `${name}: "${external}"`;
        if (typeof genesys !== 'string') throw new InvalidInputError(`${at}: value must be a Genesys user id or email`);
        addRow(byKey, byEmail, external, genesys, at);
      }
    }
    return { byKey, byEmail };
  }
  const lines = trimmed.split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.toLowerCase());
  const externalCol = header.indexOf('external');
  const genesysCol = header.indexOf('genesys');
  if (externalCol < 0 || genesysCol < 0) {
    throw new InvalidInputError(`${name}: the CSV header must name the columns "external" and "genesys"`);
  }
  lines.slice(1).forEach((line, index) => {
    if (!line.trim() || line.trim().startsWith('#')) return;
    const cells = splitCsvLine(line);
    addRow(byKey, byEmail, cells[externalCol] ?? '', cells[genesysCol] ?? '', `${name} line ${index + 2}`);
  });
  return { byKey, byEmail };
}

/** Reads USER_MAPPING_FILE (JSON or CSV), or returns no overrides when unset. */
export function loadUserMapping(file: string | undefined): UserMappingOverrides {
  if (!file) return NO_OVERRIDES;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvalidInputError(`USER_MAPPING_FILE: cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseUserMapping(text, `USER_MAPPING_FILE (${path.basename(file)})`);
}
