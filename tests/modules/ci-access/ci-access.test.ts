/**
 * The CI roles (modules/ci-access) as the state-backend stack synthesizes
 * them: exact trust conditions (one repository, one reusable workflow at the
 * default branch, the pull-request / environment context), least-privilege
 * state access with its conditions, the guards, the configuration they come
 * from (environments/state-backend.ts `ci`) and its validation.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentValidationError, readEnvironmentSources, validateConfiguration } from '../../../environments/load';
import { stateBackend, stateBackendSchema } from '../../../environments/state-backend';
import { CiAccess, ciRoleNames, subjectClaim } from '../../../modules/ci-access';
import { evaluate } from '../../../modules/security';
import { buildStacks } from '../../../stacks';
import { type Block, synthConstruct, type TfJson } from '../../support/synth';

const REPO = 'example-org/web-app';
const PLAN_WORKFLOW = `${REPO}/.github/workflows/plan-stack.yml@refs/heads/main`;
const DEPLOY_WORKFLOW = `${REPO}/.github/workflows/deploy-stack.yml@refs/heads/main`;
/** The state key, as the stack's own kms_key_arn output names it. */
let KEY: string;
const PARTITION = '${data.aws_partition.ci_partition_98CE5C41.partition}';
const BUCKET = 'web-app-tfstate-apne2-example';
const TABLE = `arn:${PARTITION}:dynamodb:ap-northeast-2:*:table/web-app-tfstate-lock`;

interface Statement {
  sid?: string;
  effect?: string;
  actions?: string[];
  not_actions?: string[];
  resources?: string[];
  not_resources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  condition?: { test: string; variable: string; values: string[] }[];
}

let stack: TfJson;

/** The state-backend stack alone (no environments: it takes none, and their stacks are not under test here). */
function synthStateBackend(settings: Parameters<typeof buildStacks>[2]): TfJson {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'ci-access-')) });
  buildStacks(app, [], settings);
  app.synth();
  return JSON.parse(readFileSync(join(app.outdir, 'stacks', 'state-backend', 'cdk.tf.json'), 'utf8')) as TfJson;
}

beforeAll(() => {
  stack = synthStateBackend(stateBackend);
  KEY = String(stack.output?.kms_key_arn?.value);
});

/** The policy document built at `path` under the stack (e.g. `ci/dev/plan-trust`). */
function documentAt(tf: TfJson, path: string): Statement[] {
  // By construct path where cdktf records it, else by logical id (a bare test stack records none).
  const found = Object.entries(tf.data?.aws_iam_policy_document ?? {}).find(
    ([id, block]: [string, Block]) =>
      ((block['//'] as { metadata?: { path?: string } } | undefined)?.metadata?.path ?? '').endsWith(`/${path}`) || id.startsWith(`${path.replaceAll('/', '_')}_`),
  )?.[1];
  if (!found) throw new Error(`no policy document at ${path}`);
  // Key the comparison on what IAM reads; a sid is a label.
  return (found.statement as Statement[]).map((s) => ({ effect: 'Allow', ...s }));
}

const bySid = (statements: Statement[]): Record<string, Statement | undefined> => Object.fromEntries(statements.map((s) => [s.sid ?? '', s]));
const trust = (subjects: string[]): Statement[] => [
  {
    sid: 'GitHubActionsWorkflow',
    effect: 'Allow',
    actions: ['sts:AssumeRoleWithWebIdentity'],
    principals: [{ type: 'Federated', identifiers: ['${aws_iam_openid_connect_provider.ci_github_F2ACE1E3.arn}'] }],
    condition: [
      { test: 'StringEquals', variable: 'token.actions.githubusercontent.com:aud', values: ['sts.amazonaws.com'] },
      { test: 'StringEquals', variable: 'token.actions.githubusercontent.com:sub', values: subjects },
    ],
  },
];

describe('the GitHub OIDC provider', () => {
  it('is token.actions.githubusercontent.com for the sts.amazonaws.com audience', () => {
    expect(Object.values(stack.resource?.aws_iam_openid_connect_provider ?? {})).toMatchObject([
      { url: 'https://token.actions.githubusercontent.com', client_id_list: ['sts.amazonaws.com'] },
    ]);
  });
});

