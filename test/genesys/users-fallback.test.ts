import { GenesysApiError } from '../../src/genesys/genesys-errors';
import { GenesysHttp, type GenesysRequest } from '../../src/genesys/http';
import { GenesysUsers } from '../../src/genesys/users';
import { createTransport } from '../../src/genesys/transport';
import { createClientCredentialsAuth } from '../../src/genesys/auth';
import { createLocalBudget } from '../../src/genesys/local-budget';
import { startGenesysSandbox, type GenesysSandbox } from '../../src/sandbox';

/**
 * The real sandbox behind an HTTP layer that answers 400 to a search criterion with `values`, the way
 * an API that does not support `values` with EXACT would (not documented either way,
 * docs/vendors.md#genesys-open-questions-and-how-the-code-hedges).
 */
class NoValuesHttp extends GenesysHttp {
  override async request<T>(request: GenesysRequest): Promise<T> {
    const body = request.body as { query?: Array<{ values?: unknown }> } | undefined;
    if (request.path === '/api/v2/users/search' && body?.query?.some((criterion) => criterion.values !== undefined)) {
      throw new GenesysApiError({ status: 400, method: request.method, path: request.path, retryable: false, code: 'bad.request' });
    }
    return super.request<T>(request);
  }
}

describe('GenesysUsers when search refuses `values`', () => {
  let sandbox: GenesysSandbox;
  let http: GenesysHttp;

  beforeEach(async () => {
    sandbox = await startGenesysSandbox({ seedDemoUsers: true });
    const transport = createTransport({ budget: createLocalBudget(6000) });
    const auth = createClientCredentialsAuth({
      loginBaseUrl: sandbox.url,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      transport,
    });
    http = new NoValuesHttp({ apiBaseUrl: sandbox.url, transport, auth });
  });
  afterEach(async () => {
    http.close();
    await sandbox.close();
  });

  it('falls back to one EXACT value per email and remembers to', async () => {
    const users = new GenesysUsers({ http });

    const found = await users.findByEmails(['Alice@example.com', 'bob@example.com', 'nobody@example.com']);
    await users.findByEmails(['carol@example.com']);

    expect([...found.keys()].sort()).toEqual(['alice@example.com', 'bob@example.com']);
    const searches = sandbox.requests.filter((r) => r.path === '/api/v2/users/search');
    expect(searches).toHaveLength(4);
    for (const search of searches) {
      const body = search.body as { query: Array<{ type: string; value?: string; values?: unknown }> };
      expect(body.query.every((criterion) => criterion.type === 'EXACT' && criterion.values === undefined)).toBe(true);
    }
  });
});
