import { AppautoscalingScheduledAction } from '@cdktf/provider-aws/lib/appautoscaling-scheduled-action';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaAlias } from '@cdktf/provider-aws/lib/lambda-alias';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { LambdaProvisionedConcurrencyConfig } from '@cdktf/provider-aws/lib/lambda-provisioned-concurrency-config';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { LbTargetGroupAttachment } from '@cdktf/provider-aws/lib/lb-target-group-attachment';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { Construct } from 'constructs';
import type { ListenerRule } from '../load-balancer/listener-rules';
import { lambdaBundleAsset } from '../resilience/bundle';
import { waive } from '../security';
import { assumeRolePolicy } from '../shared/iam';
import { toAwsCron } from './aws-cron';

/** The handler shipped in the repository, bundled at synth when no `code` is given. */
export const API_HANDLER_ENTRY = 'modules/serverless/api-handler/handler.ts';

/** The alias the ALB, provisioned concurrency and the schedules point at: never $LATEST. */
export const LIVE_ALIAS = 'live';

/** One default per field, stated once; the schema imports these. */
export const SERVERLESS_API_DEFAULTS = {
  memorySize: 256,
  timeout: 30,
  multiValueHeaders: false,
  healthCheckPath: '/health',
  runtime: 'nodejs22.x',
  handler: 'index.handler',
  // The guide's event-invoke config: a stale event is not worth running, and a failed one is not retried.
  maximumEventAgeInSeconds: 60,
  maximumRetryAttempts: 0,
  logRetentionDays: 365,
} as const;

/** Log group of the API function of the tier called `name` (Lambda's own naming), for key policies to name. */
export function serverlessApiLogGroupName(name: string): string {
  return `/aws/lambda/${serverlessApiFunctionName(name)}`;
}

export function serverlessApiFunctionName(name: string): string {
  return `${name}-api`;
}

/** A team's own code: a zip in S3, in the function's region. */
export interface ServerlessApiCode {
  readonly s3Bucket: string;
  readonly s3Key: string;
  /** Pins the object; without it a new upload deploys only when the key changes. */
  readonly s3ObjectVersion?: string;
  /** @default 'index.handler' (SERVERLESS_API_DEFAULTS.handler) */
  readonly handler?: string;
  /** @default 'nodejs22.x' (SERVERLESS_API_DEFAULTS.runtime) */
  readonly runtime?: string;
}

/** Provisioned concurrency set on a five-field cron, in a time zone. */
export interface ProvisionedSchedule {
  /** Slug; the scheduled action is `<function>-<name>`. */
  readonly name: string;
  /** Five-field cron, converted to AWS's six-field form (aws-cron.ts). */
  readonly recurrence: string;
  /** IANA time zone. */
  readonly timeZone: string;
  /** Warm execution environments from this time on; 0 releases them. */
  readonly provisionedConcurrency: number;
}

export interface ServerlessApiProps {
  /** Prefix for names, e.g. `web-app-staging`; the function is `<name>-api`. */
  readonly name: string;
  /** Account it runs in: only Lambda acting for this account may assume its role. */
  readonly account: string;
  /** The HTTPS listener the rule is added to. */
  readonly listenerArn: string;
  /** Where the listener sends requests to the function: conditions and priority, as `loadBalancer.listenerRules`. */
  readonly listenerRule: Pick<ListenerRule, 'priority' | 'hostHeaders' | 'pathPatterns'>;
  /** Key of the log group, the failure queue and the environment variables; its policy must name the log group (`serverlessApiLogGroupName`). */
  readonly kmsKeyArn: string;
  /** @default the handler shipped in modules/serverless/api-handler, bundled at synth */
  readonly code?: ServerlessApiCode;
  /** MB, 128–10240. @default 256 */
  readonly memorySize?: number;
  /** Seconds, 1–900. @default 30 */
  readonly timeout?: number;
  /** The ALB passes and expects `multiValueHeaders` instead of `headers`. @default false */
  readonly multiValueHeaders?: boolean;
  /** Path the ALB's health check requests (the function answers it). @default '/health' */
  readonly healthCheckPath?: string;
  /** Executions kept for this function and no more (the guide: reserved concurrency costs nothing). */
  readonly reservedConcurrency: number;
  /** Warm environments on the alias, always; omitted, none (unless scheduled). @default none */
  readonly provisionedConcurrency?: number;
  /** Provisioned concurrency by time of day, through Application Auto Scaling. @default [] */
  readonly provisionedSchedules?: readonly ProvisionedSchedule[];
  /** Seconds an asynchronous event may wait before it is sent to the failure queue, 60–21600. @default 60 */
  readonly maximumEventAgeInSeconds?: number;
  /** Retries of a failed asynchronous invocation, 0–2. @default 0 */
  readonly maximumRetryAttempts?: number;
  /** @default 365 */
  readonly logRetentionDays?: number;
}

