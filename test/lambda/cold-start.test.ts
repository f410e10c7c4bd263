/**
 * The shared cold start of the Lambda entry points (src/lambda/cold-start.ts): secrets through the
 * Parameters and Secrets Lambda Extension when PARAMETERS_SECRETS_EXTENSION_HTTP_PORT is set; otherwise
 * the SDK's GetParameters, but only for entry points that register it (the webhook's does not, so its
 * bundle has no SSM client), and a clear error says what to set.
 */
import type { BridgeConfig } from '../../src/config';
import { ConfigError } from '../../src/errors';
import { startParametersExtensionStandIn, type ParametersExtensionStandIn } from '../helpers/parameters-extension-stand-in';
import { startSsmStandIn, type SsmStandIn } from '../helpers/ssm-stand-in';

type ColdStartModule = typeof import('../../src/lambda/cold-start');

/** A fresh copy of the module (its registrations and caches), with or without the SDK path registered. */
function freshColdStart(withSdk: boolean): ColdStartModule {
  let loaded: ColdStartModule | undefined;
  jest.isolateModules(() => {
    loaded = require('../../src/lambda/cold-start') as ColdStartModule;
    if (withSdk) require('../../src/lambda/sdk-secrets');
  });
  return loaded!;
}

const zoomSecretOf = (config: BridgeConfig) => config.zoom.webhookSecretTokens[0];

describe('Lambda cold start secrets', () => {
  let ssm: SsmStandIn;
  let extension: ParametersExtensionStandIn;
  beforeAll(async () => {
    ssm = await startSsmStandIn({ '/presence-bridge/t/ZOOM_WEBHOOK_SECRET_TOKEN': 'zoom-secret' });
    extension = await startParametersExtensionStandIn(ssm.createClient(), 'token');
  });
  afterAll(async () => {
    await extension.close();
    await ssm.close();
  });

  it('reads through the extension when its port is set, without any SDK path registered', async () => {
    const coldStart = freshColdStart(false);
    coldStart.useColdStartForTests({
      env: () => ({ BRIDGE_SSM_PREFIX: '/presence-bridge/t/', PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(extension.port), AWS_SESSION_TOKEN: 'token' }),
    });
    expect(await coldStart.getFunctionParts('webhook', zoomSecretOf)).toBe('zoom-secret');
    expect(extension.requests).toContain('/presence-bridge/t/ZOOM_WEBHOOK_SECRET_TOKEN');
  });

  it('without the extension: the SDK path where registered, a ConfigError naming the variable where not', async () => {
    const env = () => ({ BRIDGE_SSM_PREFIX: '/presence-bridge/t/' });
    const withSdk = freshColdStart(true);
    const client = ssm.createClient();
    withSdk.useColdStartForTests({ env, ssm: () => client });
    expect(await withSdk.getFunctionParts('webhook', zoomSecretOf)).toBe('zoom-secret');
    client.destroy();

    const webhookOnly = freshColdStart(false);
    webhookOnly.useColdStartForTests({ env });
    const failed = webhookOnly.getFunctionParts('webhook', zoomSecretOf);
    // A ConfigError of the isolated module copy (a different class object than this file's import).
    const error = await failed.catch((e: unknown) => e);
    expect((error as Error).constructor.name).toBe(ConfigError.name);
    await expect(failed).rejects.toThrow(/PARAMETERS_SECRETS_EXTENSION_HTTP_PORT/);
  });
});
