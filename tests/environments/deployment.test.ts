/**
 * The deployment fields of an environment (environments/schema/deployment.ts,
 * environments/schema/tags.ts): the deploy role, where the state lives, and
 * free-form tags. Each rule on a copy of dev changed in one place, asserting
 * the exact line a user reads; a seeded property test for tag keys.
 */
import { describe, expect, it } from 'vitest';
import { validateConfiguration, validateEnvironments } from '../../environments/load';
import dev from '../../environments/dev';
import type { EnvironmentInput } from '../../environments/schema';
import { MAX_FREE_FORM_TAGS, RESERVED_TAG_KEYS } from '../../environments/schema/tags';
import { stateBackend } from '../../environments/state-backend';
import { problemsFor, problemsOf } from '../support/problems';
import { seededRandom } from '../support/random';

const DEPLOY_ROLE = 'arn:aws:iam::123456789012:role/platform/web-app-deploy';
const problems = (mutate: (env: EnvironmentInput) => void) => problemsFor(mutate, [], dev);
const parsed = (mutate: (env: EnvironmentInput) => void = () => undefined) => {
  const env = structuredClone(dev);
  mutate(env);
  return validateEnvironments([{ file: 'dev.ts', data: env }])[0]!;
};

describe('defaults', () => {
  it('no deploy role, state in the shared S3 backend, no free-form tags', () => {
    const spec = parsed();
    expect(spec.deployRole).toBeUndefined();
    expect(spec.state).toEqual({ kind: 's3' });
    expect(spec.tags).toEqual({});
  });

  it('a cloud state defaults to HCP Terraform’s host', () => {
    expect(parsed((e) => (e.state = { kind: 'cloud', organization: 'example-org', workspace: 'web-app-dev' })).state).toEqual({
      kind: 'cloud',
      organization: 'example-org',
      workspace: 'web-app-dev',
      hostname: 'app.terraform.io',
    });
  });
});

describe('deployRole', () => {
  it('accepts a role of the environment’s account, with a path, session name and external ID', () => {
    expect(problems((e) => (e.deployRole = { roleArn: DEPLOY_ROLE, sessionName: 'ci@web-app.dev', externalId: 'tenant:42/a=b' }))).toEqual([]);
  });

  it('belongs to the environment’s account', () => {
    expect(problems((e) => (e.deployRole = { roleArn: 'arn:aws:iam::210987654321:role/web-app-deploy' }))).toEqual([
      "dev.deployRole.roleArn: role belongs to account 210987654321, not the environment's 123456789012",
    ]);
  });

  it('is an IAM role ARN with a name of at most 64 characters', () => {
    const message = 'is not an IAM role ARN like arn:aws:iam::210987654321:role/web-app-deploy (role name at most 64 characters)';
    expect(problems((e) => (e.deployRole = { roleArn: 'arn:aws:iam::123456789012:user/deployer' }))).toEqual([`dev.deployRole.roleArn: ${message}`]);
    expect(problems((e) => (e.deployRole = { roleArn: `arn:aws:iam::123456789012:role/${'r'.repeat(65)}` }))).toEqual([`dev.deployRole.roleArn: ${message}`]);
    expect(problems((e) => (e.deployRole = { roleArn: `arn:aws:iam::123456789012:role/${'r'.repeat(64)}` }))).toEqual([]);
  });

  it('session name: STS’s 2–64 characters of [\\w+=,.@-]', () => {
    const message = 'dev.deployRole.sessionName: must be 2–64 characters of letters, digits and _ + = , . @ - (STS RoleSessionName)';
    for (const bad of ['x', 's'.repeat(65), 'has space', 'a/b', 'a:b']) {
      expect(problems((e) => (e.deployRole = { roleArn: DEPLOY_ROLE, sessionName: bad })), bad).toEqual([message]);
    }
    expect(problems((e) => (e.deployRole = { roleArn: DEPLOY_ROLE, sessionName: 's'.repeat(64) }))).toEqual([]);
  });

  it('external ID: STS’s 2–1224 characters of [\\w+=,.@:/-]', () => {
    const message = 'dev.deployRole.externalId: must be 2–1224 characters of letters, digits and _ + = , . @ : / - (STS ExternalId)';
    for (const bad of ['x', 'e'.repeat(1225), 'with space', 'semi;colon']) {
      expect(problems((e) => (e.deployRole = { roleArn: DEPLOY_ROLE, externalId: bad })), bad.slice(0, 12)).toEqual([message]);
    }
    expect(problems((e) => (e.deployRole = { roleArn: DEPLOY_ROLE, externalId: 'e'.repeat(1224) }))).toEqual([]);
  });

  it('takes no other field', () => {
    expect(problems((e) => (e.deployRole = { roleArn: DEPLOY_ROLE, duration: '1h' } as EnvironmentInput['deployRole']))).toEqual([
      'dev.deployRole: Unrecognized key: "duration"',
    ]);
  });
});

