/**
 * The sandbox organization's data: users, presence sources, presence definitions, per-source user
 * presences and primary sources. Plain data, no HTTP; every mutation notifies `onChange` so the
 * state file can be saved.
 */
import { randomUUID } from 'node:crypto';
import { createSystemDefinitions, parseSystemPresence, type SandboxDefinition } from './sandbox-presence-definitions';
import type { SandboxSourceType, SandboxUserSeed } from './sandbox-types';

/** Source id of the Genesys-owned presence source every user starts with as primary. */
export const PURECLOUD_SOURCE_ID = 'PURECLOUD';

export interface SandboxUser {
  id: string;
  email: string;
  name: string;
  state: 'active' | 'inactive';
}

export interface SandboxSource {
  id: string;
  name: string;
  description?: string;
  type: SandboxSourceType;
  deactivated: boolean;
  /**
   * The type Genesys reports for the source when it differs from what it is (`type` is
   * UNCONFIRMED: Genesys may report a source differently than at creation). Reporting only: the
   * source keeps behaving as `type`.
   */
  reportedType?: SandboxSourceType;
}

export interface SandboxPresence {
  definitionId: string;
  message: string;
  modifiedDate: string;
}

/** Everything that survives a restart when a state file is used. */
export interface SandboxSnapshot {
  version: 1;
  users: SandboxUser[];
  sources: SandboxSource[];
  definitions: SandboxDefinition[];
  presences: Array<{ userId: string } & { sourceId: string } & SandboxPresence>;
  primarySources: Array<{ userId: string; sourceId: string }>;
}

/**
 * Registered sources present in every org with the Teams / Zoom Phone integrations (an inference from
 * the SDK's `integrationPresenceSource` enum,
 * https://github.com/MyPureCloud/platform-client-sdk-python/blob/master/build/docs/UsersApi.md).
 * "Microsoft Teams" is the bridge's default custom source name too (README.md#configuration), so a
 * client that matches by name alone, ignoring `type`, picks this one and gets caught.
 */
const REGISTERED_SOURCE_NAMES = ['Microsoft Teams', 'Zoom Phone'] as const;

/** Demo users for `seedDemoUsers`. */
export const DEMO_USERS: readonly SandboxUserSeed[] = [
  { email: 'alice@example.com', name: 'Alice Anderson' },
  { email: 'bob@example.com', name: 'Bob Brown' },
  { email: 'carol@example.com', name: 'Carol Clark' },
  { email: 'dave@example.com', name: 'Dave Davis' },
  { email: 'erin@example.com', name: 'Erin Evans' },
];

function presenceKey(userId: string, sourceId: string): string {
  return `${userId}\u0000${sourceId}`;
}

/** Is this path segment the PURECLOUD source? Genesys paths use `purecloud`. */
export function isPurecloudSourceId(sourceId: string): boolean {
  return sourceId.toUpperCase() === PURECLOUD_SOURCE_ID;
}

/** In-memory organization. Construct with `createFresh()` or `fromSnapshot()`. */
export class SandboxState {
  private readonly users = new Map<string, SandboxUser>();
  private readonly sources = new Map<string, SandboxSource>();
  private readonly definitionList: SandboxDefinition[] = [];
  private readonly presences = new Map<string, SandboxPresence>();
  private readonly primarySources = new Map<string, string>();
  private readonly deletedDefinitionIds = new Set<string>();

  private constructor(private readonly onChange: () => void) {}

  /** A new organization: system definitions and registered sources, no users. */
  static createFresh(onChange: () => void = () => undefined): SandboxState {
    const state = new SandboxState(onChange);
    state.definitionList.push(...createSystemDefinitions());
    for (const name of REGISTERED_SOURCE_NAMES) {
      const id = randomUUID();
      state.sources.set(id, { id, name, description: `Registered ${name} presence source`, type: 'System', deactivated: false });
    }
    return state;
  }

