/**
 * The shipped staging environment with its containerService: the cluster,
 * task, network, traffic and scaling as the section says, the standby
 * (in a copy with one) building none, and real Terraform planning it offline.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import prod from '../../../environments/prod';
import staging from '../../../environments/staging';
import type { EnvironmentInput } from '../../../environments/schema';
import { fargateMemoryFor, fargateSizeProblem, splitTasks } from '../../../modules/container-service';
import { offlinePlan, type OfflinePlanResult } from '../../../tools/lib/terraform';
import { estimateStack } from '../../../tools/synth-model/estimate';
import { splitByStrategy } from '../../../tools/synth-model/fargate-tasks';
import { loadPriceTable } from '../../../tools/synth-model/price-table';
import { readStack } from '../../../tools/synth-model/stack-model';
import { type Block, resourceList, stackNamed, synthEnvironments, type TfJson, underPath } from '../../support/synth';

const SECRET = 'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:web-app/staging/db-AbCdEf';
const PARAMETER = 'arn:aws:ssm:ap-northeast-2:123456789012:parameter/web-app/staging/feature-flags';
const IMAGE = '123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/web-app/api@sha256:' + 'a'.repeat(64);

const withSecrets: EnvironmentInput = {
  ...structuredClone(staging),
  containerService: {
    ...structuredClone(staging.containerService!),
    image: IMAGE,
    user: '1000:1000',
    environment: { LOG_LEVEL: 'info' },
    secrets: [
      { name: 'DB_PASSWORD', valueFrom: `${SECRET}:password::` },
      { name: 'FLAGS', valueFrom: PARAMETER },
    ],
    taskRole: { statements: [{ sid: 'ReadReports', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::web-app-reports/*'] }] },
  },
};

let stack: TfJson;
let custom: TfJson;
let plan: OfflinePlanResult;

beforeAll(async () => {
  const synthesized = synthEnvironments([{ file: 'staging.ts', data: staging }]);
  stack = stackNamed(synthesized.stacks, 'staging');
  custom = stackNamed(synthEnvironments([{ file: 'staging.ts', data: withSecrets }]).stacks, 'staging');
  plan = await offlinePlan(join(synthesized.outdir, 'stacks', 'staging'));
}, 300_000);

const one = (json: TfJson, type: string): Block => {
  const list = resourceList(json, type);
  if (list.length !== 1) throw new Error(`expected one ${type}, found ${list.length}`);
  return list[0]!;
};
const containerOf = (json: TfJson) => (JSON.parse(String(one(json, 'aws_ecs_task_definition').container_definitions)) as Block[])[0]!;
const policyOf = (json: TfJson, id: string) => json.data?.aws_iam_policy_document?.[Object.keys(json.data.aws_iam_policy_document).find((k) => k.startsWith(id))!] as Block;

describe('staging containerService', () => {
  it('a cluster with Container Insights and both Fargate capacity providers', () => {
    expect(one(stack, 'aws_ecs_cluster')).toMatchObject({ name: 'web-app-staging-svc', setting: [{ name: 'containerInsights', value: 'enabled' }] });
    expect(one(stack, 'aws_ecs_cluster_capacity_providers').capacity_providers).toEqual(['FARGATE', 'FARGATE_SPOT']);
  });

  it("the service: the guide's strategy, private subnets without public IPs, rolling back on a failed deploy", () => {
    const service = one(stack, 'aws_ecs_service');
    expect(service).toMatchObject({
      desired_count: 2,
      platform_version: 'LATEST',
      capacity_provider_strategy: [
        { capacity_provider: 'FARGATE', base: 2, weight: 1 },
        { capacity_provider: 'FARGATE_SPOT', base: 0, weight: 4 },
      ],
      network_configuration: { assign_public_ip: false },
      deployment_circuit_breaker: { enable: true, rollback: true },
      deployment_minimum_healthy_percent: 100,
      deployment_maximum_percent: 200,
      load_balancer: [{ container_name: 'app', container_port: 80 }],
    });
    expect(service).not.toHaveProperty('launch_type');
    expect(JSON.stringify(service.network_configuration)).toContain('aws_subnet.');
  });

  it('the task: read-only root with writable task storage, awslogs to the encrypted group, stopTimeout 120, two roles', () => {
    const task = one(stack, 'aws_ecs_task_definition');
    expect(task).toMatchObject({ cpu: '256', memory: '512', network_mode: 'awsvpc', requires_compatibilities: ['FARGATE'] });
    expect(task.execution_role_arn).not.toEqual(task.task_role_arn);
    const container = containerOf(stack);
    expect(container).toMatchObject({
      image: 'public.ecr.aws/nginx/nginx:1.27-alpine',
      readonlyRootFilesystem: true,
      privileged: false,
      stopTimeout: 120,
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web-app-staging-svc', 'awslogs-region': 'ap-northeast-2' } },
    });
    expect((container.mountPoints as Block[]).map((m) => m.containerPath)).toEqual(['/var/cache/nginx', '/var/run', '/tmp']);
    const group = resourceList(stack, 'aws_cloudwatch_log_group').find((g) => g.name === '/ecs/web-app-staging-svc')!;
    expect(group.retention_in_days).toBe(365);
    expect(String(group.kms_key_id)).toContain('aws_kms_key.');
    // The key lets CloudWatch Logs encrypt exactly that group.
    expect(JSON.stringify(stack.data?.aws_iam_policy_document)).toContain('log-group:/ecs/web-app-staging-svc');
  });

  it('the tasks admit the load balancer only, and the load balancer may reach them', () => {
    const ingress = resourceList(stack, 'aws_vpc_security_group_ingress_rule').filter((r) => r.description === 'Container port from the load balancer only');
    expect(ingress).toHaveLength(1);
    expect(ingress[0]).toMatchObject({ from_port: 80, to_port: 80 });
    expect(String(ingress[0]!.referenced_security_group_id)).toMatch(/load-balancer|alb|sg/);
    const egress = resourceList(stack, 'aws_vpc_security_group_egress_rule').filter((r) => r.description === 'Load balancer to service on port 80');
    expect(egress).toHaveLength(1);
  });

  it('an IP target group and the /api/* rule at priority 100 on the HTTPS listener', () => {
    const groups = resourceList(stack, 'aws_lb_target_group').filter((g) => g.target_type === 'ip');
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ port: 80, deregistration_delay: '30', health_check: { path: '/' } });
    const rule = resourceList(stack, 'aws_lb_listener_rule').find((r) => r.priority === 100)!;
    expect(rule.condition).toEqual([{ path_pattern: { values: ['/api/*'] } }]);
  });

  it("target tracking on CPU 70 and requests per target, the guide's cooldowns, 2–10 tasks", () => {
    const ecs = (type: string) => resourceList(stack, type).filter((r) => r.service_namespace === 'ecs' || String(r.service_namespace).includes('aws_appautoscaling_target.primary_container-service'));
    expect(ecs('aws_appautoscaling_target')).toMatchObject([{ min_capacity: 2, max_capacity: 10, scalable_dimension: 'ecs:service:DesiredCount' }]);
    const policies = ecs('aws_appautoscaling_policy').map((p) => p.target_tracking_scaling_policy_configuration as Block);
    expect(policies.map((p) => [(p.predefined_metric_specification as Block).predefined_metric_type, p.target_value, p.scale_in_cooldown, p.scale_out_cooldown])).toEqual([
      ['ECSServiceAverageCPUUtilization', 70, 300, 60],
      ['ALBRequestCountPerTarget', 1000, 300, 60],
    ]);
    expect(String((policies[1]!.predefined_metric_specification as Block).resource_label)).toMatch(/arn_suffix.*\/.*arn_suffix/);
  });

  it('real Terraform plans it (offline, provider 5.100)', () => {
    expect(plan.validate.valid, JSON.stringify(plan.validate.diagnostics)).toBe(true);
    const planned = new Set(plan.plan.resource_changes.filter((c) => c.change.actions.includes('create')).map((c) => c.type));
    for (const type of ['aws_ecs_cluster', 'aws_ecs_cluster_capacity_providers', 'aws_ecs_service', 'aws_ecs_task_definition', 'aws_appautoscaling_target', 'aws_appautoscaling_policy', 'aws_lb_listener_rule']) {
      expect(planned).toContain(type);
    }
  });
});

describe('secrets, a private image and the task role', () => {
  it('the execution role reads exactly the named secret and parameter, decrypting through those services only', () => {
    const statements = policyOf(custom, 'primary_container-service_execution-policy-document').statement as Block[];
    const bySid = Object.fromEntries(statements.map((s) => [s.sid, s]));
    expect(bySid.ReadSecrets!.resources).toEqual([SECRET]);
    expect(bySid.ReadParameters!.resources).toEqual([PARAMETER]);
    expect(bySid.DecryptSecrets!.condition).toEqual([
      { test: 'StringEquals', variable: 'kms:ViaService', values: ['secretsmanager.ap-northeast-2.amazonaws.com', 'ssm.ap-northeast-2.amazonaws.com'] },
    ]);
    expect(bySid.PullImage!.resources).toEqual(['arn:aws:ecr:ap-northeast-2:123456789012:repository/web-app/api']);
  });

  it('the container gets them by ARN, runs as the named user; the task role holds only its statements', () => {
    const container = containerOf(custom);
    expect(container.secrets).toEqual([
      { name: 'DB_PASSWORD', valueFrom: `${SECRET}:password::` },
      { name: 'FLAGS', valueFrom: PARAMETER },
    ]);
    expect(container.environment).toEqual([{ name: 'LOG_LEVEL', value: 'info' }]);
    expect(container.user).toBe('1000:1000');
    const task = policyOf(custom, 'primary_container-service_task-policy-document').statement as Block[];
    expect(task.map((s) => s.actions)).toEqual([['s3:GetObject']]);
  });

  it('the public image of staging needs no ECR rights, and with no statements the task role has no policy', () => {
    const statements = policyOf(stack, 'primary_container-service_execution-policy-document').statement as Block[];
    expect(statements.map((s) => s.sid)).toEqual(['WriteLogs']);
    expect(resourceList(stack, 'aws_iam_role_policy').filter((p) => p.name === 'app')).toHaveLength(0);
  });
});

describe('the standby runs no service', () => {
  it('prod with a containerService builds it in the primary only', () => {
    const env: EnvironmentInput = { ...structuredClone(prod), containerService: { ...structuredClone(staging.containerService!), listenerRule: { priority: 4242, pathPatterns: ['/api/*'] } } };
    const built = stackNamed(synthEnvironments([{ file: 'prod.ts', data: env }]).stacks, 'prod');
    expect(resourceList(underPath(built, 'prod/primary/'), 'aws_ecs_service')).toHaveLength(1);
    expect(resourceList(underPath(built, 'prod/standby/'), 'aws_ecs_service')).toHaveLength(0);
  });
});

describe('Fargate arithmetic', () => {
  it('task sizes', () => {
    expect(fargateMemoryFor(256)).toEqual([512, 1024, 2048]);
    expect(fargateSizeProblem(1024, 2048)).toBeUndefined();
    expect(fargateSizeProblem(1024, 1024)).toMatch(/2048–8192 in steps of 1024/);
    expect(fargateSizeProblem(300, 1024)).toMatch(/not a Fargate CPU size/);
    expect(fargateSizeProblem(8192, 20480)).toBeUndefined();
    expect(fargateSizeProblem(8192, 18432)).toMatch(/steps of 4096/);
  });

  it('tasks split: base first, the rest by weight', () => {
    const guide = [
      { capacityProvider: 'FARGATE', base: 2, weight: 1 },
      { capacityProvider: 'FARGATE_SPOT', weight: 4 },
    ] as const;
    expect(splitTasks(2, guide)).toEqual({ FARGATE: 2, FARGATE_SPOT: 0 });
    expect(splitTasks(7, guide)).toEqual({ FARGATE: 3, FARGATE_SPOT: 4 });
    expect(splitTasks(1, guide)).toEqual({ FARGATE: 1, FARGATE_SPOT: 0 });
  });
});

describe('priced', () => {
  it("staging's two minimum tasks run on demand (FARGATE's base of 2): 0.25 vCPU and 0.5 GB each at Seoul's prices", () => {
    const estimate = estimateStack(readStack('staging', stack), loadPriceTable());
    const fargate = estimate.lines.filter((l) => l.unit.startsWith('Fargate'));
    expect(fargate.map((l) => [l.unit, l.quantity, l.unitPrice])).toEqual([
      ['Fargate vCPU-hours (on demand, 2 tasks at the minimum)', 365, 0.04656],
      ['Fargate GB-hours (on demand, 2 tasks at the minimum)', 730, 0.00511],
    ]);
    expect(fargate.map((l) => l.monthly)).toEqual([16.99, 3.73]);
  });

  it('beyond the base, Spot takes four in five at 70 % less', () => {
    const env: EnvironmentInput = { ...structuredClone(staging), containerService: { ...structuredClone(staging.containerService!), minTasks: 7 } };
    const built = stackNamed(synthEnvironments([{ file: 'staging.ts', data: env }]).stacks, 'staging');
    const fargate = estimateStack(readStack('staging', built), loadPriceTable()).lines.filter((l) => l.unit.startsWith('Fargate vCPU'));
    expect(fargate.map((l) => [l.unit, l.quantity, Number(l.unitPrice.toFixed(6))])).toEqual([
      ['Fargate vCPU-hours (on demand, 3 tasks at the minimum)', 547.5, 0.04656],
      ['Fargate vCPU-hours (Spot, 4 tasks at the minimum)', 730, 0.013968],
    ]);
    expect(splitByStrategy(12, [{ provider: 'FARGATE', base: 2, weight: 1 }, { provider: 'FARGATE_SPOT', base: 0, weight: 4 }])).toEqual({ FARGATE: 4, FARGATE_SPOT: 8 });
  });
});
