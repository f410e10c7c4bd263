/**
 * A stand-in for the AWS Parameters and Secrets Lambda Extension
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-integration-lambda-extensions.html):
 * `GET /systemsmanager/parameters/get?name=…&withDecryption=true` with the function's session token in
 * `X-Aws-Parameters-Secrets-Token`, answered with Parameter Store's GetParameter result. Like the real
 * extension it calls `GetParameter` itself, with the client it is given (the function's role: tests record
 * those calls and check them against the role), and forwards SSM's errors as a 400 naming the error.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';

export interface ParametersExtensionStandIn {
  /** For PARAMETERS_SECRETS_EXTENSION_HTTP_PORT. */
  readonly port: number;
  /** The session token it accepts (AWS_SESSION_TOKEN of the function). */
  readonly token: string;
  /** Requests answered, in order (name asked for). */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startParametersExtensionStandIn(ssm: SSMClient, token = 'a-session-token'): Promise<ParametersExtensionStandIn> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    };
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' || url.pathname !== '/systemsmanager/parameters/get') return reply(404, 'not found');
    if (req.headers['x-aws-parameters-secrets-token'] !== token) return reply(401, 'unauthorized: missing or wrong X-Aws-Parameters-Secrets-Token');
    const name = url.searchParams.get('name') ?? '';
    requests.push(name);
    ssm.send(new GetParameterCommand({ Name: name, WithDecryption: url.searchParams.get('withDecryption') === 'true' })).then(
      (answer) => reply(200, JSON.stringify({ Parameter: answer.Parameter, ResultMetadata: {} })),
      (error: Error) => reply(400, `an unexpected error occurred while executing request: ${error.name}: ${error.message}`),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    token,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