  /** An organization restored from a state file. */
  static fromSnapshot(snapshot: SandboxSnapshot, onChange: () => void = () => undefined): SandboxState {
    const state = new SandboxState(onChange);
    for (const user of snapshot.users) state.users.set(user.id, { ...user });
    for (const source of snapshot.sources) state.sources.set(source.id, { ...source });
    state.definitionList.push(...snapshot.definitions.map((definition) => ({ ...definition })));
    // A snapshot from an older sandbox may miss a system presence; add it rather than fail.
    for (const fresh of createSystemDefinitions()) {
      const present = state.definitionList.some((d) => d.type === 'System' && d.systemPresence === fresh.systemPresence);
      if (!present) state.definitionList.push(fresh);
    }
    for (const { userId, sourceId, ...presence } of snapshot.presences) {
      state.presences.set(presenceKey(userId, sourceId), presence);
    }
    for (const { userId, sourceId } of snapshot.primarySources) state.primarySources.set(userId, sourceId);
    return state;
  }

  /** Everything worth persisting. */
  toSnapshot(): SandboxSnapshot {
    const presences: SandboxSnapshot['presences'] = [];
    for (const [key, presence] of this.presences) {
      const [userId, sourceId] = key.split('\u0000') as [string, string];
      presences.push({ userId, sourceId, ...presence });
    }
    return {
      version: 1,
      users: [...this.users.values()].map((user) => ({ ...user })),
      sources: [...this.sources.values()].map((source) => ({ ...source })),
      definitions: this.definitionList.map((definition) => ({ ...definition })),
      presences,
      primarySources: [...this.primarySources].map(([userId, sourceId]) => ({ userId, sourceId })),
    };
  }

  // ---- users ----

  /** Adds a user; an existing email (case-insensitive) returns the existing user. */
  addUser(seed: SandboxUserSeed): SandboxUser {
    const existing = this.findUserByEmail(seed.email);
    if (existing) {
      if (seed.id !== undefined && seed.id !== existing.id) {
        throw new Error(`sandbox: ${seed.email} already exists with id ${existing.id}, not ${seed.id}`);
      }
      return existing;
    }
    const id = seed.id ?? randomUUID();
    if (this.users.has(id)) throw new Error(`sandbox: a user with id ${id} already exists`);
    const user: SandboxUser = {
      id,
      email: seed.email,
      name: seed.name ?? seed.email.split('@')[0] ?? seed.email,
      state: seed.state ?? 'active',
    };
    this.users.set(id, user);
    this.onChange();
    return user;
  }

  getUser(id: string): SandboxUser | undefined {
    return this.users.get(id);
  }

  findUserByEmail(email: string): SandboxUser | undefined {
    const wanted = email.toLowerCase();
    return [...this.users.values()].find((user) => user.email.toLowerCase() === wanted);
  }

  /** Deletes a user and every presence the user held (an admin deleting the account). */
  deleteUser(id: string): void {
    if (!this.users.delete(id)) throw new Error(`sandbox: no user with id ${id}`);
    for (const key of [...this.presences.keys()]) {
      if (key.startsWith(`${id}\u0000`)) this.presences.delete(key);
    }
    this.primarySources.delete(id);
    this.onChange();
  }

  /** Users in creation order. */
  listUsers(): SandboxUser[] {
    return [...this.users.values()];
  }

  // ---- sources ----

  /** Sources in creation order (deleted ones are gone). */
  listSources(): SandboxSource[] {
    return [...this.sources.values()];
  }

  getSource(id: string): SandboxSource | undefined {
    return this.sources.get(id);
  }

  createSource(name: string, description: string | undefined): SandboxSource {
    const id = randomUUID();
    const source: SandboxSource = { id, name, type: 'User', deactivated: false };
    if (description !== undefined) source.description = description;
    this.sources.set(id, source);
    this.onChange();
    return source;
  }

  updateSource(id: string, changes: { name: string; description?: string; deactivated?: boolean }): SandboxSource {
    const source = this.requireSource(id);
    source.name = changes.name;
    if (changes.description !== undefined) source.description = changes.description;
    if (changes.deactivated !== undefined) source.deactivated = changes.deactivated;
    this.onChange();
    return source;
  }

  /** Removes a source and every presence held on it. */
  deleteSource(id: string): void {
    this.requireSource(id);
    this.sources.delete(id);
    for (const key of [...this.presences.keys()]) {
      if (key.endsWith(`\u0000${id}`)) this.presences.delete(key);
    }
    this.onChange();
  }

  deactivateSource(id: string): void {
    this.requireSource(id).deactivated = true;
    this.onChange();
  }

