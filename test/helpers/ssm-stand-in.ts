/**
 * A minimal SSM Parameter Store server for tests (AWS JSON 1.1, as AWS SDK v3 speaks it): GetParameter,
 * GetParameters and GetParametersByPath over a fixed set of SecureString parameters. Names not held come
 * back in `InvalidParameters` (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html),
 * or for GetParameter as a `ParameterNotFound` error
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SSMClient } from '@aws-sdk/client-ssm';

export interface SsmStandIn {
  readonly endpoint: string;
  /** A new client for the stand-in (fake credentials); the caller destroys it. */
  createClient(): SSMClient;
  close(): Promise<void>;
}

export async function startSsmStandIn(parameters: Readonly<Record<string, string>>): Promise<SsmStandIn> {
  const toParameter = (name: string) => ({ Name: name, Type: 'SecureString', Value: parameters[name], Version: 1 });
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const action = String(req.headers['x-amz-target'] ?? '').replace('AmazonSSM.', '');
      const input = raw ? JSON.parse(raw) : {};
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      if (action === 'GetParameters') {
        const names = input.Names as string[];
        if (names.length > 10) return reply(400, { __type: 'ValidationException', message: 'at most 10 names' });
        return reply(200, {
          Parameters: names.filter((n) => n in parameters).map(toParameter),
          InvalidParameters: names.filter((n) => !(n in parameters)),
        });
      }
      if (action === 'GetParameter') {
        const name = String(input.Name);
        if (!(name in parameters)) return reply(400, { __type: 'ParameterNotFound', message: `Parameter ${name} not found.` });
        return reply(200, { Parameter: toParameter(name) });
      }
      if (action === 'GetParametersByPath') {
        const path = String(input.Path).replace(/\/?$/, '/');
        const names = Object.keys(parameters).filter((n) => n.startsWith(path) && !n.slice(path.length).includes('/'));
        return reply(200, { Parameters: names.map(toParameter) });
      }
      return reply(400, { __type: 'InvalidAction', message: `unsupported ${action}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    createClient: () => new SSMClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
