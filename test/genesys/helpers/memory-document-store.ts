/**
 * A DocumentStore held in memory, with the interface's optimistic versioning. A real implementation
 * of the interface for tests of the Genesys client, not a mock.
 */
import type { DocumentStore } from '../../../src/store/state-store';

export class MemoryDocumentStore implements DocumentStore {
  private readonly documents = new Map<string, { value: string; version: number }>();
  /** Every successful write, in order (name and version). */
  readonly writes: Array<{ name: string; version: number }> = [];

  async getDocument<T>(name: string): Promise<{ value: T; version: number } | undefined> {
    const stored = this.documents.get(name);
    return stored ? { value: JSON.parse(stored.value) as T, version: stored.version } : undefined;
  }

  async putDocument<T>(name: string, value: T, expectedVersion?: number): Promise<boolean> {
    const stored = this.documents.get(name);
    if (stored?.version !== expectedVersion) return false;
    const version = (stored?.version ?? 0) + 1;
    this.documents.set(name, { value: JSON.stringify(value), version });
    this.writes.push({ name, version });
    return true;
  }
}
