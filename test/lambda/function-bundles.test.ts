/**
 * Each Lambda function is bundled from its own entry point (serverless.yml `package.individually`), so
 * its cold start loads only what it calls. esbuild's metafile lists the modules that end up in a
 * bundle: the public webhook's must not contain the Genesys client, a REST client (axios), MSAL or the
 * Graph client.
 */
import path from 'node:path';
import { build } from 'esbuild';

const root = path.join(__dirname, '../..');

/** The inputs of `src/lambda/<fn>.ts` bundled as serverless.yml's custom.esbuild does. */
async function bundledInputs(fn: string): Promise<string[]> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [`src/lambda/${fn}.ts`],
    bundle: true,
    platform: 'node',
    mainFields: ['module', 'main'],
    target: 'node22',
    format: 'cjs',
    write: false,
    outfile: `out/${fn}.js`,
    metafile: true,
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

const NOT_IN_WEBHOOK = [
  /node_modules\/axios\//,
  /node_modules\/@azure\/msal-/,
  /node_modules\/@microsoft\/microsoft-graph-client\//,
  // The region table is configuration (GENESYS_REGION is parsed by src/config.ts); the rest is the client.
  /^src\/genesys\/(?!regions\.ts)/,
  /^src\/sources\/teams\/graph-client\.ts$/,
  // Signing keys come from the store (src/sources/teams/signing-keys.ts), fetched with node:http(s).
  /node_modules\/(jwks-rsa|jose)\//,
  // Secrets come from the Parameters and Secrets Lambda Extension: no SSM client.
  /node_modules\/@aws-sdk\/client-ssm\//,
];

describe('per-function bundles', () => {
  it('the webhook bundle holds no Genesys, REST, MSAL, Graph or SSM client', async () => {
    const inputs = await bundledInputs('webhook');
    expect(inputs).toContain('src/webhooks/handle-webhook.ts');
    expect(inputs.filter((input) => NOT_IN_WEBHOOK.some((pattern) => pattern.test(input)))).toEqual([]);
  }, 60_000);

  it('the worker bundle has what it calls: Genesys, the Teams clients, and the SDK path for secrets outside Lambda', async () => {
    const inputs = await bundledInputs('worker');
    expect(inputs).toEqual(expect.arrayContaining(['src/genesys/presence.ts', 'src/sources/teams/graph-client.ts', 'src/aws/ssm-secrets.ts']));
  }, 60_000);
});