  /** Makes Genesys report the source with another `type` (listing and GET only). */
  reportSourceTypeAs(id: string, type: SandboxSourceType): void {
    const source = this.requireSource(id);
    if (type === source.type) delete source.reportedType;
    else source.reportedType = type;
    this.onChange();
  }

  private requireSource(id: string): SandboxSource {
    const source = this.sources.get(id);
    if (!source) throw new Error(`sandbox: no presence source with id ${id}`);
    return source;
  }

  // ---- definitions ----

  definitions(): SandboxDefinition[] {
    return [...this.definitionList];
  }

  getDefinition(id: string): SandboxDefinition | undefined {
    return this.definitionList.find((definition) => definition.id === id);
  }

  /** The System definition of a system presence (used as a default). */
  systemDefinition(systemPresence: SandboxDefinition['systemPresence']): SandboxDefinition {
    const found = this.definitionList.find((d) => d.type === 'System' && d.systemPresence === systemPresence);
    if (!found) throw new Error(`sandbox: no System definition for ${systemPresence}`);
    return found;
  }

  /** Adds an org-defined secondary presence (type User). Any spelling of the system presence is accepted. */
  addSecondaryPresence(systemPresence: string, label: string): SandboxDefinition {
    const parsed = parseSystemPresence(systemPresence);
    if (!parsed) throw new Error(`sandbox: ${systemPresence} is not a system presence`);
    const definition: SandboxDefinition = { id: randomUUID(), systemPresence: parsed, type: 'User', label, deactivated: false };
    this.definitionList.push(definition);
    this.onChange();
    return definition;
  }

  /**
   * An admin deletes an org-defined (User) presence and creates it again with the same system
   * presence and label: the definition gets a new id, and presences that held the old id keep it.
   * Returns the new definition.
   */
  recreateDefinition(id: string): SandboxDefinition {
    const index = this.definitionList.findIndex((definition) => definition.id === id);
    const old = this.definitionList[index];
    if (!old) throw new Error(`sandbox: no presence definition with id ${id}`);
    if (old.type === 'System') throw new Error('sandbox: System presence definitions cannot be deleted, only org-defined (User) ones');
    const fresh: SandboxDefinition = { ...old, id: randomUUID() };
    this.definitionList.splice(index, 1, fresh);
    this.deletedDefinitionIds.add(old.id);
    this.onChange();
    return fresh;
  }

  /** An admin deletes an org-defined (User) presence; it is no longer listed and its id is unknown. */
  deleteDefinition(id: string): void {
    const index = this.definitionList.findIndex((definition) => definition.id === id);
    if (index < 0) throw new Error(`sandbox: no presence definition with id ${id}`);
    if (this.definitionList[index]?.type === 'System') {
      throw new Error('sandbox: System presence definitions cannot be deleted, only org-defined (User) ones');
    }
    this.deletedDefinitionIds.add(id);
    this.definitionList.splice(index, 1);
    this.onChange();
  }

  /** True for the id of a definition deleted in this org (not kept across a state file). */
  wasDefinitionDeleted(id: string): boolean {
    return this.deletedDefinitionIds.has(id);
  }

  // ---- presences ----

  getPresence(userId: string, sourceId: string): SandboxPresence | undefined {
    const presence = this.presences.get(presenceKey(userId, normalizeSourceId(sourceId)));
    return presence ? { ...presence } : undefined;
  }

  setPresence(userId: string, sourceId: string, presence: SandboxPresence): SandboxPresence {
    this.presences.set(presenceKey(userId, normalizeSourceId(sourceId)), { ...presence });
    this.onChange();
    return presence;
  }

  /** Source id of the user's primary source; PURECLOUD unless something changed it. */
  primarySourceOf(userId: string): string {
    return this.primarySources.get(userId) ?? PURECLOUD_SOURCE_ID;
  }

  setPrimarySource(userId: string, sourceId: string): void {
    const normalized = normalizeSourceId(sourceId);
    if (normalized === PURECLOUD_SOURCE_ID) this.primarySources.delete(userId);
    else this.primarySources.set(userId, normalized);
    this.onChange();
  }
}

/** `purecloud` in a path and `PURECLOUD` in a body name the same source. */
function normalizeSourceId(sourceId: string): string {
  return isPurecloudSourceId(sourceId) ? PURECLOUD_SOURCE_ID : sourceId;
}
