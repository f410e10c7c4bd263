/**
 * Cold-start secrets through the Parameters and Secrets Lambda Extension (stand-in): one local GET per
 * name with the session token; unset parameters are absent; a missing extension or a refusal is a
 * ConfigError that says what to fix. The extension calls GetParameter with the function's role.
 */
import { FUNCTION_PARAMETERS } from '../../src/aws/function-parameters';
import { loadExtensionSecrets } from '../../src/aws/parameters-extension';
import { ConfigError } from '../../src/errors';
import { startParametersExtensionStandIn, type ParametersExtensionStandIn } from '../helpers/parameters-extension-stand-in';
import { startSsmStandIn, type SsmStandIn } from '../helpers/ssm-stand-in';
import { recordCalls, type RecordedCall } from './aws-call-recorder';

describe('loadExtensionSecrets', () => {
  let ssm: SsmStandIn;
  let extension: ParametersExtensionStandIn;
  const calls: RecordedCall[] = [];
  beforeAll(async () => {
    ssm = await startSsmStandIn({
      '/presence-bridge/prod/ZOOM_WEBHOOK_SECRET_TOKEN': 'zoom-secret',
      '/presence-bridge/prod/TEAMS_CLIENT_STATE': 'client-state',
      '/presence-bridge/prod/GENESYS_CLIENT_SECRET': 'not-for-the-webhook',
    });
    extension = await startParametersExtensionStandIn(recordCalls(ssm.createClient(), calls), 'session-token');
  });
  afterAll(async () => {
    await extension.close();
    await ssm.close();
  });

  it("reads the function's own names, each with GetParameter, and leaves unset ones out", async () => {
    const secrets = await loadExtensionSecrets({ port: extension.port, token: 'session-token' }, '/presence-bridge/prod', FUNCTION_PARAMETERS.webhook);
    expect(secrets).toEqual({ ZOOM_WEBHOOK_SECRET_TOKEN: 'zoom-secret', TEAMS_CLIENT_STATE: 'client-state' });
    expect(calls.map((call) => call.operation)).toEqual(FUNCTION_PARAMETERS.webhook.map(() => 'GetParameter'));
    expect(calls.map((call) => call.input.Name).sort()).toEqual(FUNCTION_PARAMETERS.webhook.map((name) => `/presence-bridge/prod/${name}`).sort());
  });

  it('says what to fix when the extension refuses or is not there', async () => {
    const refused = loadExtensionSecrets({ port: extension.port, token: 'wrong' }, '/presence-bridge/prod/', ['ZOOM_WEBHOOK_SECRET_TOKEN']);
    await expect(refused).rejects.toThrow(ConfigError);
    await expect(refused).rejects.toThrow(/answered 401.*ssm:GetParameter/);
    const closed = await startParametersExtensionStandIn(ssm.createClient());
    await closed.close();
    const absent = loadExtensionSecrets({ port: closed.port, token: 'x' }, '/presence-bridge/prod/', ['ZOOM_WEBHOOK_SECRET_TOKEN']);
    await expect(absent).rejects.toThrow(/extension layer/);
  });
});
