/**
 * The batch tier as staging synthesizes it (the workflow runner) and as a
 * spot-fleet variant: properties of the Terraform JSON — who may do what,
 * under which conditions; encryption; the failure path and its alarms; the
 * sweep; the key grants; the security pack.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { App, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { validateEnvironments } from '../../../environments/load';
import type { EnvironmentInput } from '../../../environments/schema';
import staging from '../../../environments/staging';
import { stateBackend } from '../../../environments/state-backend';
import { BATCH_SWEEP_DEFAULTS, BATCH_TAG_KEY, batchTagValue } from '../../../modules/batch';
import { applySecurityPack, evaluate } from '../../../modules/security';
import { buildStacks } from '../../../stacks';
import { type Block, dataSources, resources, stackNamed, synthEnvironments, type TfJson, underPath } from '../../support/synth';

const NAME = 'web-app-staging';
const TAG = batchTagValue(NAME);

function synth(env: EnvironmentInput): TfJson {
  return underPath(stackNamed(synthEnvironments([{ file: 'staging.ts', data: env }]).stacks, 'staging'), 'staging/primary/');
}

const workflow = synth(structuredClone(staging));
const fleetEnv: EnvironmentInput = { ...structuredClone(staging), batch: { ...structuredClone(staging.batch!), runner: 'spot-fleet', fleet: { targetCapacity: 3 } } };
const fleet = synth(fleetEnv);

const pathOf = (block: Block) => (block['//'] as { metadata: { path: string } }).metadata.path;
function at(stack: TfJson, kind: 'resource' | 'data', type: string, path: string): Block {
  const pool = kind === 'resource' ? resources(stack, type) : dataSources(stack, type);
  const found = Object.values(pool).find((b) => pathOf(b) === `staging/primary/${path}`);
  if (!found) throw new Error(`no ${type} at ${path}: ${Object.values(pool).map(pathOf).join(', ')}`);
  return found;
}

interface Statement {
  sid?: string;
  effect?: string;
  actions: string[];
  resources: string[];
  condition?: { test: string; variable: string; values: string[] }[];
}
const statements = (stack: TfJson, path: string) => at(stack, 'data', 'aws_iam_policy_document', path).statement as Statement[];
const bySid = (list: Statement[], sid: string) => {
  const found = list.find((s) => s.sid === sid);
  if (!found) throw new Error(`no statement ${sid}: ${list.map((s) => s.sid).join(', ')}`);
  return found;
};
const definition = () => JSON.parse(String(at(workflow, 'resource', 'aws_sfn_state_machine', 'batch/workflow/state-machine').definition)) as {
  StartAt: string;
  TimeoutSeconds: number;
  States: Record<string, Record<string, unknown>>;
};

describe('the state machine', () => {
  const machine = at(workflow, 'resource', 'aws_sfn_state_machine', 'batch/workflow/state-machine');

  it('is traced, and logs its history with the data to a log group under the tier\'s key', () => {
    expect(machine.tracing_configuration).toEqual({ enabled: true });
    const logging = machine.logging_configuration as Record<string, unknown>;
    expect(logging).toMatchObject({ include_execution_data: true, level: 'ALL' });
    const group = at(workflow, 'resource', 'aws_cloudwatch_log_group', 'batch/workflow/logs');
    expect(group.name).toBe(`/aws/vendedlogs/states/${NAME}-batch`);
    expect(String(group.kms_key_id)).toMatch(/^\$\{aws_kms_key\.primary_ops-key_\w+\.arn\}$/);
    expect(String(logging.log_destination)).toMatch(/^\$\{aws_cloudwatch_log_group\.primary_batch_workflow_logs_\w+\.arn\}:\*$/);
  });

  it('has a definition whose references to Terraform are only the template and the subnets', () => {
    const refs = [...String(machine.definition).matchAll(/\$\{([a-z_]+)\./g)].map((m) => m[1]);
    expect(new Set(refs)).toEqual(new Set(['aws_launch_template', 'aws_subnet']));
  });

  it('has the budget of every attempt: (1 + retries) × (maxRunMinutes + 10) minutes', () => {
    // staging: maxRunMinutes 30, interruptionRetries 2 (default).
    expect(definition().TimeoutSeconds).toBe(3 * 40 * 60);
  });

  it('runs the job with SSM\'s timeout at maxRunMinutes', () => {
    const run = definition().States.RunJob as { Parameters: { Parameters: { executionTimeout: string[] } } };
    expect(run.Parameters.Parameters.executionTimeout).toEqual(['1800']);
  });

  it('launches Spot, capacity-optimized, over every instance type in every private subnet', () => {
    const launch = definition().States.LaunchInstance as { Parameters: Record<string, unknown> };
    expect(launch.Parameters).toMatchObject({ Type: 'instant', TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: 'spot' }, SpotOptions: { AllocationStrategy: 'capacity-optimized' } });
    const [config] = launch.Parameters.LaunchTemplateConfigs as { Overrides: { InstanceType: string; SubnetId: string }[] }[];
    expect(config!.Overrides).toHaveLength(3 * 2);
    expect(new Set(config!.Overrides.map((o) => o.InstanceType))).toEqual(new Set(['c5.xlarge', 'c5a.xlarge', 'c6i.xlarge']));
    expect(new Set(config!.Overrides.map((o) => o.SubnetId)).size).toBe(2);
    const tagged = (launch.Parameters.TagSpecifications as { ResourceType: string; Tags: { Key: string; Value?: string }[] }[]).map((t) => [t.ResourceType, t.Tags.find((x) => x.Key === BATCH_TAG_KEY)?.Value]);
    expect(tagged).toEqual([
      ['instance', TAG],
      ['fleet', TAG],
    ]);
  });

  it('keeps the job script\'s shell ${…} away from Terraform', () => {
    const script = (definition().States.Prepare as { Parameters: { script: string } }).Parameters.script;
    expect(script).toContain('"$${OUTPUT_URI%.gz}.status-counts.txt"');
    expect(script).toContain(`export OUTPUT_URI="s3://${NAME}-batch-out-123456789012-ap-northeast-2/processed/$\${BATCH_KEY#incoming/}"`);
  });
});

describe('least privilege', () => {
  const policy = statements(workflow, 'batch/workflow/permissions');

  it('the workflow launches only instances that carry the batch tag', () => {
    const launch = bySid(policy, 'LaunchOnlyTaggedInstances');
    expect(launch.actions.sort()).toEqual(['ec2:CreateFleet', 'ec2:RunInstances']);
    expect(launch.resources.every((r) => /:(instance|fleet)\/\*$/.test(r))).toBe(true);
    expect(launch.condition).toEqual([{ test: 'StringEquals', variable: `aws:RequestTag/${BATCH_TAG_KEY}`, values: [TAG] }]);
    // Every other statement that grants a launch names the resources it uses, never an instance.
    const others = policy.filter((s) => s.sid !== 'LaunchOnlyTaggedInstances' && s.actions.some((a) => a === 'ec2:RunInstances'));
    expect(others.flatMap((s) => s.resources).some((r) => r.includes(':instance/'))).toBe(false);
  });

  it('terminates and runs commands only on instances with the batch tag', () => {
    expect(bySid(policy, 'TerminateOnlyTaggedInstances')).toMatchObject({
      actions: ['ec2:TerminateInstances'],
      condition: [{ test: 'StringEquals', variable: `aws:ResourceTag/${BATCH_TAG_KEY}`, values: [TAG] }],
    });
    expect(bySid(policy, 'RunCommandsOnlyOnTaggedInstances')).toMatchObject({
      actions: ['ssm:SendCommand'],
      condition: [{ test: 'StringEquals', variable: `ssm:resourceTag/${BATCH_TAG_KEY}`, values: [TAG] }],
    });
    expect(bySid(policy, 'RunTheShellScriptDocumentOnly').resources).toEqual([expect.stringMatching(/^arn:\$\{data\.aws_partition\.\w+\.partition\}:ssm:ap-northeast-2::document\/AWS-RunShellScript$/)]);
  });

  it('tags only while launching, and passes only the instance role, to EC2 only', () => {
    expect(bySid(policy, 'TagOnlyWhileLaunching').condition).toEqual([{ test: 'StringEquals', variable: 'ec2:CreateAction', values: ['CreateFleet', 'RunInstances'] }]);
    const pass = bySid(policy, 'PassTheInstanceRoleToEc2Only');
    expect(pass.resources).toEqual([expect.stringMatching(/^\$\{aws_iam_role\.primary_batch_workflow_instances_role_\w+\.arn\}$/)]);
    expect(pass.condition).toEqual([{ test: 'StringEquals', variable: 'iam:PassedToService', values: ['ec2.amazonaws.com'] }]);
  });

  it('grants * only to actions without resource-level permissions', () => {
    const unscoped = policy.filter((s) => s.resources.includes('*') && !s.condition?.length).flatMap((s) => s.actions);
    expect(unscoped.every((a) => /^(ec2:DescribeInstances|ssm:GetCommandInvocation|logs:\w+|xray:\w+)$/.test(a)), unscoped.join(', ')).toBe(true);
  });

  it('the instance reads only the input prefix and writes only the output prefix', () => {
    const instance = statements(workflow, 'batch/workflow/instances/permissions');
    const s3 = instance.filter((s) => s.actions.some((a) => a.startsWith('s3:')));
    expect(s3.map((s) => s.actions)).toEqual([['s3:GetObject'], ['s3:PutObject']]);
    expect(s3[1]!.resources).toEqual([expect.stringMatching(/^\$\{aws_s3_bucket\.primary_batch_buckets_output_bucket_\w+\.arn\}\/processed\/\*$/)]);
    expect(String(s3[0]!.resources[0])).toMatch(/^\$\{aws_s3_bucket\.primary_batch_buckets_input_bucket_\w+\.arn\}\/incoming\/\*$/);
    const kms = bySid(instance, 'UseTheKeyThroughS3');
    expect(kms.condition?.find((c) => c.variable === 'kms:ViaService')?.values).toEqual(['s3.ap-northeast-2.amazonaws.com']);
  });

  it('a fleet instance may also list the input prefix, and nothing more of the bucket', () => {
    const list = bySid(statements(fleet, 'batch/fleet/instances/permissions'), 'ListTheInputPrefix');
    expect(list.actions).toEqual(['s3:ListBucket']);
    expect(list.condition).toEqual([{ test: 'StringLike', variable: 's3:prefix', values: ['incoming/*'] }]);
    expect(() => bySid(statements(workflow, 'batch/workflow/instances/permissions'), 'ListTheInputPrefix')).toThrow();
  });

  it('EventBridge may start this state machine only', () => {
    const start = statements(workflow, 'batch/workflow/events-permissions');
    expect(start).toEqual([{ sid: 'StartThisWorkflowOnly', actions: ['states:StartExecution'], resources: [expect.stringMatching(/^\$\{aws_sfn_state_machine\.primary_batch_workflow_state-machine_\w+\.arn\}$/)] }]);
  });

  it('the sweep terminates only batch-tagged instances', () => {
    const sweep = statements(workflow, 'batch/workflow/sweep/permissions');
    expect(bySid(sweep, 'TerminateBatchInstancesOnly').condition).toEqual([{ test: 'StringEquals', variable: `aws:ResourceTag/${BATCH_TAG_KEY}`, values: [TAG] }]);
    expect(sweep.filter((s) => s.actions.includes('ec2:TerminateInstances'))).toHaveLength(1);
  });
});

describe('the instances', () => {
  it.each([
    ['workflow', workflow, 'batch/workflow/instances/template'],
    ['spot-fleet', fleet, 'batch/fleet/instances/template'],
  ] as const)('%s: IMDSv2 only, encrypted root volume, no inbound, tagged volumes', (_, stack, path) => {
    const template = at(stack, 'resource', 'aws_launch_template', path);
    expect(template.metadata_options).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 1 });
    expect(template.block_device_mappings).toEqual([expect.objectContaining({ ebs: expect.objectContaining({ encrypted: 'true', delete_on_termination: 'true' }) })]);
    expect(template.instance_initiated_shutdown_behavior).toBe('terminate');
    expect(template.key_name).toBeUndefined();
    const tagsOf = (type: string) => (template.tag_specifications as { resource_type: string; tags: Record<string, string> }[]).find((t) => t.resource_type === type)?.tags;
    expect(tagsOf('volume')?.[BATCH_TAG_KEY]).toBe(TAG);
    expect(tagsOf('instance')?.Name).toBe(`${NAME}-batch`);
    expect(tagsOf('instance')?.CostCenter).toBe('engineering');
    // The workflow's launch request carries the batch tag (its IAM condition reads it there); a fleet's template does.
    expect(tagsOf('instance')?.[BATCH_TAG_KEY]).toBe(path.includes('fleet') ? TAG : undefined);
    const ingress = Object.values(resources(stack, 'aws_vpc_security_group_ingress_rule')).filter((r) => pathOf(r).includes('/batch/'));
    expect(ingress).toEqual([]);
  });

  it('a fleet instance runs the commands as a service that systemd stops with SIGTERM inside the two-minute notice', () => {
    const template = at(fleet, 'resource', 'aws_launch_template', 'batch/fleet/instances/template');
    const userData = Buffer.from(String(template.user_data), 'base64').toString('utf8');
    expect(userData).toContain(`export INPUT_URI='s3://${NAME}-batch-in-123456789012-ap-northeast-2/incoming/'`);
    expect(userData).toContain('KillSignal=SIGTERM');
    expect(userData).toMatch(/TimeoutStopSec=(\d+)/);
    expect(Number(userData.match(/TimeoutStopSec=(\d+)/)![1])).toBeLessThan(120);
    expect(userData).toContain('"${OUTPUT_URI%.gz}.status-counts.txt"');
    // A workflow instance gets its job from SSM: no user data.
    expect(at(workflow, 'resource', 'aws_launch_template', 'batch/workflow/instances/template').user_data).toBeUndefined();
  });
});

describe('the buckets', () => {
  it.each(['input', 'output'])('%s: SSE-KMS under the tier\'s key, versioned, private, TLS-only, logged, events to EventBridge', (which) => {
    const bucket = at(workflow, 'resource', 'aws_s3_bucket', `batch/buckets/${which}/bucket`);
    expect(bucket.bucket).toBe(`${NAME}-batch-${which === 'input' ? 'in' : 'out'}-123456789012-ap-northeast-2`);
    expect(String(bucket.bucket).length).toBeLessThanOrEqual(63);
    const encryption = at(workflow, 'resource', 'aws_s3_bucket_server_side_encryption_configuration', `batch/buckets/${which}/encryption`);
    expect(encryption.rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\.primary_ops-key_\w+\.arn\}$/) }, bucket_key_enabled: true },
    ]);
    expect(at(workflow, 'resource', 'aws_s3_bucket_versioning', `batch/buckets/${which}/versioning`).versioning_configuration).toEqual({ status: 'Enabled' });
    expect(at(workflow, 'resource', 'aws_s3_bucket_public_access_block', `batch/buckets/${which}/public-access`)).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(statements(workflow, `batch/buckets/${which}/policy-document`).map((s) => s.sid)).toEqual(['DenyInsecureTransport', 'DenyOutdatedTls']);
    expect(at(workflow, 'resource', 'aws_s3_bucket_notification', `batch/buckets/${which}/events`).eventbridge).toBe(true);
    expect(at(workflow, 'resource', 'aws_s3_bucket_logging', `batch/buckets/${which}-access-logging`).target_prefix).toBe(`${which}/`);
  });
});

describe('failure handling', () => {
  it('an object under the input prefix starts a run, with a dead letter for events that could not', () => {
    const rule = at(workflow, 'resource', 'aws_cloudwatch_event_rule', 'batch/workflow/object-created');
    expect(JSON.parse(String(rule.event_pattern))).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: [`${NAME}-batch-in-123456789012-ap-northeast-2`] }, object: { key: [{ prefix: 'incoming/' }] } },
    });
    const target = at(workflow, 'resource', 'aws_cloudwatch_event_target', 'batch/workflow/object-created-target');
    expect(String(target.arn)).toMatch(/^\$\{aws_sfn_state_machine\./);
    expect(String((target.dead_letter_config as { arn: string }).arn)).toMatch(/^\$\{aws_sqs_queue\.primary_batch_workflow_failed-runs_\w+\.arn\}$/);
  });

  it('failed, timed-out and aborted runs of this state machine go to the failed-runs queue, kept failedRunRetentionDays', () => {
    const rule = at(workflow, 'resource', 'aws_cloudwatch_event_rule', 'batch/workflow/run-failed');
    const pattern = JSON.parse(String(rule.event_pattern)) as { source: string[]; detail: { status: string[]; stateMachineArn: string[] } };
    expect(pattern.source).toEqual(['aws.states']);
    expect(pattern.detail.status).toEqual(['FAILED', 'TIMED_OUT', 'ABORTED']);
    expect(pattern.detail.stateMachineArn).toEqual([expect.stringMatching(/^\$\{aws_sfn_state_machine\./)]);
    const queue = at(workflow, 'resource', 'aws_sqs_queue', 'batch/workflow/failed-runs');
    expect(queue.message_retention_seconds).toBe(14 * 86400);
    expect(String(queue.kms_master_key_id)).toMatch(/^\$\{aws_kms_key\.primary_ops-key_\w+\.arn\}$/);
    const send = statements(workflow, 'batch/workflow/failed-runs-policy-document')[0]!;
    expect(send.condition?.[0]).toMatchObject({ test: 'ArnEquals', variable: 'aws:SourceArn' });
    expect(send.condition?.[0]?.values).toHaveLength(3);
  });

  it('alarms on failed executions and on runs waiting in the queue, to the alerts topic', () => {
    const failed = at(workflow, 'resource', 'aws_cloudwatch_metric_alarm', 'batch/workflow/executions-failed');
    expect(failed).toMatchObject({ alarm_name: `${NAME}-batch-executions-failed`, namespace: 'AWS/States', metric_name: 'ExecutionsFailed', threshold: 0, comparison_operator: 'GreaterThanThreshold' });
    expect(String((failed.dimensions as Record<string, string>).StateMachineArn)).toMatch(/^\$\{aws_sfn_state_machine\./);
    const waiting = at(workflow, 'resource', 'aws_cloudwatch_metric_alarm', 'batch/workflow/failed-runs-waiting');
    expect(waiting).toMatchObject({ namespace: 'AWS/SQS', metric_name: 'ApproximateNumberOfMessagesVisible' });
    for (const alarm of [failed, waiting]) expect(alarm.alarm_actions).toEqual([expect.stringMatching(/^\$\{aws_sns_topic\.primary_monitoring_alerts/)]);
  });

  it('the sweep runs every 15 minutes and terminates instances older than maxRunMinutes plus grace', () => {
    const fn = at(workflow, 'resource', 'aws_lambda_function', 'batch/workflow/sweep/function');
    expect((fn.environment as { variables: Record<string, string> }).variables).toEqual({ TAG_KEY: BATCH_TAG_KEY, TAG_VALUE: TAG, MAX_AGE_MINUTES: String(30 + BATCH_SWEEP_DEFAULTS.graceMinutes) });
    expect(at(workflow, 'resource', 'aws_cloudwatch_event_rule', 'batch/workflow/sweep/schedule').schedule_expression).toBe('rate(15 minutes)');
  });
});

describe('the tier\'s key', () => {
  const key = statements(workflow, 'ops-key/policy');

  it('lets CloudWatch Logs encrypt the batch log groups, and EventBridge deliver for the batch rules', () => {
    const logs = bySid(key, 'CloudWatchLogsEncrypt').condition![0]!.values;
    expect(logs.some((arn) => arn.endsWith(`:log-group:/aws/vendedlogs/states/${NAME}-batch`))).toBe(true);
    expect(logs.some((arn) => arn.endsWith(`:log-group:/aws/lambda/${NAME}-batch-sweep`))).toBe(true);
    const events = bySid(key, 'EventBridgeDeadLetters').condition!.find((c) => c.variable === 'aws:SourceArn')!.values;
    // The Spot handler's rules and the batch tier's, each by its own prefix: no other rule of the environment.
    expect(events).toEqual([expect.stringMatching(new RegExp(`:rule/${NAME}-spot-\\*$`)), expect.stringMatching(new RegExp(`:rule/${NAME}-batch-\\*$`))]);
  });

  it('grants nothing for batch where the section is off', () => {
    const { batch: _none, ...without } = structuredClone(staging);
    const plain = synth(without);
    expect(JSON.stringify(statements(plain, 'ops-key/policy'))).not.toContain('batch');
    expect(Object.values(resources(plain, 'aws_s3_bucket')).filter((b) => pathOf(b).includes('/batch/'))).toEqual([]);
  });
});

describe('the security pack', () => {
  function report(env: EnvironmentInput) {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'batch-pack-')) });
    buildStacks(app, validateEnvironments([{ file: 'staging.ts', data: env }]), stateBackend);
    const stack = app.node.findAll().filter(TerraformStack.isStack).find((s) => s.node.id === 'staging')!;
    return evaluate(stack);
  }
  const batchOnly = (paths: string[]) => paths.filter((p) => p.includes('/batch/')).sort();

  it.each([
    ['workflow', structuredClone(staging), ['CKV_AWS_117 primary/batch/workflow/sweep/function', 'CKV_AWS_272 primary/batch/workflow/sweep/function']],
    ['spot-fleet', fleetEnv, []],
  ] as const)('%s: no violations; the batch waivers are the reviewed ones', (_, env, lambdaWaivers) => {
    const result = report(env);
    expect(result.violations).toEqual([]);
    expect(batchOnly(result.waived.map((w) => `${w.rule} ${w.resource}`))).toEqual(
      [
        ...lambdaWaivers,
        'CKV2_AWS_62 primary/batch/buckets/access-logs/bucket',
        'CKV_AWS_144 primary/batch/buckets/access-logs/bucket',
        'CKV_AWS_144 primary/batch/buckets/input/bucket',
        'CKV_AWS_144 primary/batch/buckets/output/bucket',
        'CKV_AWS_145 primary/batch/buckets/access-logs/bucket',
        'CKV_AWS_18 primary/batch/buckets/access-logs/bucket',
      ].sort(),
    );
  });

  it('checks the state machine against CKV_AWS_284 and CKV_AWS_285, and a machine without tracing or history fails them', () => {
    const rules = (build: (scope: Construct) => void) => {
      const stack = new TerraformStack(new App({ outdir: mkdtempSync(join(tmpdir(), 'sfn-')) }), 'test');
      applySecurityPack(stack, { production: false });
      build(stack);
      return evaluate(stack).violations.map((v) => v.rule);
    };
    const machine = (scope: Construct, extra: Record<string, unknown>) =>
      new SfnStateMachine(scope, 'sm', { name: 'm', roleArn: 'arn:aws:iam::123456789012:role/r', definition: '{}', ...extra });
    expect(rules((s) => machine(s, {}))).toEqual(['CKV_AWS_284', 'CKV_AWS_285']);
    expect(rules((s) => machine(s, { tracingConfiguration: { enabled: true }, loggingConfiguration: { includeExecutionData: false, level: 'ALL', logDestination: 'arn:aws:logs:ap-northeast-2:123456789012:log-group:g:*' } }))).toEqual(['CKV_AWS_285']);
    expect(rules((s) => machine(s, { tracingConfiguration: { enabled: true }, loggingConfiguration: { includeExecutionData: true, level: 'OFF' } }))).toEqual(['CKV_AWS_285']);
    expect(rules((s) => machine(s, { tracingConfiguration: { enabled: true }, loggingConfiguration: { includeExecutionData: true, level: 'ERROR', logDestination: 'arn:aws:logs:ap-northeast-2:123456789012:log-group:g:*' } }))).toEqual([]);
    // Staging's machine is among what the pack checks.
    expect(report(structuredClone(staging)).resourcesChecked).toBeGreaterThan(0);
  });
});
