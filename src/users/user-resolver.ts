/**
 * Which Genesys user an external user is (docs/architecture.md: users matched by email): USER_MAPPING_FILE
 * overrides first, then email (case-insensitive). The email comes from the event, or from the system's
 * directory (Teams object id → mail/UPN, RingCentral extension → contact.email).
 */
import type { StateKey } from '../store/state-store';
import type { SystemName } from '../systems';
import type { EmailLookup } from './email-lookup';
import type { GenesysUserRef, UserMappingOverrides } from './user-mapping-file';

/**
 * `email` is the external user's email the match was made with, when one was known (from the event or
 * the system's directory): the worker remembers it with the record, so `status` and the status page name
 * a RingCentral or Teams user by email, not by an opaque id.
 */
export type UserMatch =
  | { readonly kind: 'matched'; readonly genesysUserId: string; readonly email?: string }
  | { readonly kind: 'unmatched'; readonly reason: string; readonly email?: string };

/** Per-system email directory for systems whose events carry no email. */
export type EmailDirectory = (key: StateKey) => Promise<string | undefined>;

export interface UserResolverDeps {
  /** The USER_MAPPING_FILE overrides, or a getter for the ones in effect (the file is reloaded when it changes). */
  readonly overrides: UserMappingOverrides | (() => UserMappingOverrides);
  readonly lookup: EmailLookup;
  readonly directories?: Partial<Record<SystemName, EmailDirectory>>;
}

export function createUserResolver(deps: UserResolverDeps) {
  const byRef = async (ref: GenesysUserRef, via: string): Promise<UserMatch> => {
    if (ref.kind === 'id') return { kind: 'matched', genesysUserId: ref.id };
    const id = await deps.lookup.find(ref.email);
    return id ? { kind: 'matched', genesysUserId: id } : { kind: 'unmatched', reason: `${via} names ${ref.email}, but no Genesys user has that email` };
  };

  /** Resolves the Genesys user for a key; `email` is the one recorded with the event, if any. */
  return async function resolveUser(key: StateKey, email?: string): Promise<UserMatch> {
    const overrides = typeof deps.overrides === 'function' ? deps.overrides() : deps.overrides;
    const byKey = overrides.byKey.get(`${key.system}:${key.externalUserId}`);
    if (byKey) return byRef(byKey, 'USER_MAPPING_FILE');
    const externalEmail = email ?? (await deps.directories?.[key.system]?.(key));
    if (!externalEmail) {
      return {
        kind: 'unmatched',
        reason: `no email known for ${key.system} user ${key.externalUserId}; add it to USER_MAPPING_FILE`,
      };
    }
    const byEmail = overrides.byEmail.get(externalEmail.toLowerCase());
    if (byEmail) return { ...(await byRef(byEmail, 'USER_MAPPING_FILE')), email: externalEmail };
    const id = await deps.lookup.find(externalEmail);
    return id
      ? { kind: 'matched', genesysUserId: id, email: externalEmail }
      : {
          kind: 'unmatched',
          reason: `no Genesys user has the email ${externalEmail.toLowerCase()}; add a row to USER_MAPPING_FILE if the addresses differ`,
          email: externalEmail,
        };
  };
}

export type UserResolver = ReturnType<typeof createUserResolver>;