describe('state', () => {
  it('s3 with a role: an IAM role ARN', () => {
    expect(problems((e) => (e.state = { kind: 's3', roleArn: 'arn:aws:iam::123456789012:role/web-app-state' }))).toEqual([]);
    expect(problems((e) => (e.state = { kind: 's3', roleArn: 'role/web-app-state' }))).toEqual([
      'dev.state.roleArn: is not an IAM role ARN like arn:aws:iam::210987654321:role/web-app-deploy (role name at most 64 characters)',
    ]);
  });

  it('cloud: HCP Terraform’s names', () => {
    const cloud = (fields: Partial<{ organization: string; workspace: string; hostname: string; project: string }>) =>
      problems((e) => (e.state = { kind: 'cloud', organization: 'example-org', workspace: 'web-app-dev', ...fields }));
    expect(cloud({ hostname: 'tfe.example.com:8443', project: 'Web App_1' })).toEqual([]);
    expect(cloud({ organization: 'ab' })).toEqual(['dev.state.organization: must be an HCP Terraform organization name: 3–40 letters, digits, _ or -']);
    expect(cloud({ organization: 'o'.repeat(41) })).toEqual(['dev.state.organization: must be an HCP Terraform organization name: 3–40 letters, digits, _ or -']);
    expect(cloud({ organization: 'example.org' })).toEqual(['dev.state.organization: must be an HCP Terraform organization name: 3–40 letters, digits, _ or -']);
    expect(cloud({ workspace: 'w'.repeat(91) })).toEqual(['dev.state.workspace: must be an HCP Terraform workspace name: 1–90 letters, digits, _ or -']);
    expect(cloud({ workspace: 'web app' })).toEqual(['dev.state.workspace: must be an HCP Terraform workspace name: 1–90 letters, digits, _ or -']);
    expect(cloud({ workspace: 'w'.repeat(90) })).toEqual([]);
    expect(cloud({ project: ' Web' })).toEqual(['dev.state.project: must be an HCP Terraform project name: 3–40 letters, digits, inner spaces, _ or -']);
    expect(cloud({ project: 'p'.repeat(41) })).toEqual(['dev.state.project: must be an HCP Terraform project name: 3–40 letters, digits, inner spaces, _ or -']);
    expect(cloud({ hostname: 'https://app.terraform.io' })).toEqual([
      'dev.state.hostname: must be a lowercase host name like app.terraform.io or tfe.example.com, optionally with :port',
    ]);
  });

  it('names its kind', () => {
    expect(problems((e) => (e.state = { kind: 'gcs' } as unknown as EnvironmentInput['state']))).toHaveLength(1);
    expect(problems((e) => (e.state = { kind: 'cloud', organization: 'example-org' } as EnvironmentInput['state']))).toEqual([
      'dev.state.workspace: Invalid input: expected string, received undefined',
    ]);
  });
});

describe('environments against the state backend, in the same validation pass', () => {
  const withState = (state: EnvironmentInput['state']) => [{ file: 'dev.ts', data: { ...structuredClone(dev), state } }];

  it('a state role belongs to the state account', () => {
    expect(problemsOf(() => validateConfiguration(withState({ kind: 's3', roleArn: 'arn:aws:iam::210987654321:role/web-app-state' }), stateBackend))).toEqual([
      "dev.state.roleArn: role belongs to account 210987654321, not the state backend's 123456789012",
    ]);
    expect(problemsOf(() => validateConfiguration(withState({ kind: 's3', roleArn: 'arn:aws:iam::123456789012:role/web-app-state' }), stateBackend))).toEqual([]);
  });

  it('GitHub Actions roles are not made for an environment whose state is in HCP Terraform', () => {
    expect(problemsOf(() => validateConfiguration(withState({ kind: 'cloud', organization: 'example-org', workspace: 'web-app-dev' }), stateBackend))).toEqual([
      'state-backend.ci.environments[0]: dev keeps its state in HCP Terraform, which these S3 plan and deploy roles cannot reach',
    ]);
  });
});