describe('trust: one repository, one reusable workflow at main, one context', () => {
  it('the subject is the customized sub claim (repo, context, job_workflow_ref)', () => {
    expect(subjectClaim(REPO, 'pull_request', '.github/workflows/plan-stack.yml', 'main')).toBe(`repo:${REPO}:pull_request:job_workflow_ref:${PLAN_WORKFLOW}`);
  });

  it.each(['dev', 'staging'])('%s plan: pull requests, and the plan of a deploy from main', (env) => {
    expect(documentAt(stack, `ci/${env}/plan-trust`)).toEqual(
      trust([`repo:${REPO}:pull_request:job_workflow_ref:${PLAN_WORKFLOW}`, `repo:${REPO}:ref:refs/heads/main:job_workflow_ref:${PLAN_WORKFLOW}`]),
    );
  });

  it('prod plan: only from the reviewed GitHub environment prod-plan (never any pull request), and from main', () => {
    expect(documentAt(stack, 'ci/prod/plan-trust')).toEqual(
      trust([`repo:${REPO}:environment:prod-plan:job_workflow_ref:${PLAN_WORKFLOW}`, `repo:${REPO}:ref:refs/heads/main:job_workflow_ref:${PLAN_WORKFLOW}`]),
    );
  });

  it.each(['dev', 'staging', 'prod'])('%s deploy: only its GitHub environment, only deploy-stack.yml at main', (env) => {
    expect(documentAt(stack, `ci/${env}/deploy-trust`)).toEqual(trust([`repo:${REPO}:environment:${env}:job_workflow_ref:${DEPLOY_WORKFLOW}`]));
  });

  it('roles are named <project>-ci-<env>-plan|deploy under /ci/, apart from the tier roles the deploy role manages', () => {
    const roles = Object.values(stack.resource?.aws_iam_role ?? {}).map((r) => [r.name, r.path, r.max_session_duration]);
    expect(roles.sort()).toEqual(
      ['dev', 'prod', 'staging'].flatMap((env) => [`web-app-ci-${env}-deploy`, `web-app-ci-${env}-plan`]).map((name) => [name, '/ci/', 3600]).sort(),
    );
  });
});

describe('plan role: read-only, its own state only', () => {
  const plan = () => bySid(documentAt(stack, 'ci/dev/plan-policy-document'));

  it('managed ReadOnlyAccess, nothing else attached', () => {
    const attached = Object.values(stack.resource?.aws_iam_role_policy_attachment ?? {}).filter((a) => String(a.role).includes('ci_dev_plan'));
    expect(attached.map((a) => a.policy_arn)).toEqual([`arn:${PARTITION}:iam::aws:policy/ReadOnlyAccess`]);
  });

  it('reads its own state object and digest item, decrypts with the state key only through S3 and DynamoDB; writes nothing', () => {
    const p = plan();
    expect(p.ReadOwnState).toEqual({ sid: 'ReadOwnState', effect: 'Allow', actions: ['s3:GetObject'], resources: [`arn:${PARTITION}:s3:::${BUCKET}/web-app/dev/terraform.tfstate`] });
    expect(p.ListStateBucket).toEqual({ sid: 'ListStateBucket', effect: 'Allow', actions: ['s3:ListBucket'], resources: [`arn:${PARTITION}:s3:::${BUCKET}`] });
    expect(p.ReadOwnStateDigest).toEqual({
      sid: 'ReadOwnStateDigest',
      effect: 'Allow',
      actions: ['dynamodb:GetItem'],
      resources: [TABLE],
      condition: [{ test: 'ForAllValues:StringEquals', variable: 'dynamodb:LeadingKeys', values: [`${BUCKET}/web-app/dev/terraform.tfstate-md5`] }],
    });
    expect(p.DecryptState).toEqual({
      sid: 'DecryptState',
      effect: 'Allow',
      actions: ['kms:Decrypt'],
      resources: [KEY],
      condition: [{ test: 'StringEquals', variable: 'kms:ViaService', values: ['s3.ap-northeast-2.amazonaws.com', 'dynamodb.ap-northeast-2.amazonaws.com'] }],
    });
    const allowed = Object.values(p).filter((s): s is Statement => s?.effect === 'Allow').flatMap((s) => s.actions ?? []);
    expect(allowed.sort()).toEqual(['dynamodb:GetItem', 'kms:Decrypt', 's3:GetObject', 's3:ListBucket']);
  });

  it('denies what ReadOnlyAccess would also allow: secret values, parameters, other objects (other states), other decryption', () => {
    const p = plan();
    expect(p.NoSecretValues).toMatchObject({ effect: 'Deny', actions: ['secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue'], resources: ['*'] });
    expect(p.NoParameterValues).toMatchObject({
      effect: 'Deny',
      actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:GetParameterHistory'],
      not_resources: [`arn:${PARTITION}:ssm:*::parameter/aws/service/*`],
    });
    expect(p.NoOtherObjects).toMatchObject({
      effect: 'Deny',
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      not_resources: [`arn:${PARTITION}:s3:::${BUCKET}/web-app/dev/terraform.tfstate`, `arn:${PARTITION}:s3:::web-app-dev-*/*`],
    });
    expect(p.NoDecryptOutsideState).toMatchObject({ effect: 'Deny', actions: ['kms:Decrypt', 'kms:ReEncryptFrom'], not_resources: [KEY] });
  });

  it("staging's plan role reads staging's state, not dev's", () => {
    const p = bySid(documentAt(stack, 'ci/staging/plan-policy-document'));
    expect(p.ReadOwnState!.resources).toEqual([`arn:${PARTITION}:s3:::${BUCKET}/web-app/staging/terraform.tfstate`]);
  });
});

