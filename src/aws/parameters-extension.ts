/**
 * Cold-start secrets through the AWS Parameters and Secrets Lambda Extension: a layer whose process
 * answers `GET http://localhost:{port}/systemsmanager/parameters/get?name=…&withDecryption=true` with
 * Parameter Store's GetParameter answer, authenticated by the function's session token
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-integration-lambda-extensions.html).
 * The function then loads no SSM client: plain `node:http` to the local extension, which calls
 * `ssm:GetParameter` with the function's role (one call per name, in parallel here).
 */
import http from 'node:http';
import { ConfigError } from '../errors';

export interface SecretsExtension {
  readonly port: number;
  /** AWS_SESSION_TOKEN: the extension refuses requests without it. */
  readonly token: string;
  /** Bound on each request (the extension's first answer is an SSM round trip). */
  readonly timeoutMs?: number;
}

interface ExtensionAnswer {
  readonly status: number;
  readonly body: string;
}

function get(extension: SecretsExtension, path: string): Promise<ExtensionAnswer> {
  return new Promise((resolve, reject) => {
    // family 4: the extension listens on the sandbox's loopback, which Lambda names localhost (127.0.0.1).
    const request = http.get(
      {
        host: 'localhost',
        family: 4,
        port: extension.port,
        path,
        headers: { 'X-Aws-Parameters-Secrets-Token': extension.token },
        timeout: extension.timeoutMs ?? 3000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${extension.timeoutMs ?? 3000} ms`)));
    request.on('error', reject);
  });
}

async function readOne(extension: SecretsExtension, fullName: string): Promise<string | undefined> {
  const path = `/systemsmanager/parameters/get?name=${encodeURIComponent(fullName)}&withDecryption=true`;
  let answer: ExtensionAnswer;
  try {
    answer = await get(extension, path);
  } catch (error) {
    throw new ConfigError(
      `cannot read secret ${fullName} from the Parameters and Secrets Lambda Extension on port ${extension.port}: ${(error as Error).message}; ` +
        'check that the function has the extension layer (serverless.yml) or unset PARAMETERS_SECRETS_EXTENSION_HTTP_PORT',
      { cause: error },
    );
  }
  if (answer.status === 200) {
    const value = (JSON.parse(answer.body) as { Parameter?: { Value?: unknown } }).Parameter?.Value;
    return typeof value === 'string' ? value : undefined;
  }
  // An unset parameter is simply absent, as with GetParameters.
  if (answer.status >= 400 && answer.status < 500 && /ParameterNotFound/.test(answer.body)) return undefined;
  throw new ConfigError(
    `cannot read secret ${fullName}: the Parameters and Secrets Lambda Extension answered ${answer.status} (${answer.body.slice(0, 200)}); ` +
      "check that the function's role allows ssm:GetParameter on it and that its KMS key is the default aws/ssm key",
  );
}

/** The named parameters under `prefix`, as variables of the same names; unset ones are left out. */
export async function loadExtensionSecrets(extension: SecretsExtension, prefix: string, names: readonly string[]): Promise<Record<string, string>> {
  const path = prefix.endsWith('/') ? prefix : `${prefix}/`;
  const values = await Promise.all(names.map((name) => readOne(extension, path + name)));
  const secrets: Record<string, string> = {};
  names.forEach((name, i) => {
    const value = values[i];
    if (value !== undefined) secrets[name] = value;
  });
  return secrets;
}