/**
 * An API Lambda behind the environment's ALB (the guide's serverless dynamic
 * infrastructure): a published version under the alias `live`, a Lambda
 * target group attached to that alias, a listener rule sending matching
 * requests to it, reserved concurrency, provisioned concurrency on the alias
 * (constant or scheduled), an event-invoke config whose failures land in a
 * KMS-encrypted queue, its own least-privilege role, tracing and a
 * KMS-encrypted log group with retention.
 */
export class ServerlessApi extends Construct {
  public readonly functionName: string;
  public readonly functionArn: string;
  public readonly aliasArn: string;
  public readonly targetGroupArn: string;
  public readonly failureQueueArn: string;

  constructor(scope: Construct, id: string, props: ServerlessApiProps) {
    super(scope, id);
    const d = SERVERLESS_API_DEFAULTS;
    const functionName = serverlessApiFunctionName(props.name);

    const logs = new CloudwatchLogGroup(this, 'logs', {
      name: serverlessApiLogGroupName(props.name),
      retentionInDays: props.logRetentionDays ?? d.logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    const failures = new SqsQueue(this, 'failures', {
      name: `${functionName}-failures`,
      kmsMasterKeyId: props.kmsKeyArn,
      messageRetentionSeconds: 14 * 24 * 3600,
    });
    this.failureQueueArn = failures.arn;

    const role = new IamRole(this, 'role', {
      name: functionName,
      assumeRolePolicy: assumeRolePolicy(this, 'lambda-trust', 'lambda.amazonaws.com', { account: props.account }),
    });
    const permissions = new DataAwsIamPolicyDocument(this, 'permissions', {
      statement: [
        { sid: 'WriteItsLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logs.arn}:*`] },
        // Lambda delivers on-failure destination records with the function's role.
        { sid: 'KeepFailedEvents', actions: ['sqs:SendMessage'], resources: [failures.arn] },
        { sid: 'UseTheOperationsKey', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [props.kmsKeyArn] },
        { sid: 'Trace', actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] },
        ...(props.code
          ? [{ sid: 'ReadItsCode', actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [`arn:aws:s3:::${props.code.s3Bucket}/${props.code.s3Key}`] }]
          : []),
      ],
    });
    new IamRolePolicy(this, 'policy', { name: 'serverless-api', role: role.id, policy: permissions.json });

    const fn = new LambdaFunction(this, 'function', {
      functionName,
      description: `API behind the ${props.name} load balancer`,
      role: role.arn,
      ...this.codeOf(props.code),
      architectures: ['arm64'],
      memorySize: props.memorySize ?? d.memorySize,
      timeout: props.timeout ?? d.timeout,
      // Each deploy publishes a version; the alias moves to it, so the ALB never calls $LATEST.
      publish: true,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: { variables: { SERVICE_NAME: functionName } },
      kmsKeyArn: props.kmsKeyArn,
      tracingConfig: { mode: 'Active' },
      dependsOn: [logs],
    });
    waive(fn, 'CKV_AWS_117', 'answers the ALB and reaches nothing in the VPC; the ALB invokes it through the Lambda API, and a VPC would add ENIs to every cold start for nothing');
    waive(fn, 'CKV_AWS_272', 'bundled from this repository at synth (or a team\'s zip pinned by S3 version) and deployed by Terraform; signing needs a Signer profile and a signed-artifact step the pipeline does not have');
    waive(fn, 'CKV_AWS_116', 'failed asynchronous events go to the on-failure destination of its event-invoke config (the failures queue, with the request and the error); a dead-letter queue beside it would receive each one twice');
    this.functionName = fn.functionName;
    this.functionArn = fn.arn;

    const alias = new LambdaAlias(this, 'live', {
      name: LIVE_ALIAS,
      description: 'The version the load balancer, provisioned concurrency and schedules use',
      functionName: fn.functionName,
      functionVersion: fn.version,
    });
    this.aliasArn = alias.arn;

    new LambdaFunctionEventInvokeConfig(this, 'async', {
      functionName: fn.functionName,
      qualifier: alias.name,
      maximumEventAgeInSeconds: props.maximumEventAgeInSeconds ?? d.maximumEventAgeInSeconds,
      maximumRetryAttempts: props.maximumRetryAttempts ?? d.maximumRetryAttempts,
      destinationConfig: { onFailure: { destination: failures.arn } },
    });

    this.addProvisionedConcurrency(fn, alias, props);

    const targetGroup = new LbTargetGroup(this, 'target-group', {
      name: functionName,
      targetType: 'lambda',
      lambdaMultiValueHeadersEnabled: props.multiValueHeaders ?? d.multiValueHeaders,
      // The ALB invokes the function for its health checks: the shipped handler answers GET …/health.
      healthCheck: { enabled: true, path: props.healthCheckPath ?? d.healthCheckPath, matcher: '200', interval: 60, timeout: 30, healthyThreshold: 2, unhealthyThreshold: 2 },
    });
    this.targetGroupArn = targetGroup.arn;
    const invoke = new LambdaPermission(this, 'alb-invoke', {
      statementId: 'alb',
      action: 'lambda:InvokeFunction',
      functionName: fn.functionName,
      qualifier: alias.name,
      principal: 'elasticloadbalancing.amazonaws.com',
      sourceArn: targetGroup.arn,
    });
    // AWS checks the permission when the target is registered.
    new LbTargetGroupAttachment(this, 'attachment', { targetGroupArn: targetGroup.arn, targetId: alias.arn, dependsOn: [invoke] });

    const rule = props.listenerRule;
    new LbListenerRule(this, 'rule', {
      listenerArn: props.listenerArn,
      priority: rule.priority,
      condition: [
        ...(rule.hostHeaders?.length ? [{ hostHeader: { values: [...rule.hostHeaders] } }] : []),
        ...(rule.pathPatterns?.length ? [{ pathPattern: { values: [...rule.pathPatterns] } }] : []),
      ],
      action: [{ type: 'forward', targetGroupArn: targetGroup.arn }],
    });
  }

  private codeOf(code: ServerlessApiCode | undefined) {
    const d = SERVERLESS_API_DEFAULTS;
    if (code) {
      return { s3Bucket: code.s3Bucket, s3Key: code.s3Key, s3ObjectVersion: code.s3ObjectVersion, handler: code.handler ?? d.handler, runtime: code.runtime ?? d.runtime };
    }
    // Built in a private directory, and the packaged copy checked against the hash Terraform is given (bundle.ts).
    const { bundle, asset } = lambdaBundleAsset(this, 'code', API_HANDLER_ENTRY);
    return { filename: asset.path, sourceCodeHash: bundle.sha256, handler: d.handler, runtime: d.runtime };
  }

  /**
   * Constant provisioned concurrency is a config on the alias; scheduled, the
   * alias is an Application Auto Scaling target and each schedule sets its
   * capacity (the schema allows one or the other: both would fight over it).
   */
  private addProvisionedConcurrency(fn: LambdaFunction, alias: LambdaAlias, props: ServerlessApiProps): void {
    if (props.provisionedConcurrency !== undefined && props.provisionedConcurrency > 0) {
      new LambdaProvisionedConcurrencyConfig(this, 'provisioned', {
        functionName: fn.functionName,
        qualifier: alias.name,
        provisionedConcurrentExecutions: props.provisionedConcurrency,
      });
    }
    const schedules = props.provisionedSchedules ?? [];
    if (!schedules.length) return;
    const target = new AppautoscalingTarget(this, 'provisioned-target', {
      serviceNamespace: 'lambda',
      scalableDimension: 'lambda:function:ProvisionedConcurrency',
      // The literal name (not a reference): the cost model joins the schedules to the function by it; dependsOn orders them.
      resourceId: `function:${serverlessApiFunctionName(props.name)}:${LIVE_ALIAS}`,
      minCapacity: 0,
      maxCapacity: Math.max(...schedules.map((s) => s.provisionedConcurrency)),
      // The alias (and so the function) must exist before Application Auto Scaling registers it.
      dependsOn: [alias],
    });
    let previous: AppautoscalingScheduledAction | undefined;
    for (const schedule of schedules) {
      previous = new AppautoscalingScheduledAction(this, `schedule-${schedule.name}`, {
        name: `${serverlessApiFunctionName(props.name)}-${schedule.name}`,
        serviceNamespace: target.serviceNamespace,
        resourceId: target.resourceId,
        scalableDimension: target.scalableDimension,
        schedule: toAwsCron(schedule.recurrence),
        timezone: schedule.timeZone,
        scalableTargetAction: { minCapacity: String(schedule.provisionedConcurrency), maxCapacity: String(schedule.provisionedConcurrency) },
        // Application Auto Scaling rejects concurrent changes to one target's actions.
        dependsOn: previous ? [previous] : [target],
      });
    }
  }
}
