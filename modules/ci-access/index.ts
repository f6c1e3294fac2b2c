import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';

/** GitHub's OIDC issuer, without the scheme (the prefix of its IAM condition keys). */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
/** The audience aws-actions/configure-aws-credentials requests. */
export const STS_AUDIENCE = 'sts.amazonaws.com';
/** IAM's limit on a role name. */
export const MAX_ROLE_NAME = 64;

/** One stack the CI may plan and deploy. */
export interface CiEnvironment {
  /** Stack name; also the GitHub environment its deploys run in. */
  readonly name: string;
  /** Its state object in the state bucket, e.g. `web-app/dev/terraform.tfstate`. */
  readonly stateKey: string;
  /**
   * Pull-request plans run in the GitHub environment `<name>-plan`, which
   * holds required reviewers (repository settings), instead of for any PR.
   * @default false
   */
  readonly reviewedPlan?: boolean;
}

export interface CiAccessProps {
  /** `owner/name` of the repository whose workflows may assume the roles. */
  readonly repository: string;
  /** Project slug: role names are `<project>-ci-<env>-plan|deploy`, the tier's own resources `<project>-<env>-*`. */
  readonly project: string;
  readonly environments: readonly CiEnvironment[];
  /** Bucket holding every environment's state. */
  readonly stateBucket: string;
  /** DynamoDB lock table of the S3 backend. */
  readonly lockTable: string;
  /** Region of the bucket, table and key. */
  readonly region: string;
  /** ARN of the KMS key the state is encrypted with. */
  readonly stateKeyArn: string;
  /**
   * `both`: the deploy role may also write the S3 lock file (`<key>.tflock`, Terraform ≥ 1.10).
   * @default 'dynamodb'
   */
  readonly locking?: 'dynamodb' | 'both';
  /**
   * Branch the workflows are trusted from.
   * @default 'main'
   */
  readonly defaultBranch?: string;
  /**
   * Reusable workflow every plan runs in, relative to the repository.
   * @default '.github/workflows/plan-stack.yml'
   */
  readonly planWorkflow?: string;
  /**
   * Reusable workflow every deploy runs in, relative to the repository.
   * @default '.github/workflows/deploy-stack.yml'
   */
  readonly deployWorkflow?: string;
  /**
   * ARN of an existing GitHub OIDC provider: IAM allows one per URL and account.
   * @default a new provider for token.actions.githubusercontent.com
   */
  readonly oidcProviderArn?: string;
  /**
   * IAM path of the roles, kept apart from the tier's own roles (`/`), which the deploy role may manage.
   * @default '/ci/'
   */
  readonly rolePath?: string;
  /**
   * Longest session a role grants, seconds (an apply of prod can take a while).
   * @default 3600
   */
  readonly maxSessionDurationSeconds?: number;
}

/** The `sub` claim GitHub issues once the repository's OIDC subject includes `repo`, `context` and `job_workflow_ref`. */
export function subjectClaim(repository: string, context: string, workflow: string, branch: string): string {
  return `repo:${repository}:${context}:job_workflow_ref:${repository}/${workflow}@refs/heads/${branch}`;
}

/** Role names, checked against IAM's limit here rather than at apply. */
export function ciRoleNames(project: string, environment: string): { plan: string; deploy: string } {
  const names = { plan: `${project}-ci-${environment}-plan`, deploy: `${project}-ci-${environment}-deploy` };
  for (const name of Object.values(names)) {
    if (name.length > MAX_ROLE_NAME) throw new Error(`ci-access: role name ${name} is ${name.length} characters; IAM allows ${MAX_ROLE_NAME}. Shorten the project or environment name.`);
  }
  return names;
}

interface Arns {
  readonly partition: string;
  readonly bucket: string;
  readonly stateObject: string;
  readonly lockTable: string;
  /** LockID values of this environment's items: `<bucket>/<key>` (the lock) and `<bucket>/<key>-md5` (the digest). */
  readonly lockItem: string;
  readonly digestItem: string;
  /** Objects of the tier's own buckets (`<project>-<env>-*`): the maintenance page, access logs. */
  readonly tierObjects: string;
}

