/**
 * Cold-start secrets: each function reads only its own parameters, by name (GetParameters, at most 10
 * per call), so its role can be limited to exactly those ARNs; unset parameters are simply absent.
 */
import { FUNCTION_PARAMETERS } from '../../src/aws/function-parameters';
import { loadSsmSecrets } from '../../src/aws/ssm-secrets';
import { ConfigError } from '../../src/errors';
import { startSsmStandIn, type SsmStandIn } from '../helpers/ssm-stand-in';
import { recordCalls, type RecordedCall } from './aws-call-recorder';

describe('loadSsmSecrets', () => {
  let ssm: SsmStandIn;
  beforeAll(async () => {
    ssm = await startSsmStandIn({
      '/presence-bridge/prod/GENESYS_CLIENT_ID': 'genesys-id',
      '/presence-bridge/prod/GENESYS_CLIENT_SECRET': 'genesys-secret',
      '/presence-bridge/prod/ZOOM_WEBHOOK_SECRET_TOKEN': 'zoom-secret',
      '/presence-bridge/prod/RINGCENTRAL_JWT': 'rc-jwt',
    });
  });
  afterAll(async () => {
    await ssm.close();
  });

  it('reads only the named parameters, ten per call, and leaves unset ones out', async () => {
    const calls: RecordedCall[] = [];
    const client = recordCalls(ssm.createClient(), calls);
    try {
      const secrets = await loadSsmSecrets(client, '/presence-bridge/prod', FUNCTION_PARAMETERS.maintainer);
      expect(secrets).toEqual({ GENESYS_CLIENT_ID: 'genesys-id', GENESYS_CLIENT_SECRET: 'genesys-secret', RINGCENTRAL_JWT: 'rc-jwt' });
      expect(calls.map((c) => c.operation)).toEqual(['GetParameters', 'GetParameters']);
      const asked = calls.flatMap((c) => c.input.Names as string[]);
      expect(asked).toEqual(FUNCTION_PARAMETERS.maintainer.map((name) => `/presence-bridge/prod/${name}`));
      expect(calls.every((c) => (c.input.Names as string[]).length <= 10 && c.input.WithDecryption === true)).toBe(true);
    } finally {
      client.destroy();
    }
  });

  it('gives the webhook function none of the Genesys or vendor-app credentials', async () => {
    const client = ssm.createClient();
    try {
      expect(await loadSsmSecrets(client, '/presence-bridge/prod/', FUNCTION_PARAMETERS.webhook)).toEqual({ ZOOM_WEBHOOK_SECRET_TOKEN: 'zoom-secret' });
    } finally {
      client.destroy();
    }
    for (const secret of ['GENESYS_CLIENT_SECRET', 'TEAMS_CLIENT_SECRET', 'RINGCENTRAL_CLIENT_SECRET', 'RINGCENTRAL_JWT', 'TEAMS_TOKEN_ENCRYPTION_KEY']) {
      expect(FUNCTION_PARAMETERS.webhook).not.toContain(secret);
    }
  });

  it('names the parameters and the permission to check when SSM refuses', async () => {
    const unreachable = recordCalls(ssm.createClient(), []);
    unreachable.middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error('User is not authorized to perform: ssm:GetParameters'), { name: 'AccessDeniedException' });
      },
      { step: 'finalizeRequest', name: 'denyAll' },
    );
    try {
      const failure = loadSsmSecrets(unreachable, '/presence-bridge/prod/', ['ZOOM_WEBHOOK_SECRET_TOKEN']);
      await expect(failure).rejects.toBeInstanceOf(ConfigError);
      await expect(failure).rejects.toThrow(/\/presence-bridge\/prod\/ZOOM_WEBHOOK_SECRET_TOKEN.*ssm:GetParameters/);
    } finally {
      unreachable.destroy();
    }
  });
});
