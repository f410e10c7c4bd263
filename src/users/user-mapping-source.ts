/**
 * USER_MAPPING_FILE as a live value: the overrides in effect now, and a fingerprint (size, mtime and
 * a SHA-256 of the content) so the maintainer can tell when the file changed, reload it, and retry
 * the users recorded as unmatched (docs/genesys.md, "Unmatched users").
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { describeError } from '../errors';
import type { Logger } from '../logger';
import { loadUserMapping, NO_OVERRIDES, type UserMappingOverrides } from './user-mapping-file';

export interface UserMappingSource {
  /** The overrides in effect. */
  current(): UserMappingOverrides;
  /** The fingerprint of the file as last loaded; `none` without a file. */
  fingerprint(): string;
  /**
   * Re-reads the file when its size or mtime moved (or its content, checked then). A file that no
   * longer parses keeps the previous overrides and is logged with what to fix. Returns true when the
   * overrides changed.
   */
  reloadIfChanged(): boolean;
}

interface FileState {
  readonly statKey: string;
  readonly fingerprint: string;
}

function statKey(file: string): string {
  const stat = fs.statSync(file);
  return `${stat.size}:${stat.mtimeMs}`;
}

function contentFingerprint(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Loads `file` now (a bad file stops the start, as before) and watches it on `reloadIfChanged`. */
export function createUserMappingSource(file: string | undefined, logger?: Logger): UserMappingSource {
  if (!file) {
    return { current: () => NO_OVERRIDES, fingerprint: () => 'none', reloadIfChanged: () => false };
  }
  let overrides = loadUserMapping(file);
  let state: FileState = { statKey: statKey(file), fingerprint: contentFingerprint(file) };
  return {
    current: () => overrides,
    fingerprint: () => state.fingerprint,
    reloadIfChanged() {
      let key: string;
      try {
        key = statKey(file);
      } catch (error) {
        logger?.warn('USER_MAPPING_FILE cannot be read; keeping the overrides loaded before', { file, error: describeError(error) });
        return false;
      }
      if (key === state.statKey) return false;
      try {
        const fingerprint = contentFingerprint(file);
        if (fingerprint === state.fingerprint) {
          state = { statKey: key, fingerprint };
          return false;
        }
        overrides = loadUserMapping(file);
        state = { statKey: key, fingerprint };
        logger?.info('USER_MAPPING_FILE changed; overrides reloaded', { file, external: overrides.byKey.size + overrides.byEmail.size });
        return true;
      } catch (error) {
        logger?.error('USER_MAPPING_FILE changed but cannot be used; keeping the overrides loaded before. Fix the file', {
          file,
          error: describeError(error),
        });
        return false;
      }
    },
  };
}
