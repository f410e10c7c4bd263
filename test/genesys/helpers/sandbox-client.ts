/**
 * Starts a Genesys sandbox and a Genesys client pointed at it, with short retry delays so the suite
 * stays fast. Every test gets its own sandbox on an ephemeral port.
 */
import { createGenesysClient, type GenesysClient, type GenesysClientOptions } from '../../../src/genesys/client';
import { createLocalBudget } from '../../../src/genesys/local-budget';
import type { RequestBudget } from '../../../src/genesys/request-budget';
import { startGenesysSandbox, type GenesysSandbox, type SandboxOptions } from '../../../src/sandbox';
import { SYSTEM_LABELS } from '../../../src/systems';
import { MemoryDocumentStore } from './memory-document-store';

export interface SandboxClientSetup {
  readonly sandbox: GenesysSandbox;
  readonly client: GenesysClient;
  readonly documents: MemoryDocumentStore;
  readonly budget: RequestBudget;
  close(): Promise<void>;
}

export interface SandboxClientOptions {
  readonly sandbox?: SandboxOptions;
  /** Default: a generous local budget (6000/min), so tests that do not test pacing are not slowed. */
  readonly budget?: RequestBudget;
  readonly documents?: MemoryDocumentStore;
  readonly client?: Partial<Omit<GenesysClientOptions, 'config' | 'budget' | 'documents'>>;
  readonly clientSecret?: string;
}

/** The default source names (README.md#configuration). */
export const DEFAULT_SOURCE_NAMES = { ...SYSTEM_LABELS };

/** Creates a client for an already running sandbox. */
export function clientFor(
  sandbox: GenesysSandbox,
  options: Omit<SandboxClientOptions, 'sandbox'> = {},
): { client: GenesysClient; documents: MemoryDocumentStore; budget: RequestBudget } {
  const documents = options.documents ?? new MemoryDocumentStore();
  const budget = options.budget ?? createLocalBudget(6000);
  const client = createGenesysClient({
    config: {
      mode: 'sandbox',
      clientId: sandbox.clientId,
      clientSecret: options.clientSecret ?? sandbox.clientSecret,
      apiBaseUrl: sandbox.url,
      loginBaseUrl: sandbox.url,
      requestsPerMinute: 6000,
      sourceNames: DEFAULT_SOURCE_NAMES,
    },
    budget,
    documents,
    retry: { backoff: { baseMs: 5, capMs: 50 } },
    ...options.client,
  });
  return { client, documents, budget };
}

/** Starts a sandbox and a client for it. */
export async function startSandboxClient(options: SandboxClientOptions = {}): Promise<SandboxClientSetup> {
  const sandbox = await startGenesysSandbox(options.sandbox);
  const { client, documents, budget } = clientFor(sandbox, options);
  return {
    sandbox,
    client,
    documents,
    budget,
    async close() {
      await client.close();
      await sandbox.close();
    },
  };
}
