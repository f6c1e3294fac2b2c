import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { Construct } from 'constructs';
import { assumeRolePolicy, policyDocumentStatements, type PolicyStatementSpec } from '../shared/iam';

/** A statement of the task role's policy, as the environment schema shapes it (instances.iam.statements). */
export type TaskRoleStatement = PolicyStatementSpec;

/** `<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@digest]`: a private ECR image, whose repository the execution role may pull from. */
const PRIVATE_ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9._/-]+?)(?::[\w.-]+)?(?:@sha256:[0-9a-f]{64})?$/;

/** The repository ARN of a private ECR image, or undefined for any other registry (public ECR, Docker Hub: no IAM). */
export function ecrRepositoryArn(image: string, partition = 'aws'): string | undefined {
  const m = PRIVATE_ECR_IMAGE.exec(image);
  return m ? `arn:${partition}:ecr:${m[2]}:${m[1]}:repository/${m[3]}` : undefined;
}

/** `arn:…:secretsmanager:…:secret:name-AbCdEf[:json-key:stage:version]` → the secret's ARN; parameter ARNs as they are. */
export function secretResourceArn(valueFrom: string): string {
  return valueFrom.split(':').slice(0, 7).join(':');
}

export interface ExecutionRoleProps {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly image: string;
  /** ARN of the task's log group. */
  readonly logGroupArn: string;
  /** `valueFrom` of each secret: Secrets Manager secret or SSM parameter ARNs. */
  readonly secretArns: readonly string[];
}

/**
 * The role ECS itself uses to start a task: pull the image (from the named
 * ECR repository only), write to the task's log group, read exactly the
 * named secrets and parameters, and decrypt them through those services
 * only. The application never holds it (CKV_AWS_249).
 */
export function executionRole(scope: Construct, props: ExecutionRoleProps): IamRole {
  const role = new IamRole(scope, 'execution-role', {
    name: `${props.name}-svc-exec`,
    description: `ECS starts ${props.name}'s service tasks with it: image, logs, secrets`,
    assumeRolePolicy: assumeRolePolicy(scope, 'execution-trust', 'ecs-tasks.amazonaws.com', { account: props.account }),
  });
  const statement: DataAwsIamPolicyDocumentStatement[] = [
    { sid: 'WriteLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${props.logGroupArn}:log-stream:*`] },
  ];
  const repository = ecrRepositoryArn(props.image);
  if (repository) {
    // GetAuthorizationToken names no resource: IAM accepts it on * only.
    statement.push({ sid: 'EcrLogin', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] });
    statement.push({ sid: 'PullImage', actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], resources: [repository] });
  }
  const arns = [...new Set(props.secretArns.map(secretResourceArn))];
  const secrets = arns.filter((arn) => arn.includes(':secretsmanager:'));
  const parameters = arns.filter((arn) => arn.includes(':ssm:'));
  if (secrets.length) statement.push({ sid: 'ReadSecrets', actions: ['secretsmanager:GetSecretValue'], resources: secrets });
  if (parameters.length) statement.push({ sid: 'ReadParameters', actions: ['ssm:GetParameters'], resources: parameters });
  if (arns.length) {
    // Customer-managed keys of those secrets, used through those services only.
    const services = [...(secrets.length ? ['secretsmanager'] : []), ...(parameters.length ? ['ssm'] : [])];
    statement.push({
      sid: 'DecryptSecrets',
      actions: ['kms:Decrypt'],
      resources: [`arn:aws:kms:${props.region}:${props.account}:key/*`],
      condition: [{ test: 'StringEquals', variable: 'kms:ViaService', values: services.map((s) => `${s}.${props.region}.amazonaws.com`) }],
    });
  }
  new IamRolePolicy(scope, 'execution-policy', {
    name: 'start-tasks',
    role: role.id,
    policy: new DataAwsIamPolicyDocument(scope, 'execution-policy-document', { statement }).json,
  });
  return role;
}

/**
 * The role the application's code runs as: nothing unless `statements`
 * grant it, and never the execution role's rights.
 */
export function taskRole(scope: Construct, name: string, account: string, statements: readonly TaskRoleStatement[]): IamRole {
  const role = new IamRole(scope, 'task-role', {
    name: `${name}-svc-task`,
    description: `The code of ${name}'s service tasks runs as it`,
    assumeRolePolicy: assumeRolePolicy(scope, 'task-trust', 'ecs-tasks.amazonaws.com', { account }),
  });
  if (statements.length) {
    new IamRolePolicy(scope, 'task-policy', {
      name: 'app',
      role: role.id,
      policy: new DataAwsIamPolicyDocument(scope, 'task-policy-document', {
        statement: policyDocumentStatements(statements),
      }).json,
    });
  }
  return role;
}
