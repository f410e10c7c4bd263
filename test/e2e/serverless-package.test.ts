/**
 * `npx osls package` (osls: the maintained continuation of Serverless Framework v3, pinned) builds the AWS
 * artifact offline: a CloudFormation template with the three functions, the HTTP API routes, the queue
 * with its DLQ and the table, and a bundled handler under the Lambda size limits.
 */
import fs from 'node:fs';
import path from 'node:path';
import { packageService } from '../aws/packaged-template';

const root = path.join(__dirname, '../..');

describe('serverless package', () => {
  it('keeps the `serverless` and `sls` command names: osls provides them', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(manifest.devDependencies.osls).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.devDependencies.serverless).toBeUndefined();
    const osls = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/osls/package.json'), 'utf8'));
    expect(osls.bin).toEqual(expect.objectContaining({ serverless: expect.any(String), sls: expect.any(String), osls: expect.any(String) }));
  });

  it('builds the deployment artifact offline', async () => {
    const { dir: out, template } = await packageService();
    const resources = Object.values(template.Resources) as Array<{ Type: string; Properties: Record<string, unknown> }>;
    const functions = resources.filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.map((f) => f.Properties.Handler).sort()).toEqual([
      'src/lambda/maintainer.handler',
      'src/lambda/status.handler',
      'src/lambda/webhook.handler',
      'src/lambda/worker.handler',
    ]);
    for (const f of functions) expect(f.Properties.Runtime).toBe('nodejs22.x');
    const routes = resources.filter((r) => r.Type === 'AWS::ApiGatewayV2::Route').map((r) => r.Properties.RouteKey).sort();
    expect(routes).toEqual([
      'GET /healthz',
      'GET /status',
      'GET /status.json',
      'POST /webhooks/ringcentral',
      'POST /webhooks/teams',
      'POST /webhooks/teams/lifecycle',
      'POST /webhooks/zoom',
    ]);
    expect(resources.filter((r) => r.Type === 'AWS::SQS::Queue')).toHaveLength(2);
    expect(resources.filter((r) => r.Type === 'AWS::DynamoDB::Table')).toHaveLength(1);
    const mapping = resources.find((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    expect(mapping?.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    // Concurrency and throttling (README, "AWS: concurrency and throttling"): the worker is capped by its
    // event source, not by reserved concurrency; the webhook has a reservation and the stage a throttle.
    const handlerOf = (name: string) => functions.find((f) => f.Properties.Handler === `src/lambda/${name}.handler`)!;
    expect(mapping?.Properties.ScalingConfig).toEqual({ MaximumConcurrency: 2 });
    expect(handlerOf('worker').Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(handlerOf('webhook').Properties.ReservedConcurrentExecutions).toBe(50);
    expect(template.Resources.HttpApiStage).toMatchObject({
      Type: 'AWS::ApiGatewayV2::Stage',
      Properties: { StageName: '$default', DefaultRouteSettings: { ThrottlingBurstLimit: 1000, ThrottlingRateLimit: 500 } },
    });
    // One artifact per function (package.individually), each under 1 MiB zipped.
    const zips = fs.readdirSync(out).filter((f) => f.endsWith('.zip'));
    expect(zips.sort()).toEqual(['maintainer.zip', 'status.zip', 'webhook.zip', 'worker.zip']);
    for (const zip of zips) expect(fs.statSync(path.join(out, zip)).size).toBeLessThan(1024 * 1024);
    fs.rmSync(out, { recursive: true, force: true });
  }, 150_000);
});
