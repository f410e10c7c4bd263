/**
 * Cold-start secret resolution on AWS: every SecureString parameter under BRIDGE_SSM_PREFIX
 * (e.g. `/presence-bridge/prod/GENESYS_CLIENT_SECRET`) becomes the variable named by its last path
 * segment. Secrets therefore live in Parameter Store, never in the repository or the template.
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParametersByPath.html)
 */
import { GetParametersByPathCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ConfigError } from '../errors';

export async function loadSsmSecrets(client: SSMClient, prefix: string): Promise<Record<string, string>> {
  const path = prefix.endsWith('/') ? prefix : `${prefix}/`;
  const secrets: Record<string, string> = {};
  let nextToken: string | undefined;
  try {
    do {
      const page = await client.send(
        new GetParametersByPathCommand({ Path: path, WithDecryption: true, Recursive: false, NextToken: nextToken }),
      );
      for (const parameter of page.Parameters ?? []) {
        const name = parameter.Name?.slice(path.length);
        if (name && /^[A-Z][A-Z0-9_]*$/.test(name) && parameter.Value !== undefined) secrets[name] = parameter.Value;
      }
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (error) {
    throw new ConfigError(
      `cannot read secrets under SSM path ${path}: ${(error as Error).message}; check BRIDGE_SSM_PREFIX and the function's ssm:GetParametersByPath permission`,
      { cause: error },
    );
  }
  return secrets;
}
