/**
 * The API Lambda as staging ships it (environments/staging.ts), synthesized
 * the way `cdktf synth` does it: the function, its alias and published
 * version, the Lambda target group on the HTTPS listener, concurrency
 * (reserved, provisioned on a schedule), the failure queue, role, logs and
 * key — and accepted by real Terraform (offline validate and plan). A copy
 * with a team's S3 code and constant provisioned concurrency covers the rest.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import prod from '../../../environments/prod';
import staging from '../../../environments/staging';
import type { EnvironmentInput } from '../../../environments/schema';
import { bundleLambda } from '../../../modules/resilience/bundle';
import { API_HANDLER_ENTRY, toAwsCron } from '../../../modules/serverless';
import { offlinePlan, type OfflinePlanResult } from '../../../tools/lib/terraform';
import { type Block, resourceList, stackNamed, synthEnvironments, type TfJson } from '../../support/synth';

let outdir: string;
let stack: TfJson;
let plan: OfflinePlanResult;

beforeAll(async () => {
  const synthesized = synthEnvironments([{ file: 'staging.ts', data: structuredClone(staging) }]);
  outdir = synthesized.outdir;
  stack = stackNamed(synthesized.stacks, 'staging');
  plan = await offlinePlan(join(outdir, 'stacks', 'staging'));
}, 300_000);

const one = (json: TfJson, type: string, where: (b: Block) => boolean = () => true): Block => {
  const list = resourceList(json, type).filter(where);
  if (list.length !== 1) throw new Error(`expected one ${type}, found ${list.length}`);
  return list[0]!;
};
const idOf = (json: TfJson, type: string, where: (b: Block) => boolean): string => {
  const found = Object.entries(json.resource?.[type] ?? {}).filter(([, b]) => where(b));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]![0];
};
const fn = () => one(stack, 'aws_lambda_function', (f) => f.function_name === 'web-app-staging-api');
const fnId = () => idOf(stack, 'aws_lambda_function', (f) => f.function_name === 'web-app-staging-api');
const aliasId = () => idOf(stack, 'aws_lambda_alias', () => true);

describe('staging\'s API Lambda', () => {
  it('publishes a version and points the alias live at it', () => {
    expect(fn()).toMatchObject({ publish: true, runtime: 'nodejs22.x', handler: 'index.handler', architectures: ['arm64'], memory_size: 256, timeout: 30 });
    expect(one(stack, 'aws_lambda_alias')).toMatchObject({ name: 'live', function_name: `\${aws_lambda_function.${fnId()}.function_name}`, function_version: `\${aws_lambda_function.${fnId()}.version}` });
  });

  it('ships the repository\'s handler: the packaged asset is the deterministic bundle', () => {
    const filename = String(fn().filename);
    const zip = readFileSync(join(outdir, 'stacks', 'staging', filename));
    expect(readFileSync(bundleLambda(API_HANDLER_ENTRY).path).equals(zip)).toBe(true);
    expect(fn().source_code_hash).toBe(bundleLambda(API_HANDLER_ENTRY).sha256);
  });

  it('a Lambda target group on the alias, invoked only from that target group, behind a /fn/* rule at 200', () => {
    const tg = one(stack, 'aws_lb_target_group', (t) => t.target_type === 'lambda');
    const tgId = idOf(stack, 'aws_lb_target_group', (t) => t.target_type === 'lambda');
    expect(tg).toMatchObject({ name: 'web-app-staging-api', lambda_multi_value_headers_enabled: false, health_check: { enabled: true, path: '/health', matcher: '200' } });
    expect(tg).not.toHaveProperty('port');
    const permission = one(stack, 'aws_lambda_permission', (p) => p.principal === 'elasticloadbalancing.amazonaws.com');
    expect(permission).toMatchObject({ action: 'lambda:InvokeFunction', qualifier: `\${aws_lambda_alias.${aliasId()}.name}`, source_arn: `\${aws_lb_target_group.${tgId}.arn}` });
    const attachment = one(stack, 'aws_lb_target_group_attachment');
    expect(attachment).toMatchObject({ target_group_arn: `\${aws_lb_target_group.${tgId}.arn}`, target_id: `\${aws_lambda_alias.${aliasId()}.arn}` });
    expect(attachment.depends_on).toEqual([expect.stringMatching(/^aws_lambda_permission\./)]);
    const rule = one(stack, 'aws_lb_listener_rule', (r) => r.priority === 200);
    expect(rule).toMatchObject({ condition: [{ path_pattern: { values: ['/fn/*'] } }], action: [{ type: 'forward', target_group_arn: `\${aws_lb_target_group.${tgId}.arn}` }] });
    expect(String(rule.listener_arn)).toMatch(/^\$\{aws_lb_listener\.primary_load-balancer_https.*\.arn\}$/);
  });

  it('reserves 20 and schedules 2 warm environments on weekdays 09–18 Seoul, 0 otherwise, on the alias', () => {
    expect(fn().reserved_concurrent_executions).toBe(20);
    expect(resourceList(stack, 'aws_lambda_provisioned_concurrency_config')).toEqual([]);
    const target = one(stack, 'aws_appautoscaling_target', (t) => t.service_namespace === 'lambda');
    expect(target).toMatchObject({
      scalable_dimension: 'lambda:function:ProvisionedConcurrency',
      resource_id: 'function:web-app-staging-api:live',
      min_capacity: 0,
      max_capacity: 2,
    });
    const actions = resourceList(stack, 'aws_appautoscaling_scheduled_action')
      .map((a) => ({ name: a.name, schedule: a.schedule, timezone: a.timezone, target: a.scalable_target_action }))
      .sort((a, b) => String(b.name).localeCompare(String(a.name)));
    expect(actions).toEqual([
      { name: 'web-app-staging-api-business-hours', schedule: 'cron(0 9 ? * MON-FRI *)', timezone: 'Asia/Seoul', target: { min_capacity: '2', max_capacity: '2' } },
      { name: 'web-app-staging-api-after-hours', schedule: 'cron(0 18 ? * MON-FRI *)', timezone: 'Asia/Seoul', target: { min_capacity: '0', max_capacity: '0' } },
    ]);
  });

  it('asynchronous callers: the guide\'s event age and retries, failures to a queue under the operations key', () => {
    const queueId = idOf(stack, 'aws_sqs_queue', (q) => q.name === 'web-app-staging-api-failures');
    const queue = one(stack, 'aws_sqs_queue', (q) => q.name === 'web-app-staging-api-failures');
    expect(String(queue.kms_master_key_id)).toMatch(/^\$\{aws_kms_key\.primary_ops-key.*\.arn\}$/);
    expect(one(stack, 'aws_lambda_function_event_invoke_config')).toMatchObject({
      qualifier: `\${aws_lambda_alias.${aliasId()}.name}`,
      maximum_event_age_in_seconds: 60,
      maximum_retry_attempts: 0,
      destination_config: { on_failure: { destination: `\${aws_sqs_queue.${queueId}.arn}` } },
    });
  });

  it('tracing, CMK-encrypted variables, a KMS log group kept monitoring.logRetentionDays, named in the key policy', () => {
    expect(fn()).toMatchObject({ tracing_config: { mode: 'Active' }, environment: { variables: { SERVICE_NAME: 'web-app-staging-api' } } });
    expect(String(fn().kms_key_arn)).toMatch(/^\$\{aws_kms_key\.primary_ops-key/);
    expect(fn()).not.toHaveProperty('vpc_config');
    const logs = one(stack, 'aws_cloudwatch_log_group', (l) => l.name === '/aws/lambda/web-app-staging-api');
    expect(logs).toMatchObject({ retention_in_days: 365 });
    expect(String(logs.kms_key_id)).toMatch(/^\$\{aws_kms_key\.primary_ops-key/);
    expect(JSON.stringify(stack.data?.aws_iam_policy_document)).toContain('log-group:/aws/lambda/web-app-staging-api');
  });

  it('its own role: its logs, its queue, the key, X-Ray; nothing else', () => {
    const doc = Object.entries(stack.data?.aws_iam_policy_document ?? {}).find(([id]) => id.startsWith('primary_serverless-api_permissions'))?.[1];
    const statements = (doc?.statement ?? []) as { sid: string; actions: string[] }[];
    expect(statements.map((s) => [s.sid, s.actions])).toEqual([
      ['WriteItsLogs', ['logs:CreateLogStream', 'logs:PutLogEvents']],
      ['KeepFailedEvents', ['sqs:SendMessage']],
      ['UseTheOperationsKey', ['kms:GenerateDataKey', 'kms:Decrypt']],
      ['Trace', ['xray:PutTraceSegments', 'xray:PutTelemetryRecords']],
    ]);
    expect(one(stack, 'aws_iam_role', (r) => r.name === 'web-app-staging-api')).toBeDefined();
  });
});

describe('planned by Terraform offline', () => {
  it('validates and plans every serverless resource', () => {
    expect(plan.validate.valid, JSON.stringify(plan.validate.diagnostics)).toBe(true);
    const types = ['aws_lambda_function', 'aws_lambda_alias', 'aws_lb_target_group_attachment', 'aws_lambda_function_event_invoke_config', 'aws_appautoscaling_target', 'aws_appautoscaling_scheduled_action', 'aws_lb_listener_rule'];
    for (const type of types) {
      const changes = plan.plan.resource_changes.filter((c) => c.type === type && c.address.includes('serverless-api'));
      expect(changes.length, type).toBeGreaterThan(0);
      for (const change of changes) expect(change.change.actions, change.address).toEqual(['create']);
    }
    const fnChange = plan.plan.resource_changes.find((c) => c.type === 'aws_lambda_function' && c.address.includes('serverless-api'));
    expect(fnChange?.change.after).toMatchObject({ publish: true, reserved_concurrent_executions: 20, function_name: 'web-app-staging-api' });
  });
});

describe('a team\'s own code, constant provisioned concurrency', () => {
  const env: EnvironmentInput = {
    ...structuredClone(staging),
    serverlessApi: {
      listenerRule: { priority: 7, hostHeaders: ['api.staging.example.com'], pathPatterns: ['/v1/*'] },
      code: { s3Bucket: 'web-app-artifacts', s3Key: 'api/v42.zip', s3ObjectVersion: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY', runtime: 'python3.13', handler: 'app.lambda_handler' },
      memorySize: 1024,
      multiValueHeaders: true,
      reservedConcurrency: 50,
      provisionedConcurrency: 5,
      maximumEventAgeInSeconds: 3600,
      maximumRetryAttempts: 2,
    },
  };
  const custom = stackNamed(synthEnvironments([{ file: 'staging.ts', data: env }]).stacks, 'staging');

  it('deploys the pinned S3 object, nothing bundled, and may read only that object', () => {
    const f = one(custom, 'aws_lambda_function', (x) => x.function_name === 'web-app-staging-api');
    expect(f).toMatchObject({ s3_bucket: 'web-app-artifacts', s3_key: 'api/v42.zip', s3_object_version: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY', runtime: 'python3.13', handler: 'app.lambda_handler', memory_size: 1024 });
    expect(f).not.toHaveProperty('filename');
    expect(JSON.stringify(custom.data?.aws_iam_policy_document)).toContain('arn:aws:s3:::web-app-artifacts/api/v42.zip');
  });

  it('provisioned concurrency is a config on the alias; no Application Auto Scaling', () => {
    expect(one(custom, 'aws_lambda_provisioned_concurrency_config')).toMatchObject({ provisioned_concurrent_executions: 5, qualifier: expect.stringMatching(/^\$\{aws_lambda_alias\./) });
    expect(resourceList(custom, 'aws_appautoscaling_target').filter((t) => t.service_namespace === 'lambda')).toEqual([]);
  });

  it('host and path conditions, multi-value headers, the asynchronous settings', () => {
    expect(one(custom, 'aws_lb_listener_rule', (r) => r.priority === 7).condition).toEqual([{ host_header: { values: ['api.staging.example.com'] } }, { path_pattern: { values: ['/v1/*'] } }]);
    expect(one(custom, 'aws_lb_target_group', (t) => t.target_type === 'lambda').lambda_multi_value_headers_enabled).toBe(true);
    expect(one(custom, 'aws_lambda_function_event_invoke_config')).toMatchObject({ maximum_event_age_in_seconds: 3600, maximum_retry_attempts: 2 });
  });
});

describe('a standby region builds none', () => {
  const withApi: EnvironmentInput = { ...structuredClone(prod), serverlessApi: { listenerRule: { priority: 300, pathPatterns: ['/fn/*'] }, reservedConcurrency: 10, provisionedConcurrency: 1 } };
  const synthesized = stackNamed(synthEnvironments([{ file: 'prod.ts', data: withApi }]).stacks, 'prod');

  it('the primary has the function, the standby (prod-dr) has no function, rule or provisioned concurrency of its own', () => {
    const names = resourceList(synthesized, 'aws_lambda_function').map((f) => f.function_name);
    expect(names).toContain('web-app-prod-api');
    expect(names.filter((n) => String(n).includes('-dr-api'))).toEqual([]);
    expect(resourceList(synthesized, 'aws_lambda_provisioned_concurrency_config')).toHaveLength(1);
    expect(resourceList(synthesized, 'aws_lb_target_group').filter((t) => t.target_type === 'lambda').map((t) => t.name)).toEqual(['web-app-prod-api']);
  });
});

describe('AWS cron', () => {
  it.each([
    ['0 9 * * 1-5', 'cron(0 9 ? * MON-FRI *)'],
    ['30 18 * * 0,6', 'cron(30 18 ? * SUN,SAT *)'],
    ['0 0 1 * *', 'cron(0 0 1 * ? *)'],
    ['*/15 8-20 * * *', 'cron(*/15 8-20 * * ? *)'],
    ['0 12 * * 7', 'cron(0 12 ? * SUN *)'],
  ])('%s → %s', (cron, aws) => {
    expect(toAwsCron(cron)).toBe(aws);
  });

  it('refuses what AWS cannot express', () => {
    expect(() => toAwsCron('0 9 1 * 1')).toThrow(/both day-of-month and day-of-week/);
    expect(() => toAwsCron('0 9 * * */2')).toThrow(/steps a day-of-week/);
  });
});