describe('state-backend.deployRole', () => {
  it('belongs to the state’s account', () => {
    expect(problemsOf(() => validateConfiguration([], { ...stateBackend, deployRole: { roleArn: 'arn:aws:iam::210987654321:role/state-deploy' } }))).toEqual([
      "state-backend.deployRole.roleArn: role belongs to account 210987654321, not the state's 123456789012",
    ]);
    expect(problemsOf(() => validateConfiguration([], { ...stateBackend, deployRole: { roleArn: 'arn:aws:iam::123456789012:role/state-deploy', sessionName: 'x' } }))).toEqual([
      'state-backend.deployRole.sessionName: must be 2–64 characters of letters, digits and _ + = , . @ - (STS RoleSessionName)',
    ]);
  });
});

describe('tags', () => {
  it('free-form tags within AWS’s limits pass', () => {
    expect(problems((e) => (e.tags = { DataClassification: 'internal', 'owner:email': 'web@example.com', 'cost/unit': '', 'Ünïcode Key': 'välue +=' }))).toEqual([]);
  });

  it('none of the reserved keys, whatever the case', () => {
    for (const reserved of RESERVED_TAG_KEYS) {
      const key = reserved.toLowerCase();
      expect(problems((e) => (e.tags = { [key]: 'x' }))).toEqual([
        `dev.tags.${key}: "${key}" is the stacks' own ${reserved} tag (tag keys compare case-insensitively); set it through its own field or pick another key`,
      ]);
    }
  });

  it('no two keys differing only in case', () => {
    expect(problems((e) => (e.tags = { Owner: 'a', OWNER: 'b' }))).toEqual(['dev.tags.OWNER: "OWNER" repeats tag "Owner" (tag keys compare case-insensitively, as IAM does)']);
  });

  it('AWS’s key and value rules', () => {
    expect(problems((e) => (e.tags = { 'aws:owner': 'x' }))).toEqual(['dev.tags.aws:owner: tag key "aws:owner" starts with "aws:", which AWS reserves']);
    expect(problems((e) => (e.tags = { ['k'.repeat(129)]: 'x' }))).toEqual([`dev.tags.${'k'.repeat(129)}: tag key "${'k'.repeat(129)}" must be 1–128 characters, not 129`]);
    expect(problems((e) => (e.tags = { '': 'x' }))).toEqual(['dev.tags.: tag key "" must be 1–128 characters, not 0']);
    expect(problems((e) => (e.tags = { 'a#b': 'x' }))).toEqual(['dev.tags.a#b: tag key "a#b" may only hold letters, digits, spaces and _ . : / = + - @']);
    expect(problems((e) => (e.tags = { Owner: 'v'.repeat(257) }))).toEqual(['dev.tags.Owner: tag Owner is 257 characters; AWS allows 256']);
    expect(problems((e) => (e.tags = { Owner: 'a*b' }))).toEqual(['dev.tags.Owner: tag Owner value "a*b" may only hold letters, digits, spaces and _ . : / = + - @']);
    expect(problems((e) => (e.tags = { ['k'.repeat(128)]: 'v'.repeat(256) }))).toEqual([]);
  });

  it(`at most ${MAX_FREE_FORM_TAGS}, so every resource stays within AWS’s 50`, () => {
    expect(MAX_FREE_FORM_TAGS).toBe(42);
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`tag${i}`, 'v']));
    expect(problems((e) => (e.tags = many(42)))).toEqual([]);
    expect(problems((e) => (e.tags = many(43)))).toEqual([
      'dev.tags: has 43 tags; at most 42 fit beside the 8 the stacks set (Environment, ManagedBy, Project, CostCenter, Team, Role, Name, Tier) in AWS\'s 50 per resource',
    ]);
  });


  it('property: a key is accepted exactly when AWS would take it and it is not reserved', () => {
    const random = seededRandom(16);
    const alphabet = [...'abcXYZ019 _.:/=+-@', 'é', '中', '#', '*', '!', '\t'];
    const reserved = new Set(RESERVED_TAG_KEYS.map((k) => k.toLowerCase()));
    for (let run = 0; run < 300; run++) {
      const length = Math.floor(random() * 6) + (random() < 0.05 ? 125 : 0);
      let key = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      if (random() < 0.1) key = `aws:${key}`;
      if (random() < 0.1) key = RESERVED_TAG_KEYS[Math.floor(random() * RESERVED_TAG_KEYS.length)]!.toUpperCase();
      const awsTakes = key.length >= 1 && key.length <= 128 && !key.toLowerCase().startsWith('aws:') && /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(key);
      const expected = awsTakes && !reserved.has(key.toLowerCase());
      expect(problems((e) => (e.tags = { [key]: 'value' })).length === 0, JSON.stringify(key)).toBe(expected);
    }
  });
});
