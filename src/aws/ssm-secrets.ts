/**
 * Cold-start secret resolution on AWS: the named SecureString parameters under BRIDGE_SSM_PREFIX
 * (e.g. `/presence-bridge/prod/GENESYS_CLIENT_SECRET`) become the variables of the same name. Secrets
 * therefore live in Parameter Store, never in the repository or the template. Each function asks only
 * for its own names (src/aws/function-parameters.ts) with GetParameters, which its role allows for
 * exactly those parameters; an unset parameter is simply absent
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html).
 *
 * On Lambda the functions read through the Parameters and Secrets Lambda Extension instead
 * (parameters-extension.ts), which spares the cold start this SDK client; this is the fallback where no
 * extension runs (PARAMETERS_SECRETS_EXTENSION_HTTP_PORT unset: local stand-ins, tools). src/lambda/cold-start.ts
 * loads this module only then.
 */
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ConfigError } from '../errors';

/** GetParameters takes at most 10 names per call. */
const NAMES_PER_CALL = 10;

/** A client from the environment (region, credentials, AWS_ENDPOINT_URL_SSM), as Lambda provides them. */
export function createSsmClient(): SSMClient {
  return new SSMClient({});
}

export async function loadSsmSecrets(client: SSMClient, prefix: string, names: readonly string[]): Promise<Record<string, string>> {
  const path = prefix.endsWith('/') ? prefix : `${prefix}/`;
  const secrets: Record<string, string> = {};
  for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
    const chunk = names.slice(i, i + NAMES_PER_CALL).map((name) => path + name);
    let page;
    try {
      page = await client.send(new GetParametersCommand({ Names: chunk, WithDecryption: true }));
    } catch (error) {
      throw new ConfigError(
        `cannot read secrets ${chunk.join(', ')}: ${(error as Error).message}; check BRIDGE_SSM_PREFIX and that the function's role allows ssm:GetParameters on them`,
        { cause: error },
      );
    }
    for (const parameter of page.Parameters ?? []) {
      const name = parameter.Name?.slice(path.length);
      if (name && /^[A-Z][A-Z0-9_]*$/.test(name) && parameter.Value !== undefined) secrets[name] = parameter.Value;
    }
  }
  return secrets;
}
