/**
 * The security rule pack: every rule rejects a violating construct and
 * accepts a compliant one; findings fail synth with `RULE resource: message`
 * before anything is written; waivers are explicit, listed and never stale.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { CloudfrontDistribution, type CloudfrontDistributionConfig } from '@cdktf/provider-aws/lib/cloudfront-distribution';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsService, type EcsServiceConfig } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition, type EcsTaskDefinitionConfig } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsKeyPolicy } from '@cdktf/provider-aws/lib/kms-key-policy';
import { LambdaFunction, type LambdaFunctionConfig } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { Route53HostedZoneDnssec } from '@cdktf/provider-aws/lib/route53-hosted-zone-dnssec';
import { Route53QueryLog } from '@cdktf/provider-aws/lib/route53-query-log';
import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import { RdsCluster, type RdsClusterConfig } from '@cdktf/provider-aws/lib/rds-cluster';
import { SfnStateMachine, type SfnStateMachineConfig } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { RdsClusterInstance, type RdsClusterInstanceConfig } from '@cdktf/provider-aws/lib/rds-cluster-instance';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA as S3BucketLogging } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketNotification } from '@cdktf/provider-aws/lib/s3-bucket-notification';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketReplicationConfigurationA as S3BucketReplication } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import { S3BucketServerSideEncryptionConfigurationA as S3BucketEncryption } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA as S3BucketVersioning } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import { App, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { readEnvironmentSources, validateEnvironments } from '../../../environments/load';
import dev from '../../../environments/dev';
import { applySecurityPack, evaluate, RULES, SecurityViolationError, summarize, waive } from '../../../modules/security';
import { buildStacks } from '../../../stacks';
import { stateBackend } from '../../../environments/state-backend';

function stackWith(build: (scope: Construct) => void, production = true): TerraformStack {
  const stack = new TerraformStack(new App({ outdir: mkdtempSync(join(tmpdir(), 'security-')) }), 'test');
  applySecurityPack(stack, { production });
  build(stack);
  return stack;
}

function findings(rule: string, build: (scope: Construct) => void, production = true): string[] {
  return evaluate(stackWith(build, production))
    .violations.filter((v) => v.rule === rule)
    .map((v) => `${v.resource}: ${v.message}`);
}

const lambda = (scope: Construct, extra: Partial<LambdaFunctionConfig>) =>
  new LambdaFunction(scope, 'fn', { functionName: 'f', role: 'arn:aws:iam::123456789012:role/r', filename: 'f.zip', handler: 'index.handler', runtime: 'nodejs20.x', ...extra });
const compliantLambda: Partial<LambdaFunctionConfig> = {
  tracingConfig: { mode: 'Active' },
  deadLetterConfig: { targetArn: 'arn:aws:sqs:ap-northeast-2:123456789012:dlq' },
  reservedConcurrentExecutions: 2,
};
const alb = (scope: Construct, extra: Partial<ConstructorParameters<typeof Lb>[2]>) =>
  new Lb(scope, 'alb', { name: 'a', subnets: ['s1', 's2'], dropInvalidHeaderFields: true, enableDeletionProtection: true, accessLogs: { bucket: 'logs', enabled: true }, ...extra });
const group = (scope: Construct, extra: Partial<ConstructorParameters<typeof AutoscalingGroup>[2]>) =>
  new AutoscalingGroup(scope, 'asg', { minSize: 1, maxSize: 2, tag: [{ key: 'Name', value: 'web', propagateAtLaunch: true }], ...extra });
const bucket = (scope: Construct) => new S3Bucket(scope, 'bucket', { bucket: 'b' });
const distribution = (scope: Construct, extra: Partial<CloudfrontDistributionConfig>) =>
  new CloudfrontDistribution(scope, 'cdn', {
    enabled: true,
    origin: [{ originId: 'o', domainName: 'b.s3.amazonaws.com' }],
    defaultCacheBehavior: { targetOriginId: 'o', viewerProtocolPolicy: 'redirect-to-https', allowedMethods: ['GET', 'HEAD'], cachedMethods: ['GET', 'HEAD'] },
    restrictions: { geoRestriction: { restrictionType: 'none' } },
    viewerCertificate: { cloudfrontDefaultCertificate: true },
    ...extra,
  });
const webAcl = (scope: Construct, groups: readonly string[]) =>
  new Wafv2WebAcl(scope, 'acl', {
    name: 'acl',
    scope: 'CLOUDFRONT',
    defaultAction: { allow: {} },
    rule: groups.map((name, priority) => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managed_rule_group_statement: { name, vendor_name: 'AWS' } },
      visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
    })),
    visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: 'acl', sampledRequestsEnabled: true },
  });
const zone = (scope: Construct) => new Route53Zone(scope, 'zone', { name: 'example.com' });
const table = (scope: Construct, extra: Partial<ConstructorParameters<typeof DynamodbTable>[2]>) =>
  new DynamodbTable(scope, 'table', { name: 't', hashKey: 'LockID', attribute: [{ name: 'LockID', type: 'S' }], ...extra });

const taskDefinition = (scope: Construct, extra: Partial<EcsTaskDefinitionConfig>) =>
  new EcsTaskDefinition(scope, 'task', { family: 't', containerDefinitions: JSON.stringify([{ name: 'app', image: 'a:1', readonlyRootFilesystem: true }]), ...extra });
const ecsService = (scope: Construct, extra: Partial<EcsServiceConfig>) => new EcsService(scope, 'service', { name: 's', ...extra });
/** Per rule: a construct that violates it, and one that complies. */
const cluster = (scope: Construct, extra: Partial<RdsClusterConfig>) => new RdsCluster(scope, 'db', { clusterIdentifier: 'db', engine: 'aurora-postgresql', ...extra });
const clusterInstance = (scope: Construct, extra: Partial<RdsClusterInstanceConfig>) =>
  new RdsClusterInstance(scope, 'db-1', { clusterIdentifier: 'db', instanceClass: 'db.r6g.large', engine: 'aurora-postgresql', ...extra });