/**
 * GitHub OIDC federation for CI: per environment, a plan role (read-only,
 * its own state only) and a deploy role (its own state and tier only), each
 * trusted only from one reusable workflow of one repository at its default
 * branch. See docs/pipeline.md for the flow.
 *
 * AWS evaluates only the `aud` and `sub` claims of GitHub's token (custom
 * claims such as `job_workflow_ref` are not condition keys), so the workflow
 * is pinned through `sub`: the repository customizes its OIDC subject to
 * include `repo`, `context` and `job_workflow_ref` (a one-time setting,
 * docs/pipeline.md), and the trust names the whole subject.
 */
export class CiAccess extends Construct {
  public readonly oidcProviderArn: string;
  /** Environment name → role ARN. */
  public readonly planRoleArns: Record<string, string> = {};
  public readonly deployRoleArns: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: CiAccessProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(props.repository)) throw new Error(`ci-access: repository must be owner/name, got "${props.repository}"`);
    const branch = props.defaultBranch ?? 'main';
    const planWorkflow = props.planWorkflow ?? '.github/workflows/plan-stack.yml';
    const deployWorkflow = props.deployWorkflow ?? '.github/workflows/deploy-stack.yml';
    const rolePath = props.rolePath ?? '/ci/';
    const partition = new DataAwsPartition(this, 'partition', {}).partition;

    this.oidcProviderArn =
      props.oidcProviderArn ??
      new IamOpenidConnectProvider(this, 'github', {
        url: `https://${GITHUB_OIDC_HOST}`,
        clientIdList: [STS_AUDIENCE],
        // No thumbprint_list: IAM checks GitHub's certificate against its own trusted CAs and ignores thumbprints for this issuer.
      }).arn;

    for (const environment of props.environments) {
      const names = ciRoleNames(props.project, environment.name);
      const arns = arnsOf(props, environment, partition);
      const scopeOf = new Construct(this, environment.name);

      const planSubjects = [
        // Pull requests; a reviewed environment's plan waits in `<env>-plan` for a reviewer first.
        subjectClaim(props.repository, environment.reviewedPlan ? `environment:${environment.name}-plan` : 'pull_request', planWorkflow, branch),
        // The plan a deploy from the default branch applies after review.
        subjectClaim(props.repository, `ref:refs/heads/${branch}`, planWorkflow, branch),
      ];
      const plan = this.role(scopeOf, 'plan', names.plan, rolePath, planSubjects, props.maxSessionDurationSeconds);
      new IamRolePolicyAttachment(scopeOf, 'plan-read-only', { role: plan.name, policyArn: `arn:${partition}:iam::aws:policy/ReadOnlyAccess` });
      this.inlinePolicy(scopeOf, 'plan', plan, planStatements(arns, props.stateKeyArn, props.region));

      const deploy = this.role(scopeOf, 'deploy', names.deploy, rolePath, [subjectClaim(props.repository, `environment:${environment.name}`, deployWorkflow, branch)], props.maxSessionDurationSeconds);
      new IamRolePolicyAttachment(scopeOf, 'deploy-power-user', { role: deploy.name, policyArn: `arn:${partition}:iam::aws:policy/PowerUserAccess` });
      this.inlinePolicy(scopeOf, 'deploy', deploy, deployStatements(arns, props, environment));

      this.planRoleArns[environment.name] = plan.arn;
      this.deployRoleArns[environment.name] = deploy.arn;
    }
  }

  private role(scope: Construct, id: string, name: string, path: string, subjects: string[], maxSession = 3600): IamRole {
    const trust = new DataAwsIamPolicyDocument(scope, `${id}-trust`, {
      statement: [
        {
          sid: 'GitHubActionsWorkflow',
          actions: ['sts:AssumeRoleWithWebIdentity'],
          principals: [{ type: 'Federated', identifiers: [this.oidcProviderArn] }],
          condition: [
            { test: 'StringEquals', variable: `${GITHUB_OIDC_HOST}:aud`, values: [STS_AUDIENCE] },
            { test: 'StringEquals', variable: `${GITHUB_OIDC_HOST}:sub`, values: subjects },
          ],
        },
      ],
    });
    return new IamRole(scope, id, { name, path, assumeRolePolicy: trust.json, maxSessionDuration: maxSession, description: `GitHub Actions ${id} for ${name}` });
  }

  private inlinePolicy(scope: Construct, id: string, role: IamRole, statement: DataAwsIamPolicyDocumentStatement[]): void {
    const document = new DataAwsIamPolicyDocument(scope, `${id}-policy-document`, { statement });
    new IamRolePolicy(scope, `${id}-policy`, { name: `${id}-state-and-guards`, role: role.id, policy: document.json });
  }
}

