/**
 * `npx osls package` (osls: the maintained continuation of Serverless Framework v3, pinned) builds the AWS
 * artifact offline: a CloudFormation template with the three functions, the HTTP API routes, the queue
 * with its DLQ and the table, and a bundled handler under the Lambda size limits.
 */
import fs from 'node:fs';
import path from 'node:path';
import { COUNT_METRICS, GAUGE_METRICS, TIMING_METRICS } from '../../src/metrics/metrics';
import { packageService, TEST_STAGE, type CfnResource, type CfnTemplate } from '../aws/packaged-template';

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
    const routes = resources
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => r.Properties.RouteKey)
      .sort();
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
    expectMonitoring(template);
    // One artifact per function (package.individually), each under 1 MiB zipped.
    const zips = fs.readdirSync(out).filter((f) => f.endsWith('.zip'));
    expect(zips.sort()).toEqual(['maintainer.zip', 'status.zip', 'webhook.zip', 'worker.zip']);
    for (const zip of zips) expect(fs.statSync(path.join(out, zip)).size).toBeLessThan(1024 * 1024);
    fs.rmSync(out, { recursive: true, force: true });
  }, 150_000);
});

/** README "What to watch": the alarms, each wired to the one topic, the optional email, and the dashboard. */
function expectMonitoring(template: CfnTemplate): void {
  const service = `presence-bridge-${TEST_STAGE}`;
  const byType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
  expect(byType('AWS::SNS::Topic').map(([id]) => id)).toEqual(['AlarmTopic']);

  // ALARM_EMAIL unset when packaging (a clean environment): the subscription exists only under its condition, which is false.
  const [[, subscription]] = byType('AWS::SNS::Subscription');
  expect(subscription).toMatchObject({ Condition: 'HasAlarmEmail', Properties: { Protocol: 'email', TopicArn: { Ref: 'AlarmTopic' } } });
  expect((template.Conditions as Record<string, unknown>).HasAlarmEmail).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });

  const alarms = Object.fromEntries(byType('AWS::CloudWatch::Alarm')) as Record<string, CfnResource>;
  for (const [id, alarm] of Object.entries(alarms)) {
    expect([id, alarm.Properties?.AlarmActions]).toEqual([id, [{ Ref: 'AlarmTopic' }]]);
    expect([id, alarm.Properties?.OKActions]).toEqual([id, [{ Ref: 'AlarmTopic' }]]);
  }
  const watched = Object.values(alarms).map((alarm) => `${String(alarm.Properties?.Namespace)}/${String(alarm.Properties?.MetricName)}`);
  expect(watched).toEqual(
    expect.arrayContaining([
      'AWS/SQS/ApproximateNumberOfMessagesVisible',
      'AWS/ApiGateway/5xx',
      'PresenceBridge/EventsRejected',
      'PresenceBridge/PresenceLag',
      'PresenceBridge/GenesysWriteFailures',
      'PresenceBridge/GenesysForbidden',
      'PresenceBridge/SubscriptionsUnhealthy',
      'PresenceBridge/AccountsNeedingSignIn',
    ]),
  );
  // Every function has an errors alarm.
  const erroring = Object.values(alarms)
    .filter((alarm) => alarm.Properties?.MetricName === 'Errors')
    .map((alarm) => (alarm.Properties?.Dimensions as Array<{ Value: { Ref: string } }>)[0].Value.Ref)
    .sort();
  expect(erroring).toEqual(['MaintainerLambdaFunction', 'StatusLambdaFunction', 'WebhookLambdaFunction', 'WorkerLambdaFunction']);
  // The DLQ alarm fires on one message; the lag alarm reads p99 in milliseconds (default 5 minutes).
  expect(alarms.DeadLetterQueueAlarm.Properties).toMatchObject({
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['KeyDeadLetterQueue', 'QueueName'] } }],
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
  });
  expect(alarms.PresenceLagAlarm.Properties).toMatchObject({ ExtendedStatistic: 'p99', Threshold: '300000' });
  // Alarms on the bridge's own metrics watch names the code emits, under this stage's service.
  const emitted = new Set<string>([...COUNT_METRICS, ...GAUGE_METRICS, ...TIMING_METRICS]);
  for (const alarm of Object.values(alarms).filter((a) => a.Properties?.Namespace === 'PresenceBridge')) {
    expect(emitted.has(String(alarm.Properties?.MetricName))).toBe(true);
    expect(alarm.Properties?.Dimensions).toEqual([{ Name: 'service', Value: service }]);
  }
  const functions = byType('AWS::Lambda::Function');
  for (const [, fn] of functions) {
    expect((fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
      POWERTOOLS_METRICS_NAMESPACE: 'PresenceBridge',
      POWERTOOLS_SERVICE_NAME: service,
    });
  }

  // The dashboard: a valid body once CloudFormation substitutes its references, which all exist.
  const [[, dashboard]] = byType('AWS::CloudWatch::Dashboard');
  const source = (dashboard.Properties?.DashboardBody as { 'Fn::Sub': string })['Fn::Sub'];
  const references = [...source.matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1]);
  for (const reference of references) {
    if (reference.startsWith('AWS::')) continue;
    expect(Object.keys(template.Resources)).toContain(reference.split('.')[0]);
  }
  const body = JSON.parse(source.replace(/\$\{[^}]+\}/g, 'x')) as { widgets: Array<{ properties: { title?: string; metrics?: unknown[][] } }> };
  const titles = body.widgets.map((widget) => widget.properties.title ?? '').join(' | ');
  for (const topic of ['Events in', 'writes out', 'Lag', 'rejections by reason', '429s', 'parked', 'dead-letter queue', 'Subscription health']) {
    expect(titles).toContain(topic);
  }
  const plotted = new Set(
    body.widgets.flatMap((widget) => (widget.properties.metrics ?? []).filter((row) => row[0] === 'PresenceBridge').map((row) => String(row[1]))),
  );
  for (const name of plotted) expect(emitted.has(name)).toBe(true);
  expect(plotted).toEqual(new Set([...emitted]));
}
