/**
 * Writing the small RingCentral documents (directory, subscriptions) to the DocumentStore. Each write
 * is a whole snapshot computed from RingCentral's current answer, so the last writer may win: the
 * optimistic version check only guards against tearing, not against a newer snapshot.
 */
import type { DocumentStore } from '../../store/state-store';

/** Writes `value` whatever the stored version is, re-reading the version on a conflict. */
export async function overwriteDocument<T>(documents: DocumentStore, name: string, value: T, attempts = 5): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const current = await documents.getDocument<unknown>(name);
    if (await documents.putDocument(name, value, current?.version)) return;
  }
  throw new Error(`could not write document ${name}: it kept changing during ${attempts} attempts`);
}