function arnsOf(props: CiAccessProps, environment: CiEnvironment, partition: string): Arns {
  const lockItem = `${props.stateBucket}/${environment.stateKey}`;
  return {
    partition,
    bucket: `arn:${partition}:s3:::${props.stateBucket}`,
    stateObject: `arn:${partition}:s3:::${props.stateBucket}/${environment.stateKey}`,
    // Any account: IAM grants act in the role's own account only, and an account lookup would make offline plans impossible.
    lockTable: `arn:${partition}:dynamodb:${props.region}:*:table/${props.lockTable}`,
    lockItem,
    digestItem: `${lockItem}-md5`,
    tierObjects: `arn:${partition}:s3:::${props.project}-${environment.name}-*/*`,
  };
}

/** Services the state key may be used through: S3 (state objects) and DynamoDB (the lock table is encrypted with it). */
function viaStateServices(region: string) {
  return { test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${region}.amazonaws.com`, `dynamodb.${region}.amazonaws.com`] };
}

/** Reads no environment may do: secrets, parameters, objects outside its own state and tier. */
function readGuards(arns: Arns, stateKeyArn: string, ownStateObjects: readonly string[]): DataAwsIamPolicyDocumentStatement[] {
  return [
    {
      sid: 'NoSecretValues',
      effect: 'Deny',
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue'],
      resources: ['*'],
    },
    {
      // AWS's public parameters (/aws/service/…: AMI IDs the launch templates resolve) hold nothing secret.
      sid: 'NoParameterValues',
      effect: 'Deny',
      actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:GetParameterHistory'],
      notResources: [`arn:${arns.partition}:ssm:*::parameter/aws/service/*`],
    },
    {
      // The state of every other environment is in the same bucket under the same key: objects are readable only here.
      sid: 'NoOtherObjects',
      effect: 'Deny',
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      notResources: [...ownStateObjects, arns.tierObjects],
    },
    {
      sid: 'NoDecryptOutsideState',
      effect: 'Deny',
      actions: ['kms:Decrypt', 'kms:ReEncryptFrom'],
      notResources: [stateKeyArn],
    },
  ];
}

/**
 * Plan role: AWS managed ReadOnlyAccess (every Describe/Get/List `terraform
 * plan` refreshes with; a hand-kept list breaks each time a resource type
 * is added), with what ReadOnlyAccess would also allow and a plan never
 * needs denied explicitly (secret values, parameters, other states), and its
 * own state: the object, and the lock table's digest item only. Plans run
 * with `-lock=false` (the apply takes the lock and refuses a stale plan), so
 * this role writes nothing, not even a lock.
 */
function planStatements(arns: Arns, stateKeyArn: string, region: string): DataAwsIamPolicyDocumentStatement[] {
  return [
    { sid: 'ReadOwnState', actions: ['s3:GetObject'], resources: [arns.stateObject] },
    { sid: 'ListStateBucket', actions: ['s3:ListBucket'], resources: [arns.bucket] },
    {
      sid: 'ReadOwnStateDigest',
      actions: ['dynamodb:GetItem'],
      resources: [arns.lockTable],
      condition: [{ test: 'ForAllValues:StringEquals', variable: 'dynamodb:LeadingKeys', values: [arns.digestItem] }],
    },
    { sid: 'DecryptState', actions: ['kms:Decrypt'], resources: [stateKeyArn], condition: [viaStateServices(region)] },
    ...readGuards(arns, stateKeyArn, [arns.stateObject]),
  ];
}

/**
 * Deploy role: AWS managed PowerUserAccess (everything but IAM, Organizations
 * and Account) plus IAM on the tier's own names only, its own state and lock
 * items, and guards that keep it off the state backend itself (bucket
 * settings, table, key) and off every other environment's state and objects.
 */
function deployStatements(arns: Arns, props: CiAccessProps, environment: CiEnvironment): DataAwsIamPolicyDocumentStatement[] {
  const tier = `${props.project}-${environment.name}-*`;
  const iam = (kind: string) => `arn:${arns.partition}:iam::*:${kind}/${tier}`;
  const stateObjects = [arns.stateObject, ...(props.locking === 'both' ? [`${arns.stateObject}.tflock`] : [])];
  return [
    { sid: 'ReadWriteOwnState', actions: ['s3:GetObject', 's3:PutObject'], resources: [arns.stateObject] },
    ...(props.locking === 'both' ? [{ sid: 'OwnS3LockFile', actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [`${arns.stateObject}.tflock`] }] : []),
    { sid: 'ListStateBucket', actions: ['s3:ListBucket'], resources: [arns.bucket] },
    {
      sid: 'OwnLockItems',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
      resources: [arns.lockTable],
      condition: [{ test: 'ForAllValues:StringEquals', variable: 'dynamodb:LeadingKeys', values: [arns.lockItem, arns.digestItem] }],
    },
    { sid: 'UseStateKey', actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [props.stateKeyArn], condition: [viaStateServices(props.region)] },
    {
      // The tier's roles and instance profile are named <project>-<env>-…; the CI roles live under another path and stay out of reach.
      sid: 'TierIam',
      actions: [
        'iam:CreateRole', 'iam:DeleteRole', 'iam:UpdateRole', 'iam:UpdateRoleDescription', 'iam:UpdateAssumeRolePolicy', 'iam:TagRole', 'iam:UntagRole',
        'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:PassRole',
        'iam:CreateInstanceProfile', 'iam:DeleteInstanceProfile', 'iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:TagInstanceProfile', 'iam:UntagInstanceProfile',
      ],
      resources: [iam('role'), iam('instance-profile')],
    },
    {
      // Only AWS managed policies may be attached, never AdministratorAccess or IAMFullAccess.
      sid: 'TierManagedPolicies',
      actions: ['iam:AttachRolePolicy'],
      resources: [iam('role')],
      condition: [
        { test: 'ArnLike', variable: 'iam:PolicyARN', values: [`arn:${arns.partition}:iam::aws:policy/*`] },
        { test: 'ArnNotLike', variable: 'iam:PolicyARN', values: ['AdministratorAccess', 'IAMFullAccess', 'PowerUserAccess'].map((p) => `arn:${arns.partition}:iam::aws:policy/${p}`) },
      ],
    },
    { sid: 'ReadIam', actions: ['iam:Get*', 'iam:List*'], resources: ['*'] },
    ...readGuards(arns, props.stateKeyArn, stateObjects),
    {
      sid: 'NoWritesToOtherObjects',
      effect: 'Deny',
      actions: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectAcl', 's3:RestoreObject'],
      notResources: [...stateObjects, arns.tierObjects],
    },
    {
      sid: 'StateBucketSettingsUntouched',
      effect: 'Deny',
      actions: ['s3:DeleteBucket', 's3:DeleteBucketPolicy', 's3:PutBucket*', 's3:PutLifecycleConfiguration', 's3:PutEncryptionConfiguration', 's3:PutReplicationConfiguration', 's3:PutBucketVersioning'],
      resources: [arns.bucket],
    },
    {
      sid: 'LockTableItemsOnly',
      effect: 'Deny',
      notActions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:DescribeTable'],
      resources: [arns.lockTable],
    },
    {
      sid: 'NoOtherLockItems',
      effect: 'Deny',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
      resources: [arns.lockTable],
      condition: [{ test: 'ForAllValues:StringNotEquals', variable: 'dynamodb:LeadingKeys', values: [arns.lockItem, arns.digestItem] }],
    },
    {
      sid: 'StateKeyUseOnly',
      effect: 'Deny',
      notActions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: [props.stateKeyArn],
    },
  ];
}