const stateMachine = (scope: Construct, extra: Partial<SfnStateMachineConfig>) =>
  new SfnStateMachine(scope, 'sm', { name: 'm', roleArn: 'arn:aws:iam::123456789012:role/r', definition: '{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}', ...extra });
const sfnLogging = { includeExecutionData: true, level: 'ALL', logDestination: 'arn:aws:logs:ap-northeast-2:123456789012:log-group:/aws/vendedlogs/states/m:*' };
const CMK = 'arn:aws:kms:ap-northeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const CASES: Record<string, { violating: (s: Construct) => void; compliant: (s: Construct) => void; nonProduction?: boolean }> = {
  CKV_AWS_79: {
    violating: (s) => new LaunchTemplate(s, 'lt', { metadataOptions: { httpTokens: 'optional' } }),
    compliant: (s) => new LaunchTemplate(s, 'lt', { metadataOptions: { httpTokens: 'required' } }),
  },
  CKV_AWS_8: {
    violating: (s) => new LaunchTemplate(s, 'lt', { blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: 'false' } }] }),
    compliant: (s) => new LaunchTemplate(s, 'lt', { blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: 'true' } }] }),
  },
  CKV_AWS_24: {
    violating: (s) => new VpcSecurityGroupIngressRule(s, 'ssh', { securityGroupId: 'sg', ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0', description: 'ssh' }),
    compliant: (s) => new VpcSecurityGroupIngressRule(s, 'ssh', { securityGroupId: 'sg', ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '10.0.0.0/8', description: 'ssh' }),
  },
  CKV_AWS_25: {
    violating: (s) => new SecurityGroup(s, 'sg', { description: 'rdp', ingress: [{ protocol: '-1', fromPort: 0, toPort: 0, ipv6CidrBlocks: ['::/0'], description: 'all' }] }),
    compliant: (s) => new SecurityGroup(s, 'sg', { description: 'web', ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'], description: 'https' }] }),
  },
  CKV_AWS_23: {
    violating: (s) => new SecurityGroup(s, 'sg', { name: 'no-description' }),
    compliant: (s) => new SecurityGroup(s, 'sg', { name: 'described', description: 'Web instances' }),
  },
  CKV_AWS_131: { violating: (s) => alb(s, { dropInvalidHeaderFields: false }), compliant: (s) => alb(s, {}) },
  CKV_AWS_150: { violating: (s) => alb(s, { enableDeletionProtection: false }), compliant: (s) => alb(s, {}) },
  CKV_AWS_91: { violating: (s) => alb(s, { accessLogs: undefined }), compliant: (s) => alb(s, {}) },
  CKV_AWS_103: {
    violating: (s) => new LbListener(s, 'l', { loadBalancerArn: 'a', port: 443, protocol: 'HTTPS', sslPolicy: 'ELBSecurityPolicy-2016-08', defaultAction: [{ type: 'forward', targetGroupArn: 't' }] }),
    compliant: (s) =>
      new LbListener(s, 'l', { loadBalancerArn: 'a', port: 443, protocol: 'HTTPS', sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', defaultAction: [{ type: 'forward', targetGroupArn: 't' }] }),
  },
  CKV2_AWS_20: {
    violating: (s) => new LbListener(s, 'l', { loadBalancerArn: 'a', port: 80, protocol: 'HTTP', defaultAction: [{ type: 'forward', targetGroupArn: 't' }] }),
    compliant: (s) =>
      new LbListener(s, 'l', { loadBalancerArn: 'a', port: 80, protocol: 'HTTP', defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }] }),
  },
  CKV_AWS_261: {
    violating: (s) => new LbTargetGroup(s, 'tg', { port: 80, protocol: 'HTTP', vpcId: 'v' }),
    compliant: (s) => new LbTargetGroup(s, 'tg', { port: 80, protocol: 'HTTP', vpcId: 'v', healthCheck: { path: '/health', matcher: '200' } }),
  },
  CKV2_AWS_15: {
    violating: (s) => group(s, { targetGroupArns: ['tg'], healthCheckType: 'EC2' }),
    compliant: (s) => group(s, { targetGroupArns: ['tg'], healthCheckType: 'ELB' }),
  },
  CKV_AWS_153: { violating: (s) => group(s, { tag: [] }), compliant: (s) => group(s, {}) },
  CKV_AWS_21: {
    violating: (s) => bucket(s),
    compliant: (s) => new S3BucketVersioning(s, 'v', { bucket: bucket(s).id, versioningConfiguration: { status: 'Enabled' } }),
  },
  CKV_AWS_19: {
    violating: (s) => bucket(s),
    compliant: (s) => new S3BucketEncryption(s, 'e', { bucket: bucket(s).id, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] }),
  },
  CKV_AWS_145: {
    violating: (s) => new S3BucketEncryption(s, 'e', { bucket: bucket(s).id, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] }),
    compliant: (s) =>
      new S3BucketEncryption(s, 'e', { bucket: bucket(s).id, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: 'k' } }] }),
  },
  CKV2_AWS_6: {
    violating: (s) => new S3BucketPublicAccessBlock(s, 'p', { bucket: bucket(s).id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true }),
    compliant: (s) =>
      new S3BucketPublicAccessBlock(s, 'p', { bucket: bucket(s).id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
  },
  s3_bucket_secure_transport_policy: {
    violating: (s) => new S3BucketPolicy(s, 'p', { bucket: bucket(s).id, policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }] }) }),
    compliant: (s) => {
      const b = bucket(s);
      const document = new DataAwsIamPolicyDocument(s, 'doc', {
        statement: [
          {
            effect: 'Deny',
            actions: ['s3:*'],
            resources: [b.arn],
            principals: [{ type: '*', identifiers: ['*'] }],
            condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
          },
        ],
      });
      new S3BucketPolicy(s, 'p', { bucket: b.id, policy: document.json });
    },
  },
  CKV2_AWS_65: {
    violating: (s) => new S3BucketOwnershipControls(s, 'o', { bucket: bucket(s).id, rule: { objectOwnership: 'ObjectWriter' } }),
    compliant: (s) => new S3BucketOwnershipControls(s, 'o', { bucket: bucket(s).id, rule: { objectOwnership: 'BucketOwnerEnforced' } }),
  },
  CKV_AWS_28: { violating: (s) => table(s, {}), compliant: (s) => table(s, { pointInTimeRecovery: { enabled: true } }) },
  CKV_AWS_119: {
    violating: (s) => table(s, { serverSideEncryption: { enabled: true } }),
    compliant: (s) => table(s, { serverSideEncryption: { enabled: true, kmsKeyArn: 'arn:aws:kms:ap-northeast-2:123456789012:key/k' } }),
  },
  CKV2_AWS_11: {
    violating: (s) => new Vpc(s, 'vpc', { cidrBlock: '10.0.0.0/16' }),
    compliant: (s) => new FlowLog(s, 'fl', { vpcId: new Vpc(s, 'vpc', { cidrBlock: '10.0.0.0/16' }).id, trafficType: 'ALL', logDestination: 'arn' }),
  },
  CKV2_AWS_12: {
    violating: (s) =>
      new DefaultSecurityGroup(s, 'd', { vpcId: new Vpc(s, 'vpc', { cidrBlock: '10.0.0.0/16' }).id, ingress: [{ protocol: '-1', fromPort: 0, toPort: 0, selfAttribute: true }] }),
    compliant: (s) => new DefaultSecurityGroup(s, 'd', { vpcId: new Vpc(s, 'vpc', { cidrBlock: '10.0.0.0/16' }).id }),
  },
  CKV_AWS_26: {
    violating: (s) => new SnsTopic(s, 't', { name: 't' }),
    compliant: (s) => new SnsTopic(s, 't', { name: 't', kmsMasterKeyId: 'arn:aws:kms:ap-northeast-2:123456789012:key/k' }),
  },
  CKV_AWS_27: {
    violating: (s) => new SqsQueue(s, 'q', { name: 'q', sqsManagedSseEnabled: false }),
    compliant: (s) => new SqsQueue(s, 'q', { name: 'q', kmsMasterKeyId: 'k' }),
  },
  CKV_AWS_50: { violating: (s) => lambda(s, { ...compliantLambda, tracingConfig: { mode: 'PassThrough' } }), compliant: (s) => lambda(s, compliantLambda) },
  CKV_AWS_116: { violating: (s) => lambda(s, { ...compliantLambda, deadLetterConfig: undefined }), compliant: (s) => lambda(s, compliantLambda) },
  CKV_AWS_115: { violating: (s) => lambda(s, { ...compliantLambda, reservedConcurrentExecutions: 0 }), compliant: (s) => lambda(s, compliantLambda) },
  CKV_AWS_364: {
    violating: (s) => new LambdaPermission(s, 'p', { action: 'lambda:InvokeFunction', functionName: 'f', principal: 'events.amazonaws.com' }),
    compliant: (s) =>
      new LambdaPermission(s, 'p', {
        action: 'lambda:InvokeFunction',
        functionName: 'f',
        principal: 'events.amazonaws.com',
        sourceArn: 'arn:aws:events:ap-northeast-2:123456789012:rule/r',
      }),
  },
  CKV_AWS_301: {
    violating: (s) => new LambdaPermission(s, 'p', { action: 'lambda:InvokeFunction', functionName: 'f', principal: '*' }),
    compliant: (s) =>
      new LambdaPermission(s, 'p', {
        action: 'lambda:InvokeFunction',
        functionName: 'f',
        principal: 'elasticloadbalancing.amazonaws.com',
        sourceArn: 'arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/web-app-staging-api/0123456789abcdef',
      }),
  },
  CKV_AWS_66: {
    violating: (s) => new CloudwatchLogGroup(s, 'g', { name: 'g', kmsKeyId: 'k' }),
    compliant: (s) => new CloudwatchLogGroup(s, 'g', { name: 'g', kmsKeyId: 'k', retentionInDays: 30 }),
  },
  CKV_AWS_158: {
    violating: (s) => new CloudwatchLogGroup(s, 'g', { name: 'g', retentionInDays: 30 }),
    compliant: (s) => new CloudwatchLogGroup(s, 'g', { name: 'g', retentionInDays: 30, kmsKeyId: 'k' }),
  },
  CKV_AWS_7: {
    violating: (s) => new KmsKey(s, 'k', { description: 'k' }),
    compliant: (s) => new KmsKey(s, 'k', { description: 'k', enableKeyRotation: true }),
  },
  CKV_AWS_260: {
    violating: (s) => new VpcSecurityGroupIngressRule(s, 'http', { securityGroupId: 'sg', ipProtocol: 'tcp', fromPort: 80, toPort: 80, cidrIpv4: '0.0.0.0/0', description: 'http' }),
    compliant: (s) => new VpcSecurityGroupIngressRule(s, 'http', { securityGroupId: 'sg', ipProtocol: 'tcp', fromPort: 80, toPort: 80, cidrIpv4: '203.0.113.0/24', description: 'http' }),
  },
  CKV_AWS_18: {
    violating: (s) => bucket(s),
    compliant: (s) => new S3BucketLogging(s, 'l', { bucket: bucket(s).id, targetBucket: 'logs', targetPrefix: 'b/' }),
  },
  CKV_AWS_144: {
    violating: (s) =>
      new S3BucketReplication(s, 'r', {
        bucket: bucket(s).id,
        role: 'arn:aws:iam::123456789012:role/r',
        rule: [{ status: 'Disabled', destination: { bucket: 'arn:aws:s3:::copy' } }],
      }),
    compliant: (s) =>
      new S3BucketReplication(s, 'r', {
        bucket: bucket(s).id,
        role: 'arn:aws:iam::123456789012:role/r',
        rule: [{ status: 'Enabled', destination: { bucket: 'arn:aws:s3:::copy' } }],
      }),
  },
  CKV2_AWS_62: {
    violating: (s) => bucket(s),
    compliant: (s) => new S3BucketNotification(s, 'n', { bucket: bucket(s).id, eventbridge: true }),
  },
  CKV2_AWS_61: {
    violating: (s) => bucket(s),
    compliant: (s) =>
      new S3BucketLifecycleConfiguration(s, 'l', {
        bucket: bucket(s).id,
        rule: [{ id: 'abort', status: 'Enabled', filter: [{ prefix: '' }], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }] }],
      }),
  },
  CKV2_AWS_64: {
    violating: (s) => new KmsKey(s, 'k', { description: 'k', enableKeyRotation: true }),
    compliant: (s) =>
      new KmsKeyPolicy(s, 'p', {
        keyId: new KmsKey(s, 'k', { description: 'k', enableKeyRotation: true }).keyId,
        policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' }] }),
      }),
  },
  CKV_AWS_173: {
    violating: (s) => lambda(s, { ...compliantLambda, environment: { variables: { A: 'b' } } }),
    compliant: (s) => lambda(s, { ...compliantLambda, environment: { variables: { A: 'b' } }, kmsKeyArn: 'arn:aws:kms:ap-northeast-2:123456789012:key/k' }),
  },
  CKV_AWS_117: {
    violating: (s) => lambda(s, compliantLambda),
    compliant: (s) => lambda(s, { ...compliantLambda, vpcConfig: { subnetIds: ['subnet-a'], securityGroupIds: ['sg-a'] } }),
  },
  CKV_AWS_272: {
    violating: (s) => lambda(s, compliantLambda),
    compliant: (s) => lambda(s, { ...compliantLambda, codeSigningConfigArn: 'arn:aws:lambda:ap-northeast-2:123456789012:code-signing-config:csc-1' }),
  },
  CKV_AWS_338: {
    violating: (s) => new CloudwatchLogGroup(s, 'g', { name: 'g', kmsKeyId: 'k', retentionInDays: 90 }),
    compliant: (s) => new CloudwatchLogGroup(s, 'g', { name: 'g', kmsKeyId: 'k', retentionInDays: 365 }),
  },
  CKV2_AWS_28: {
    violating: (s) => alb(s, {}),
    compliant: (s) =>
      new Wafv2WebAclAssociation(s, 'waf', {
        resourceArn: alb(s, {}).arn,
        webAclArn: 'arn:aws:wafv2:ap-northeast-2:123456789012:regional/webacl/a/1',
      }),
  },
  CKV2_AWS_76: {
    violating: (s) =>
      new Wafv2WebAclAssociation(s, 'waf', { resourceArn: alb(s, {}).arn, webAclArn: webAcl(s, ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']).arn }),
    compliant: (s) =>
      new Wafv2WebAclAssociation(s, 'waf', { resourceArn: alb(s, {}).arn, webAclArn: webAcl(s, ['AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesAnonymousIpList']).arn }),
  },
  CKV2_AWS_31: {
    violating: (s) => webAcl(s, ['AWSManagedRulesKnownBadInputsRuleSet']),
    compliant: (s) =>
      new Wafv2WebAclLoggingConfiguration(s, 'logging', {
        resourceArn: webAcl(s, ['AWSManagedRulesKnownBadInputsRuleSet']).arn,
        logDestinationConfigs: ['arn:aws:logs:ap-northeast-2:123456789012:log-group:aws-waf-logs-a'],
      }),
  },
  CKV_AWS_192: {
    violating: (s) => webAcl(s, ['AWSManagedRulesCommonRuleSet']),
    compliant: (s) => webAcl(s, ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']),
  },
  CKV_AWS_68: {
    violating: (s) => distribution(s, {}),
    compliant: (s) => distribution(s, { webAclId: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/a/1' }),
  },
  CKV2_AWS_47: {
    violating: (s) => distribution(s, { webAclId: webAcl(s, ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']).arn }),
    compliant: (s) => distribution(s, { webAclId: webAcl(s, ['AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesAnonymousIpList']).arn }),
  },
  CKV_AWS_86: {
    violating: (s) => distribution(s, {}),
    compliant: (s) => distribution(s, { loggingConfig: { bucket: 'logs.s3.amazonaws.com' } }),
  },
  CKV_AWS_310: {
    violating: (s) => distribution(s, {}),
    compliant: (s) =>
      distribution(s, {
        originGroup: [{ originId: 'g', failoverCriteria: { statusCodes: [500, 502, 503, 504] }, member: [{ originId: 'o' }, { originId: 'o2' }] }],
      }),
  },
  CKV_AWS_374: {
    violating: (s) => distribution(s, {}),
    compliant: (s) => distribution(s, { restrictions: { geoRestriction: { restrictionType: 'whitelist', locations: ['KR', 'JP'] } } }),
  },
  CKV2_AWS_38: {
    violating: (s) => zone(s),
    compliant: (s) => new Route53HostedZoneDnssec(s, 'dnssec', { hostedZoneId: zone(s).zoneId }),
  },
  CKV_AWS_96: { violating: (s) => cluster(s, { storageEncrypted: false }), compliant: (s) => cluster(s, { storageEncrypted: true }) },
  CKV_AWS_327: { violating: (s) => cluster(s, { storageEncrypted: true }), compliant: (s) => cluster(s, { storageEncrypted: true, kmsKeyId: CMK }) },
  CKV_AWS_139: { violating: (s) => cluster(s, { deletionProtection: false }), compliant: (s) => cluster(s, { deletionProtection: true }) },
  CKV_AWS_162: { violating: (s) => cluster(s, {}), compliant: (s) => cluster(s, { iamDatabaseAuthenticationEnabled: true }) },
  CKV_AWS_324: { violating: (s) => cluster(s, { enabledCloudwatchLogsExports: [] }), compliant: (s) => cluster(s, { enabledCloudwatchLogsExports: ['postgresql'] }) },
  CKV_AWS_313: { violating: (s) => cluster(s, {}), compliant: (s) => cluster(s, { copyTagsToSnapshot: true }) },
  CKV_AWS_133: { violating: (s) => cluster(s, { backupRetentionPeriod: 36 }), compliant: (s) => cluster(s, { backupRetentionPeriod: 7 }) },
  CKV_AWS_353: { violating: (s) => clusterInstance(s, {}), compliant: (s) => clusterInstance(s, { performanceInsightsEnabled: true, performanceInsightsKmsKeyId: CMK }) },
  CKV_AWS_354: {
    violating: (s) => clusterInstance(s, { performanceInsightsEnabled: true }),
    compliant: (s) => clusterInstance(s, { performanceInsightsEnabled: true, performanceInsightsKmsKeyId: CMK }),
  },
  CKV_AWS_118: {
    violating: (s) => clusterInstance(s, { monitoringInterval: 0 }),
    compliant: (s) => clusterInstance(s, { monitoringInterval: 60, monitoringRoleArn: 'arn:aws:iam::123456789012:role/rds-monitoring' }),
  },
  CKV_AWS_284: {
    violating: (s) => stateMachine(s, { loggingConfiguration: sfnLogging }),
    compliant: (s) => stateMachine(s, { loggingConfiguration: sfnLogging, tracingConfiguration: { enabled: true } }),
  },
  CKV_AWS_285: {
    violating: (s) => stateMachine(s, { tracingConfiguration: { enabled: true }, loggingConfiguration: { ...sfnLogging, includeExecutionData: false } }),
    compliant: (s) => stateMachine(s, { tracingConfiguration: { enabled: true }, loggingConfiguration: sfnLogging }),
  },
  CKV_AWS_226: { violating: (s) => clusterInstance(s, {}), compliant: (s) => clusterInstance(s, { autoMinorVersionUpgrade: true }) },
  CKV_AWS_17: { violating: (s) => clusterInstance(s, { publiclyAccessible: true }), compliant: (s) => clusterInstance(s, { publiclyAccessible: false }) },
  CKV_AWS_65: {
    violating: (s) => new EcsCluster(s, 'c', { name: 'c', setting: [{ name: 'containerInsights', value: 'disabled' }] }),
    compliant: (s) => new EcsCluster(s, 'c', { name: 'c', setting: [{ name: 'containerInsights', value: 'enhanced' }] }),
  },
  CKV_AWS_336: {
    violating: (s) => taskDefinition(s, { containerDefinitions: JSON.stringify([{ name: 'app', image: 'a:1' }]) }),
    compliant: (s) => taskDefinition(s, {}),
  },
  CKV_AWS_334: {
    violating: (s) => taskDefinition(s, { containerDefinitions: JSON.stringify([{ name: 'app', image: 'a:1', readonlyRootFilesystem: true, privileged: true }]) }),
    compliant: (s) => taskDefinition(s, {}),
  },
  CKV_AWS_335: {
    violating: (s) => taskDefinition(s, { pidMode: 'host' }),
    compliant: (s) => taskDefinition(s, { pidMode: 'task' }),
  },
  CKV_AWS_249: {
    violating: (s) => taskDefinition(s, { executionRoleArn: 'arn:aws:iam::123456789012:role/r', taskRoleArn: 'arn:aws:iam::123456789012:role/r' }),
    compliant: (s) => taskDefinition(s, { executionRoleArn: 'arn:aws:iam::123456789012:role/exec', taskRoleArn: 'arn:aws:iam::123456789012:role/task' }),
  },
  CKV_AWS_97: {
    violating: (s) => taskDefinition(s, { volume: [{ name: 'data', efsVolumeConfiguration: { fileSystemId: 'fs-1' } }] }),
    compliant: (s) => taskDefinition(s, { volume: [{ name: 'data', efsVolumeConfiguration: { fileSystemId: 'fs-1', transitEncryption: 'ENABLED' } }] }),
  },
  CKV_AWS_333: {
    violating: (s) => ecsService(s, { networkConfiguration: { subnets: ['subnet-1'], assignPublicIp: true } }),
    compliant: (s) => ecsService(s, { networkConfiguration: { subnets: ['subnet-1'], assignPublicIp: false } }),
  },
  CKV_AWS_332: {
    violating: (s) => ecsService(s, { capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }], platformVersion: '1.3.0' }),
    compliant: (s) => ecsService(s, { launchType: 'FARGATE', platformVersion: 'LATEST' }),
  },
  CKV2_AWS_39: {
    violating: (s) => zone(s),
    compliant: (s) => new Route53QueryLog(s, 'q', { zoneId: zone(s).zoneId, cloudwatchLogGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/route53/example.com' }),
  },
};

describe('every rule', () => {
  it('has a violating and a compliant case here', () => {
    expect(Object.keys(CASES).sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  it.each(RULES.map((r) => [r.id, r] as const))('%s rejects a violating construct and accepts a compliant one', (id, rule) => {
    const case_ = CASES[id];
    if (!case_) throw new Error(`no case for ${id}`);
    const rejected = findings(id, case_.violating);
    expect(rejected, `${id} (${rule.title}) accepted a violating construct`).toHaveLength(1);
    expect(rejected[0]).toMatch(/^[\w/-]+: \S.*; /); // what is wrong; how to fix it
    expect(findings(id, case_.compliant), `${id} (${rule.title}) rejected a compliant construct`).toEqual([]);
  });

  it('carries the Checkov ID (and the Trivy ID where one exists) in its name', () => {
    for (const rule of RULES) {
      expect(rule.id).toMatch(/^(CKV2?_AWS_\d+|s3_bucket_secure_transport_policy)$/);
      if (rule.trivy) expect(rule.trivy).toMatch(/^AVD-AWS-\d{4}$/);
    }
  });
});

describe('the pack', () => {
  it('holds only production stacks to production rules', () => {
    const productionOnly = { ...RULES.find((r) => r.id === 'CKV_AWS_26')!, productionOnly: true };
    const report = (production: boolean) => {
      const stack = new TerraformStack(new App({ outdir: mkdtempSync(join(tmpdir(), 'security-')) }), 'test');
      applySecurityPack(stack, { production, rules: [productionOnly] });
      new SnsTopic(stack, 't', { name: 't' });
      return evaluate(stack).violations.map((v) => v.rule);
    };
    expect(report(true)).toEqual(['CKV_AWS_26']);
    expect(report(false)).toEqual([]);
  });

  it('holds every stack, production or not, to ALB deletion protection (CKV_AWS_150)', () => {
    const unprotected = (s: Construct) => alb(s, { enableDeletionProtection: false });
    expect(findings('CKV_AWS_150', unprotected, false)).toEqual(['alb: can be deleted by any API call; set enable_deletion_protection = true']);
    expect(RULES.filter((r) => r.productionOnly).map((r) => r.id)).toEqual([]);
  });

  it('CKV_AWS_260 says where a port 80 rule is acceptable; CKV_AWS_338 passes 0 (never expire) as Checkov does', () => {
    expect(
      findings('CKV_AWS_260', (s) => new SecurityGroup(s, 'sg', { description: 'web', ingress: [{ protocol: 'tcp', fromPort: 80, toPort: 80, cidrBlocks: ['0.0.0.0/0'], description: 'http' }] })),
    ).toEqual(['sg: allows HTTP (port 80) from 0.0.0.0/0; serve HTTPS only, allow only known CIDRs, or waive it where port 80 only redirects to HTTPS']);
    expect(findings('CKV_AWS_338', (s) => new CloudwatchLogGroup(s, 'g', { name: 'g', retentionInDays: 0 }))).toEqual([]);
    expect(findings('CKV_AWS_338', (s) => new CloudwatchLogGroup(s, 'g', { name: 'g', retentionInDays: 30 }))).toEqual([
      'g: keeps events 30 days; set retention_in_days to at least 365',
    ]);
  });

  it('CKV2_AWS_28 passes internal and network load balancers; CKV_AWS_173 flags a key without variables, as Checkov does', () => {
    expect(findings('CKV2_AWS_28', (s) => alb(s, { internal: true }))).toEqual([]);
    expect(findings('CKV2_AWS_28', (s) => alb(s, { loadBalancerType: 'network' }))).toEqual([]);
    expect(findings('CKV_AWS_173', (s) => lambda(s, { ...compliantLambda, kmsKeyArn: 'arn:aws:kms:ap-northeast-2:123456789012:key/k' }))).toEqual([
      'fn: names kms_key_arn but has no environment variables, which makes plans drift; remove kms_key_arn',
    ]);
    expect(findings('CKV_AWS_173', (s) => lambda(s, compliantLambda))).toEqual([]);
  });

  it('fails synth with RULE stack/resource: message, before writing anything', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'security-synth-'));
    const app = new App({ outdir });
    const clean = new TerraformStack(app, 'clean');
    applySecurityPack(clean, { production: false });
    new SnsTopic(clean, 't', { name: 't', kmsMasterKeyId: 'k' });
    const bad = new TerraformStack(app, 'bad');
    applySecurityPack(bad, { production: false });
    new SnsTopic(bad, 'plain', { name: 'plain' });
    expect(() => app.synth()).toThrow(SecurityViolationError);
    expect(() => app.synth()).toThrow(/CKV_AWS_26 bad\/plain: is not encrypted; set kms_master_key_id/);
    expect(existsSync(join(outdir, 'stacks', 'clean'))).toBe(false);
  });

  it('lists waived findings with their reasons, and refuses waivers that waive nothing', () => {
    const waived = stackWith((s) => {
      const topic = new SnsTopic(s, 'plain', { name: 'plain' });
      waive(topic, 'CKV_AWS_26', 'test topic that carries no data at all, ever');
    });
    const report = evaluate(waived);
    expect(report.violations).toEqual([]);
    expect(report.waived).toEqual([expect.objectContaining({ rule: 'CKV_AWS_26', resource: 'plain', reason: 'test topic that carries no data at all, ever' })]);
    expect(summarize(report)).toContain('waived CKV_AWS_26 plain: test topic that carries no data at all, ever');

    const stale = stackWith((s) => {
      const topic = new SnsTopic(s, 'encrypted', { name: 'e', kmsMasterKeyId: 'k' });
      waive(topic, 'CKV_AWS_26', 'left over from before the topic was encrypted');
    });
    expect(evaluate(stale).unusedWaivers).toEqual([{ rule: 'CKV_AWS_26', resource: 'encrypted', reason: 'left over from before the topic was encrypted' }]);
  });

  it('refuses waivers of unknown rules or without a reason', () => {
    expect(() => stackWith((s) => waive(new SnsTopic(s, 't', { name: 't' }), 'CKV_AWS_9999', 'a reason long enough to pass'))).toThrow(/unknown rule CKV_AWS_9999/);
    expect(() => stackWith((s) => waive(new SnsTopic(s, 't', { name: 't' }), 'CKV_AWS_26', 'because'))).toThrow(/reason of at least 20 characters/);
  });

  it('an environment exception must name a construct of its stack', () => {
    const [spec] = validateEnvironments([
      { file: 'dev.ts', data: { ...dev, securityExceptions: [{ rule: 'CKV2_AWS_11', resource: 'primary/network/nope', reason: 'a reason that is long enough' }] } },
    ]);
    expect(() => buildStacks(new App({ outdir: mkdtempSync(join(tmpdir(), 'x-')) }), [spec!], stateBackend)).toThrow(
      'dev.securityExceptions[0].resource: no construct primary/network/nope in the dev stack',
    );
  });

  it('every committed environment passes with no unwaived finding, and the waivers are the known ones', async () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'envs-')) });
    buildStacks(app, validateEnvironments(await readEnvironmentSources()), stateBackend);
    const reports = app.node.findAll().filter(TerraformStack.isStack).map(evaluate);
    expect(reports.flatMap((r) => r.violations)).toEqual([]);
    expect(reports.flatMap((r) => r.unusedWaivers)).toEqual([]);
    expect(Object.fromEntries(reports.map((r) => [r.stack, r.waived.map((w) => `${w.rule} ${w.resource}`).sort()]))).toEqual({
      'state-backend': [
        'CKV2_AWS_62 state/access-logs/bucket',
        'CKV2_AWS_62 state/bucket',
        'CKV_AWS_144 state/access-logs/bucket',
        'CKV_AWS_144 state/bucket',
        'CKV_AWS_145 state/access-logs/bucket',
        'CKV_AWS_18 state/access-logs/bucket',
      ],
      dev: [
        'CKV2_AWS_11 primary/network/vpc',
        'CKV2_AWS_38 zone/zone',
        'CKV2_AWS_39 zone/zone',
        'CKV2_AWS_62 primary/load-balancer/access-logs/bucket',
        'CKV2_AWS_76 primary/load-balancer/alb',
        'CKV_AWS_117 primary/spot-handler/function',
        'CKV_AWS_144 primary/load-balancer/access-logs/bucket',
        'CKV_AWS_145 primary/load-balancer/access-logs/bucket',
        'CKV_AWS_150 primary/load-balancer/alb',
        'CKV_AWS_18 primary/load-balancer/access-logs/bucket',
        'CKV_AWS_21 primary/load-balancer/access-logs/bucket',
        'CKV_AWS_260 primary/load-balancer/ingress-80-0',
        'CKV_AWS_272 primary/spot-handler/function',
      ],
      staging: [
        'CKV2_AWS_47 maintenance/cdn',
        'CKV2_AWS_62 maintenance/access-logs/bucket',
        'CKV2_AWS_62 maintenance/bucket',
        'CKV2_AWS_62 primary/batch/buckets/access-logs/bucket',
        'CKV2_AWS_62 primary/load-balancer/access-logs/bucket',
        'CKV2_AWS_76 primary/load-balancer/alb',
        'CKV_AWS_116 primary/serverless-api/function',
        'CKV_AWS_117 primary/batch/workflow/sweep/function',
        'CKV_AWS_117 primary/serverless-api/function',
        'CKV_AWS_117 primary/spot-handler/function',
        'CKV_AWS_139 primary/database/cluster',
        'CKV_AWS_144 maintenance/access-logs/bucket',
        'CKV_AWS_144 maintenance/bucket',
        'CKV_AWS_144 primary/batch/buckets/access-logs/bucket',
        'CKV_AWS_144 primary/batch/buckets/input/bucket',
        'CKV_AWS_144 primary/batch/buckets/output/bucket',
        'CKV_AWS_144 primary/load-balancer/access-logs/bucket',
        'CKV_AWS_145 maintenance/access-logs/bucket',
        'CKV_AWS_145 maintenance/bucket',
        'CKV_AWS_145 primary/batch/buckets/access-logs/bucket',
        'CKV_AWS_145 primary/load-balancer/access-logs/bucket',
        'CKV_AWS_150 primary/load-balancer/alb',
        'CKV_AWS_18 maintenance/access-logs/bucket',
        'CKV_AWS_18 primary/batch/buckets/access-logs/bucket',
        'CKV_AWS_18 primary/load-balancer/access-logs/bucket',
        'CKV_AWS_21 maintenance/bucket',
        'CKV_AWS_21 primary/load-balancer/access-logs/bucket',
        'CKV_AWS_260 primary/load-balancer/ingress-80-0',
        'CKV_AWS_272 primary/batch/workflow/sweep/function',
        'CKV_AWS_272 primary/serverless-api/function',
        'CKV_AWS_272 primary/spot-handler/function',
        'CKV_AWS_310 maintenance/cdn',
        'CKV_AWS_338 primary/network/flow-log-group',
        'CKV_AWS_374 maintenance/cdn',
        'CKV_AWS_68 maintenance/cdn',
        'CKV_AWS_86 maintenance/cdn',
      ],
      prod: [
        'CKV2_AWS_62 primary/load-balancer/access-logs/bucket',
        'CKV2_AWS_62 standby/tier/load-balancer/access-logs/bucket',
        'CKV2_AWS_76 primary/load-balancer/alb',
        'CKV2_AWS_76 standby/tier/load-balancer/alb',
        'CKV_AWS_117 primary/spot-handler/function',
        'CKV_AWS_117 standby/tier/spot-handler/function',
        'CKV_AWS_144 primary/load-balancer/access-logs/bucket',
        'CKV_AWS_144 standby/tier/load-balancer/access-logs/bucket',
        'CKV_AWS_145 primary/load-balancer/access-logs/bucket',
        'CKV_AWS_145 standby/tier/load-balancer/access-logs/bucket',
        'CKV_AWS_18 primary/load-balancer/access-logs/bucket',
        'CKV_AWS_18 standby/tier/load-balancer/access-logs/bucket',
        'CKV_AWS_21 primary/load-balancer/access-logs/bucket',
        'CKV_AWS_21 standby/tier/load-balancer/access-logs/bucket',
        'CKV_AWS_260 primary/load-balancer/ingress-80-0',
        'CKV_AWS_260 standby/tier/load-balancer/ingress-80-0',
        'CKV_AWS_272 primary/spot-handler/function',
        'CKV_AWS_272 standby/tier/spot-handler/function',
      ],
    });
  });
});
