/**
 * The shared building blocks the security review touched: the operations
 * key's policy (administrators apart from users, grants opt-in and scoped to
 * this account's resources), trust policies, the permissions boundary
 * aspect, and alert topics (TLS-only publishing, webhook URLs from SSM).
 */
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { AlertTopic, type AlertTopicProps } from '../../../modules/notifications';
import { applyPermissionsBoundary, assumeRolePolicy, useAccount } from '../../../modules/shared/iam';
import { KEY_ADMINISTRATION_ACTIONS, OperationsKey, type OperationsKeyProps } from '../../../modules/shared/kms';
import { type Block, dataSources, only, resourceList, synthConstruct, type TfJson } from '../../support/synth';

/** `${data.aws_partition.key_partition_1A2B3C4D.partition}` → `PARTITION`, so statements read as literals. */
function literal<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(/\$\{data\.aws_partition\.[A-Za-z0-9_-]+\.partition\}/g, 'PARTITION')) as T;
}

function statementsOf(json: TfJson, id: string): Block[] {
  const docs = Object.entries(dataSources(json, 'aws_iam_policy_document')).filter(([docId]) => docId.includes(id));
  if (docs.length !== 1) throw new Error(`expected one policy document ${id}, found ${docs.length}`);
  return literal(docs[0]![1].statement as Block[]);
}

const ROOT = 'arn:PARTITION:iam::111122223333:root';
const BREAK_GLASS = { sid: 'BreakGlassAccountRoot', actions: ['kms:*'], resources: ['*'], principals: [{ type: 'AWS', identifiers: [ROOT] }] };
const ADMINISTRATION = (identifiers: string[]) => ({ sid: 'KeyAdministration', actions: [...KEY_ADMINISTRATION_ACTIONS], resources: ['*'], principals: [{ type: 'AWS', identifiers }] });

describe('OperationsKey', () => {
  const keyPolicy = (props: Partial<OperationsKeyProps>) =>
    statementsOf(synthConstruct((scope) => new OperationsKey(scope, 'key', { alias: 'demo-ops', account: '111122223333', region: 'eu-west-1', ...props })), 'key_policy');

  it('without grants: the root as break-glass and as default administrator, and nothing else', () => {
    expect(keyPolicy({})).toEqual([BREAK_GLASS, ADMINISTRATION([ROOT])]);
  });

  it('administrators may manage the key, never use it', () => {
    expect(KEY_ADMINISTRATION_ACTIONS).toEqual([
      'kms:Create*',
      'kms:Describe*',
      'kms:Enable*',
      'kms:List*',
      'kms:Put*',
      'kms:Update*',
      'kms:Revoke*',
      'kms:Disable*',
      'kms:Get*',
      'kms:Delete*',
      'kms:TagResource',
      'kms:UntagResource',
      'kms:ScheduleKeyDeletion',
      'kms:CancelKeyDeletion',
    ]);
    const admins = ['arn:aws:iam::111122223333:role/kms-admin', 'arn:aws:iam::111122223333:role/security-admin'];
    expect(keyPolicy({ administratorArns: admins })).toEqual([BREAK_GLASS, ADMINISTRATION(admins)]);
  });

  it('each grant is opt-in and names this account and region and the resources that use it', () => {
    expect(keyPolicy({ alarmNamePrefix: 'demo', logGroupNames: ['/aws/lambda/demo-fn', '/aws/vpc-flow-logs/demo'], eventRuleNamePrefixes: ['demo-spot', 'demo-batch'] })).toEqual([
      BREAK_GLASS,
      ADMINISTRATION([ROOT]),
      {
        sid: 'CloudWatchAlarmsPublish',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
        condition: [
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: ['111122223333'] },
          { test: 'ArnLike', variable: 'aws:SourceArn', values: ['arn:PARTITION:cloudwatch:eu-west-1:111122223333:alarm:demo-*'] },
        ],
      },
      {
        sid: 'CloudWatchLogsEncrypt',
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        principals: [{ type: 'Service', identifiers: ['logs.eu-west-1.amazonaws.com'] }],
        condition: [
          {
            test: 'ArnEquals',
            variable: 'kms:EncryptionContext:aws:logs:arn',
            values: ['arn:PARTITION:logs:eu-west-1:111122223333:log-group:/aws/lambda/demo-fn', 'arn:PARTITION:logs:eu-west-1:111122223333:log-group:/aws/vpc-flow-logs/demo'],
          },
        ],
      },
      {
        sid: 'EventBridgeDeadLetters',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
        condition: [
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: ['111122223333'] },
          { test: 'ArnLike', variable: 'aws:SourceArn', values: ['arn:PARTITION:events:eu-west-1:111122223333:rule/demo-spot-*', 'arn:PARTITION:events:eu-west-1:111122223333:rule/demo-batch-*'] },
        ],
      },
    ]);
  });

  it('an empty list of log groups grants CloudWatch Logs nothing', () => {
    expect(keyPolicy({ logGroupNames: [] }).map((s) => s.sid)).toEqual(['BreakGlassAccountRoot', 'KeyAdministration']);
  });
});