describe('deploy role: its own state, lock items and tier, guarded off the backend', () => {
  const deploy = () => bySid(documentAt(stack, 'ci/prod/deploy-policy-document'));
  const own = `arn:${PARTITION}:s3:::${BUCKET}/web-app/prod/terraform.tfstate`;

  it('managed PowerUserAccess (no IAM), IAM only on <project>-<env>-* roles and profiles', () => {
    const attached = Object.values(stack.resource?.aws_iam_role_policy_attachment ?? {}).filter((a) => String(a.role).includes('ci_prod_deploy'));
    expect(attached.map((a) => a.policy_arn)).toEqual([`arn:${PARTITION}:iam::aws:policy/PowerUserAccess`]);
    expect(deploy().TierIam!.resources).toEqual([`arn:${PARTITION}:iam::*:role/web-app-prod-*`, `arn:${PARTITION}:iam::*:instance-profile/web-app-prod-*`]);
    expect(deploy().TierManagedPolicies!.condition).toEqual([
      { test: 'ArnLike', variable: 'iam:PolicyARN', values: [`arn:${PARTITION}:iam::aws:policy/*`] },
      { test: 'ArnNotLike', variable: 'iam:PolicyARN', values: ['AdministratorAccess', 'IAMFullAccess', 'PowerUserAccess'].map((p) => `arn:${PARTITION}:iam::aws:policy/${p}`) },
    ]);
  });

  it('reads and writes its own state; locks only its own items; encrypts with the state key through S3/DynamoDB', () => {
    const d = deploy();
    expect(d.ReadWriteOwnState).toEqual({ sid: 'ReadWriteOwnState', effect: 'Allow', actions: ['s3:GetObject', 's3:PutObject'], resources: [own] });
    expect(d.OwnLockItems).toEqual({
      sid: 'OwnLockItems',
      effect: 'Allow',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
      resources: [TABLE],
      condition: [{ test: 'ForAllValues:StringEquals', variable: 'dynamodb:LeadingKeys', values: [`${BUCKET}/web-app/prod/terraform.tfstate`, `${BUCKET}/web-app/prod/terraform.tfstate-md5`] }],
    });
    expect(d.UseStateKey).toMatchObject({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [KEY] });
    expect(d.OwnS3LockFile).toBeUndefined(); // locking: 'dynamodb'
  });

  it('cannot touch other states or objects, the bucket settings, the table, other lock items or the key itself', () => {
    const d = deploy();
    expect(d.NoWritesToOtherObjects).toMatchObject({ effect: 'Deny', not_resources: [own, `arn:${PARTITION}:s3:::web-app-prod-*/*`] });
    expect(d.NoOtherObjects).toMatchObject({ effect: 'Deny', not_resources: [own, `arn:${PARTITION}:s3:::web-app-prod-*/*`] });
    expect(d.StateBucketSettingsUntouched).toMatchObject({ effect: 'Deny', resources: [`arn:${PARTITION}:s3:::${BUCKET}`] });
    expect(d.StateBucketSettingsUntouched!.actions).toEqual(expect.arrayContaining(['s3:DeleteBucket', 's3:PutBucket*', 's3:PutLifecycleConfiguration']));
    expect(d.LockTableItemsOnly).toMatchObject({ effect: 'Deny', not_actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:DescribeTable'], resources: [TABLE] });
    expect(d.NoOtherLockItems!.condition).toEqual([
      { test: 'ForAllValues:StringNotEquals', variable: 'dynamodb:LeadingKeys', values: [`${BUCKET}/web-app/prod/terraform.tfstate`, `${BUCKET}/web-app/prod/terraform.tfstate-md5`] },
    ]);
    expect(d.StateKeyUseOnly).toMatchObject({ effect: 'Deny', not_actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], resources: [KEY] });
  });

  it('with the S3 lock file (locking: both) it may also write <key>.tflock, and nothing else more', () => {
    const tf = synthConstruct((scope) => {
      new CiAccess(scope, 'ci', {
        repository: REPO, project: 'p', environments: [{ name: 'dev', stateKey: 'p/dev/terraform.tfstate' }], stateBucket: 'b', lockTable: 't', region: 'eu-west-1', stateKeyArn: 'arn:aws:kms:eu-west-1:1:key/k', locking: 'both',
      });
    });
    const d = bySid(documentAt(tf, 'ci/dev/deploy-policy-document'));
    const p = `\${data.aws_partition.${Object.keys(tf.data?.aws_partition ?? {})[0]}.partition}`;
    expect(d.OwnS3LockFile).toMatchObject({ actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [`arn:${p}:s3:::b/p/dev/terraform.tfstate.tflock`] });
    expect(d.NoWritesToOtherObjects!.not_resources).toEqual([`arn:${p}:s3:::b/p/dev/terraform.tfstate`, `arn:${p}:s3:::b/p/dev/terraform.tfstate.tflock`, `arn:${p}:s3:::p-dev-*/*`]);
  });
});

describe('outputs', () => {
  it('each role ARN, the provider, and the plan-role map the workflows read (AWS_PLAN_ROLE_ARNS)', () => {
    const outputs = stack.output ?? {};
    for (const env of ['dev', 'staging', 'prod']) {
      expect(outputs[`ci_plan_role_arn_${env}`]?.value).toMatch(/^\$\{aws_iam_role\.ci_\w+_plan_\w+\.arn\}$/);
      expect(outputs[`ci_deploy_role_arn_${env}`]?.value).toMatch(/^\$\{aws_iam_role\.ci_\w+_deploy_\w+\.arn\}$/);
    }
    expect(Object.keys(outputs.ci_plan_role_arns?.value as object).sort()).toEqual(['dev', 'prod', 'staging']);
    expect(outputs.ci_oidc_provider_arn).toBeDefined();
  });
});

describe('the state-backend stack with the CI roles', () => {
  it('still passes the security pack', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'ci-access-')) });
    const built = buildStacks(app, [], stateBackend);
    expect(evaluate(built.stateBackend as TerraformStack).violations).toEqual([]);
  });

  it('has no CI roles when the settings name no ci', () => {
    const { ci: _ci, ...withoutCi } = stateBackend;
    expect(synthStateBackend(withoutCi).resource?.aws_iam_role).toBeUndefined();
  });
});

