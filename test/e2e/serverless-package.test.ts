/**
 * `npx serverless package` (the pinned v3 CLI) builds the AWS artifact offline: a CloudFormation
 * template with the three functions, the HTTP API routes, the queue with its DLQ and the table, and a
 * bundled handler under the Lambda size limits.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.join(__dirname, '../..');
const run = promisify(execFile);

describe('serverless package', () => {
  it('builds the deployment artifact offline', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sls-package-'));
    await run(process.execPath, ['node_modules/serverless/bin/serverless.js', 'package', '--stage', 'test', '--package', out], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: os.tmpdir(), SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
      timeout: 120_000,
    });
    const template = JSON.parse(fs.readFileSync(path.join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
    const resources = Object.values(template.Resources) as Array<{ Type: string; Properties: Record<string, unknown> }>;
    const functions = resources.filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.map((f) => f.Properties.Handler).sort()).toEqual(['src/lambda.maintainer', 'src/lambda.webhook', 'src/lambda.worker']);
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
    const zips = fs.readdirSync(out).filter((f) => f.endsWith('.zip'));
    expect(zips.length).toBeGreaterThan(0);
    for (const zip of zips) expect(fs.statSync(path.join(out, zip)).size).toBeLessThan(1024 * 1024);
  }, 150_000);
});