describe('trust policies', () => {
  it('an explicit account wins over the recorded one', () => {
    const json = synthConstruct((scope) => {
      useAccount(scope, '999999999999');
      new IamRole(scope, 'role', { assumeRolePolicy: assumeRolePolicy(scope, 'trust', 'lambda.amazonaws.com', { account: '111122223333' }) });
    });
    expect(statementsOf(json, 'trust')).toEqual([
      {
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }],
        condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: ['111122223333'] }],
      },
    ]);
  });
});

describe('applyPermissionsBoundary', () => {
  const boundary = 'arn:aws:iam::111122223333:policy/boundary';

  it('sets the boundary on every role below the scope, and leaves a role that names its own', () => {
    const json = synthConstruct((scope: Construct) => {
      new IamRole(scope, 'plain', { name: 'plain', assumeRolePolicy: '{}' });
      new IamRole(scope, 'own', { name: 'own', assumeRolePolicy: '{}', permissionsBoundary: 'arn:aws:iam::111122223333:policy/own' });
      applyPermissionsBoundary(scope, boundary);
    });
    expect(Object.fromEntries(resourceList(json, 'aws_iam_role').map((r) => [r.name, r.permissions_boundary]))).toEqual({
      plain: boundary,
      own: 'arn:aws:iam::111122223333:policy/own',
    });
  });
});

describe('AlertTopic', () => {
  const build = (props: Partial<AlertTopicProps>) => synthConstruct((scope) => new AlertTopic(scope, 'topic', { name: 'demo-alerts', kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k', ...props }));
  const topicRef = (json: TfJson) => `\${aws_sns_topic.${Object.keys(json.resource?.aws_sns_topic ?? {})[0]}.arn}`;

  it('refuses publishing without TLS, and lets the named services publish for their account and sources only', () => {
    const json = build({ publishers: [{ service: 'cloudwatch.amazonaws.com', account: '111122223333', sourceArn: 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:demo-*' }] });
    const topic = topicRef(json);
    expect(statementsOf(json, 'policy-document')).toEqual([
      {
        sid: 'DenyInsecurePublish',
        effect: 'Deny',
        actions: ['sns:Publish'],
        resources: [topic],
        principals: [{ type: '*', identifiers: ['*'] }],
        condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
      },
      {
        sid: 'ServicePublishes0',
        actions: ['sns:Publish'],
        resources: [topic],
        principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
        condition: [
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: ['111122223333'] },
          { test: 'ArnLike', variable: 'aws:SourceArn', values: ['arn:aws:cloudwatch:eu-west-1:111122223333:alarm:demo-*'] },
        ],
      },
    ]);
    const policy = only(json, 'aws_sns_topic_policy');
    expect(policy.arn).toBe(topic);
    expect(String(policy.policy)).toMatch(/^\$\{data\.aws_iam_policy_document\.topic_policy-document_[0-9A-F]{8}\.json\}$/);
  });

  it('a topic no service publishes to still refuses publishing without TLS', () => {
    expect(statementsOf(build({}), 'policy-document').map((s) => [s.sid, s.effect])).toEqual([['DenyInsecurePublish', 'Deny']]);
  });

  it('an https subscriber gets its URL from Parameter Store, read once the topic exists; e-mail as written', () => {
    const json = build({
      subscribers: [
        { protocol: 'email', endpoint: 'oncall@example.com' },
        { protocol: 'https', endpointParameter: '/demo/prod/pagerduty-url' },
      ],
    });
    const [parameterId, parameter] = Object.entries(dataSources(json, 'aws_ssm_parameter'))[0] ?? [];
    const topicId = Object.keys(json.resource?.aws_sns_topic ?? {})[0];
    expect(parameter).toMatchObject({ name: '/demo/prod/pagerduty-url', with_decryption: true, depends_on: [`aws_sns_topic.${topicId}`] });
    expect(resourceList(json, 'aws_sns_topic_subscription').map((s) => [s.protocol, s.endpoint])).toEqual([
      ['email', 'oncall@example.com'],
      ['https', `\${data.aws_ssm_parameter.${parameterId}.value}`],
    ]);
  });
});