describe('configuration: environments/state-backend.ts ci', () => {
  it('names the repository and environments the roles are for', () => {
    expect(stateBackend.ci).toEqual({ repository: REPO, defaultBranch: 'main', environments: ['dev', 'staging', 'prod'], reviewedPlans: ['prod'] });
    expect(stateBackendSchema.safeParse(stateBackend).success).toBe(true);
  });

  const problems = async (ci: unknown): Promise<string[]> => {
    try {
      validateConfiguration(await readEnvironmentSources(), { ...stateBackend, ci });
      return [];
    } catch (error) {
      return (error as EnvironmentValidationError).problems.filter((p) => p.startsWith('state-backend.'));
    }
  };

  it.each(['web-app', 'example-org/', '/web-app', 'example org/web-app', 'example-org/web-app/x', 'example-org/..'])('refuses repository %j in one line', async (repository) => {
    expect(await problems({ ...stateBackend.ci, repository })).toEqual(['state-backend.ci.repository: must be a GitHub repository as owner/name, e.g. example-org/web-app']);
  });

  it('refuses a reviewed plan for an environment without roles, and repeated environments', async () => {
    expect(await problems({ ...stateBackend.ci, reviewedPlans: ['qa'] })).toEqual(['state-backend.ci.reviewedPlans[0]: "qa" is not one of ci.environments']);
    expect(await problems({ ...stateBackend.ci, environments: ['dev', 'dev'], reviewedPlans: [] })).toEqual(['state-backend.ci.environments: must not repeat an environment']);
  });

  it('refuses an environment whose tier bucket pattern would cover the state bucket', async () => {
    expect(await problems({ ...stateBackend.ci, environments: ['tfstate'], reviewedPlans: [] })).toEqual([
      'state-backend.ci.environments[0]: "tfstate" makes the state bucket web-app-tfstate-apne2-example look like one of its tier\'s buckets (web-app-tfstate-*); rename one',
    ]);
  });

  it('refuses at synth a role name over IAM\'s 64 characters', () => {
    expect(ciRoleNames('web-app', 'prod')).toEqual({ plan: 'web-app-ci-prod-plan', deploy: 'web-app-ci-prod-deploy' });
    const long = 'x'.repeat(50);
    expect(() => ciRoleNames('web-app', long)).toThrow(`ci-access: role name web-app-ci-${long}-plan is 66 characters; IAM allows 64. Shorten the project or environment name.`);
    expect(() =>
      synthConstruct((scope) => new CiAccess(scope, 'ci', { repository: REPO, project: 'web-app', environments: [{ name: long, stateKey: 'k' }], stateBucket: 'b', lockTable: 't', region: 'eu-west-1', stateKeyArn: 'arn' })),
    ).toThrow(/IAM allows 64/);
  });
});
