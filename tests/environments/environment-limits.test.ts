/**
 * Apply-time AWS limits, checked at synth: inputs an offline plan accepts but
 * AWS refuses at apply (or that silently collide with another environment)
 * are named errors; soft risks are warnings.
 */
import { _InstanceType } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import {
  AWS_REGIONS,
  CATALOG_DATE,
  INSTANCE_TYPES,
  MAX_USER_DATA_BASE64,
  READINESS_SCRIPT_ALLOWANCE,
  bucketNameProblems,
  nearest,
  tagKeyProblem,
} from '../../environments/aws-limits';
import dev from '../../environments/dev';
import {
  environmentWarnings,
  readEnvironmentSources,
  validateConfiguration,
  validateEnvironments,
  type EnvironmentSource,
} from '../../environments/load';
import prod from '../../environments/prod';
import type { EnvironmentInput } from '../../environments/schema';
import staging from '../../environments/staging';
import { stateBackend } from '../../environments/state-backend';
import { problemsFor, problemsOf } from '../support/problems';
import { resourceList, synthEnvironments } from '../support/synth';

type StandbyInput = Extract<NonNullable<NonNullable<EnvironmentInput['dns']>['failover']>, { kind: 'standby-region' }>;

/** Warnings for a modified copy of prod. */
function warningsFor(mutate: (env: EnvironmentInput) => void): string[] {
  const env = structuredClone(prod);
  mutate(env);
  return environmentWarnings(validateEnvironments([{ file: 'prod.ts', data: env }]));
}

const standby = (env: EnvironmentInput): StandbyInput => env.dns!.failover as StandbyInput;

function copyOf(env: EnvironmentInput, changes: Partial<EnvironmentInput>): EnvironmentSource {
  return { file: `${changes.name ?? env.name}.ts`, data: { ...structuredClone(env), ...changes } };
}

describe('the bundled catalog of regions and instance types', () => {
  const sdkTypes = new Set<string>(Object.values(_InstanceType));

  it('is dated, and names only instance types the EC2 API model has', () => {
    expect(CATALOG_DATE).toMatch(/^2026-\d{2}-\d{2}$/);
    expect(INSTANCE_TYPES.filter((t) => !sdkTypes.has(t))).toEqual([]);
    expect(INSTANCE_TYPES.length).toBeGreaterThan(1000);
  });

  it('covers the families in common use, with their real sizes', () => {
    const sizes = (family: string) => INSTANCE_TYPES.filter((t) => t.startsWith(`${family}.`)).map((t) => t.slice(family.length + 1));
    const burstable = ['nano', 'micro', 'small', 'medium', 'large', 'xlarge', '2xlarge'];
    for (const family of ['t2', 't3', 't3a', 't4g']) expect(sizes(family), family).toEqual(burstable);
    for (const family of ['m4', 'm5', 'm5a', 'm5d', 'm5n', 'm6g', 'm6i', 'm6a', 'm7g', 'm7i', 'm7a', 'm8g', 'c4', 'c5', 'c6g', 'c6i', 'c7g', 'c7i', 'c8g', 'r4', 'r5', 'r6g', 'r6i', 'r7g', 'r7i', 'r8g']) {
      expect(sizes(family), family).toContain('xlarge');
    }
    expect(sizes('m5')).toEqual(['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', 'metal']);
    expect(sizes('c7i')).toContain('metal-24xl');
    for (const type of ['x2idn.16xlarge', 'z1d.12xlarge', 'i3.16xlarge', 'i4i.32xlarge', 'd3.8xlarge', 'g4dn.xlarge', 'g5.48xlarge', 'g6.xlarge', 'p4d.24xlarge', 'p5.48xlarge', 'inf2.48xlarge', 'trn1.32xlarge', 'hpc7g.16xlarge', 'mac2.metal']) {
      expect(INSTANCE_TYPES, type).toContain(type);
    }
    expect(INSTANCE_TYPES).not.toContain('t3.huge');
    expect(INSTANCE_TYPES).not.toContain('m5.10xlarge');
  });

  it('lists commercial, GovCloud and China regions, no more', () => {
    for (const region of ['us-east-1', 'ap-northeast-2', 'eu-central-2', 'mx-central-1', 'us-gov-west-1', 'cn-northwest-1']) expect(AWS_REGIONS).toContain(region);
    expect(AWS_REGIONS.filter((r) => /iso|global/.test(r))).toEqual([]);
  });

  it('suggests the nearest names within edit distance 2', () => {
    expect(nearest('t3.mediun', INSTANCE_TYPES)).toEqual(['t3.medium']);
    expect(nearest('ap-northeast-9', AWS_REGIONS)).toEqual(['ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3']);
    expect(nearest('mars-north-1', AWS_REGIONS)).toEqual([]);
  });
});

describe('regions and instance types AWS does not have', () => {
  it('a region, primary or standby, with "did you mean"', () => {
    expect(problemsFor((e) => (e.region = 'ap-northeast-9'))[0]).toBe(
      `prod.region: "ap-northeast-9" is not an AWS region (commercial, GovCloud or China, as of ${CATALOG_DATE}); did you mean ap-northeast-1, ap-northeast-2 or ap-northeast-3?`,
    );
    expect(problemsFor((e) => (standby(e).region = 'ap-northaest-1'))).toEqual([
      `prod.dns.failover.region: "ap-northaest-1" is not an AWS region (commercial, GovCloud or China, as of ${CATALOG_DATE}); did you mean ap-northeast-1?`,
    ]);
    // Well-formed, so the old pattern let it through.
    expect(problemsFor((e) => (e.region = 'xx-nowhere-1'))[0]).toBe(`prod.region: "xx-nowhere-1" is not an AWS region (commercial, GovCloud or China, as of ${CATALOG_DATE})`);
  });

  it('GovCloud and China regions are regions', () => {
    const gov = problemsFor((e) => {
      e.region = 'us-gov-west-1';
      e.availabilityZones = ['us-gov-west-1a', 'us-gov-west-1b'];
      e.certificateArn = 'arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/abc';
    });
    expect(gov.filter((p) => p.startsWith('prod.region'))).toEqual([]);
  });

  it('an instance type, with "did you mean"; real types the old pattern refused pass', () => {
    expect(problemsFor((e) => (e.instanceTypes = [{ type: 't3.mediun', weight: 1 }]))).toEqual([
      `prod.instanceTypes[0].type: "t3.mediun" is not an EC2 instance type (as of ${CATALOG_DATE}); did you mean t3.medium?`,
    ]);
    expect(problemsFor((e) => (e.instanceTypes = [{ type: 'm5.huge', weight: 1 }]))).toEqual([`prod.instanceTypes[0].type: "m5.huge" is not an EC2 instance type (as of ${CATALOG_DATE})`]);
    expect(problemsFor((e) => (e.instanceTypes = [{ type: 'c7i.metal-24xl', weight: 96 }, { type: 'c7i-flex.large', weight: 2 }]))).toEqual([]);
  });
});

describe('fleet limits', () => {
  it('at most 40 instance types in the mixed-instances overrides', () => {
    const types = (n: number) => INSTANCE_TYPES.filter((t) => /^(m|c|r)[5-7][a-z]*\.(large|xlarge)$/.test(t)).slice(0, n).map((type) => ({ type, weight: 1 }));
    expect(problemsFor((e) => (e.instanceTypes = types(40)))).toEqual([]);
    expect(problemsFor((e) => (e.instanceTypes = types(41)))).toEqual(['prod.instanceTypes: has 41 instance types; a mixed-instances policy takes at most 40']);
  });

  it('user data: 16 KB after base64, counting the readiness script allowance and the health path', () => {
    // 12288 bytes encode to exactly 16384 base64 characters.
    const room = (MAX_USER_DATA_BASE64 / 4) * 3 - READINESS_SCRIPT_ALLOWANCE - '/health'.length;
    const script = (bytes: number) => `#!/bin/bash\n${'x'.repeat(bytes - 12)}`;
    expect(problemsFor((e) => (e.app = { userData: script(room) }))).toEqual([]);
    expect(problemsFor((e) => (e.app = { userData: script(room + 1) }))).toEqual([
      `prod.app.userData: ${room + 1} bytes, plus ${READINESS_SCRIPT_ALLOWANCE} for the readiness script, encode to 16388 base64 characters; EC2 takes 16384 (16 KB)`,
    ]);
    // Bytes, not characters: "é" is two.
    expect(problemsFor((e) => (e.app = { userData: `#!/bin/bash\n${'é'.repeat(room / 2)}` }))).toHaveLength(1);
  });

  it('user data is a #! script when the readiness check is appended to it', () => {
    expect(problemsFor((e) => (e.app = { userData: '#cloud-config\npackages: [httpd]\n' }))).toEqual([
      'prod.app.userData: must be a shell script starting with #! (e.g. #!/bin/bash): the readiness check is appended to it',
    ]);
    expect(problemsFor((e) => ((e.app = { userData: '#cloud-config\n' }), (e.resilience = { lifecycleHooks: { enabled: false } })))).toEqual([]);
  });

  it('the allowance covers the readiness script the fleet appends, with the longest names and port', () => {
    const longest = structuredClone(prod);
    Object.assign(longest, { project: 'abcdefghijk', name: 'abcdefghijkl', app: { port: 65535, healthPath: '/health' } });
    const [spec] = validateEnvironments([{ file: 'longest.ts', data: longest }]);
    const stack = synthEnvironments([{ file: 'longest.ts', data: longest }]).stacks[spec!.name]!;
    const scripts = resourceList(stack, 'aws_launch_template').map((t) => userDataScript(String(t.user_data)));
    expect(scripts).toHaveLength(2); // primary and standby (the longer `-dr` names)
    for (const script of scripts) {
      expect(script.startsWith(spec!.app.userData)).toBe(true);
      expect(Buffer.byteLength(script) - Buffer.byteLength(spec!.app.userData) - spec!.app.healthPath.length).toBeLessThanOrEqual(READINESS_SCRIPT_ALLOWANCE);
    }
  });

  it('an image is an AMI ID or an SSM parameter', () => {
    for (const imageId of ['ami-12345678', 'ami-0123456789abcdef0', 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64', 'resolve:ssm:/team/ami:3']) {
      expect(problemsFor((e) => (e.app = { imageId })), imageId).toEqual([]);
    }
    for (const imageId of ['ami-123', 'ami-0123456789ABCDEF0', 'ami-0123456789abcdef', 'resolve:ssm:team/ami', 'ubuntu-22.04']) {
      expect(problemsFor((e) => (e.app = { imageId })), imageId).toEqual([
        'prod.app.imageId: is not an AMI ID (ami- and 8 or 17 lowercase hex digits) or a resolve:ssm:/parameter reference',
      ]);
    }
  });
});

/** The script in a launch template's user data: base64 at synth, or (before) a Terraform base64encode of a string. */
function userDataScript(value: string): string {
  const expression = /^\$\{base64encode\("(.*)"\)\}$/s.exec(value);
  return expression ? (JSON.parse(`"${expression[1]}"`) as string) : Buffer.from(value, 'base64').toString('utf8');
}

describe('CloudWatch', () => {
  const retentions = 'is not a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)';

  it('log retentions are values CloudWatch Logs accepts, wherever a log group is kept', () => {
    expect(problemsFor((e) => (e.monitoring = { logRetentionDays: 45 }))).toEqual([`prod.monitoring.logRetentionDays: 45 ${retentions}`]);
    expect(problemsFor((e) => (e.flowLogs = { retentionDays: 0 }))).toEqual([`prod.flowLogs.retentionDays: 0 ${retentions}`]);
    expect(problemsFor((e) => (e.flowLogs = { retentionDays: 400 }))).toEqual([]);
    // Access logs go to S3, whose lifecycle takes any number of days.
    expect(problemsFor((e) => (e.loadBalancer = { accessLogRetentionDays: 45 }))).toEqual([]);
  });

  it('alarm periods are 10, 20, 30 s or a multiple of 60', () => {
    const step = { name: 'burst', threshold: 80, steps: [{ lower: 0, adjustment: 1 }] };
    const simple = { name: 'idle', threshold: 20, comparison: 'below' as const, adjustment: -1 };
    for (const period of [10, 20, 30, 60, 300]) {
      expect(problemsFor((e) => (e.scaling = { stepPolicies: [{ ...step, period }], simplePolicies: [{ ...simple, period }] })), String(period)).toEqual([]);
    }
    expect(problemsFor((e) => (e.scaling = { stepPolicies: [{ ...step, period: 45 }], simplePolicies: [{ ...simple, period: 90 }] }))).toEqual([
      'prod.scaling.stepPolicies[0].period: 45 s is not a CloudWatch alarm period (10, 20, 30 or a multiple of 60)',
      'prod.scaling.simplePolicies[0].period: 90 s is not a CloudWatch alarm period (10, 20, 30 or a multiple of 60)',
    ]);
  });
});

describe('Route 53', () => {
  it("health-check regions are Route 53's checker regions, each once", () => {
    expect(problemsFor((e) => (e.dns = { ...e.dns!, healthCheck: { regions: ['us-east-1', 'ap-northeast-2', 'eu-west-1', 'eu-west-1'] } }))).toEqual([
      'prod.dns.healthCheck.regions[1]: "ap-northeast-2" is not a Route 53 checker region (us-east-1, us-west-1, us-west-2, eu-west-1, ap-southeast-1, ap-southeast-2, ap-northeast-1, sa-east-1)',
      'prod.dns.healthCheck.regions[3]: duplicate checker region eu-west-1',
    ]);
  });

  it('a record name belongs to one environment', () => {
    const rival = copyOf(staging, { dns: { ...structuredClone(staging.dns!), domain: 'app.example.com' } });
    expect(problemsFor(() => undefined, [rival])).toEqual(['staging.dns.domain: app.example.com is already the record of "prod"; a DNS name belongs to one environment']);
  });
});

describe('network sizes', () => {
  it('VPCs, primary and standby, are /16 to /28', () => {
    expect(problemsFor((e) => (e.network = { vpcCidr: '10.0.0.0/12' }))).toEqual(['prod.network.vpcCidr: 10.0.0.0/12 is a /12; a VPC must be /16 to /28']);
    expect(problemsFor((e) => (standby(e).vpcCidr = '10.32.0.0/14'))).toEqual(['prod.dns.failover.vpcCidr: 10.32.0.0/14 is a /14; a VPC must be /16 to /28']);
  });

  it('explicit subnets are /16 to /28, as generated ones are', () => {
    const problems = problemsFor((e) => {
      e.availabilityZones = ['ap-northeast-2a', 'ap-northeast-2c'];
      e.network = { vpcCidr: '10.30.0.0/16', publicSubnets: ['10.30.0.0/29', '10.30.0.8/29'], privateSubnets: ['10.30.128.0/24', '10.30.129.0/24'] };
    });
    expect(problems).toEqual(['prod.network.publicSubnets[0]: 10.30.0.0/29 is a /29; a subnet must be /16 to /28', 'prod.network.publicSubnets[1]: 10.30.0.8/29 is a /29; a subnet must be /16 to /28']);
  });
});

describe('tags', () => {
  it('cost tags reach every resource, so AWS tag rules apply to them', () => {
    expect(problemsFor((e) => (e.costTags = { ...e.costTags, Team: 'x'.repeat(257) }))).toEqual(['prod.costTags.Team: tag Team is 257 characters; AWS allows 256']);
    expect(problemsFor((e) => (e.costTags = { ...e.costTags, CostCenter: 'eng#1' }))).toEqual([
      'prod.costTags.CostCenter: tag CostCenter value "eng#1" may only hold letters, digits, spaces and _ . : / = + - @',
    ]);
    expect(problemsFor((e) => (e.costTags = { ...e.costTags, Project: 'aws:web' }))).toEqual(['prod.costTags.Project: tag Project value "aws:web" starts with "aws:", which AWS reserves']);
    expect(problemsFor((e) => (e.costTags = { ...e.costTags, Team: 'Plattform Ü 2/3 @ops' }))).toEqual([]);
  });

  it('keys: 128 characters, the tag alphabet, nothing under aws:', () => {
    expect(tagKeyProblem('CostCenter')).toBeUndefined();
    expect(tagKeyProblem('k'.repeat(129))).toMatch(/must be 1–128 characters, not 129/);
    expect(tagKeyProblem('aws:createdBy')).toMatch(/starts with "aws:", which AWS reserves/);
    expect(tagKeyProblem('AWS:x')).toMatch(/starts with "aws:"/);
    expect(tagKeyProblem('cost#center')).toMatch(/may only hold/);
  });
});

describe('names that must be unique in an account', () => {
  it('two environments whose project and name give the same prefix', () => {
    const rival = copyOf(dev, { project: 'web', name: 'app-dev', dns: { ...structuredClone(dev.dns!), domain: 'other.dev.example.com' } });
    expect(problemsFor(() => undefined, [rival], dev)).toEqual(['app-dev: resource names (prefix "web-app-dev") collide with those of "dev" in account 123456789012']);
    // IAM roles, load balancers and alarms are per account: another account has its own.
    const elsewhere = { account: '210987654321', certificateArn: dev.certificateArn!.replace('123456789012', '210987654321') };
    expect(problemsFor(() => undefined, [{ ...rival, data: { ...(rival.data as object), ...elsewhere } }], dev)).toEqual([]);
  });

  it("an environment named like another's standby region", () => {
    // In prod's own account; dev's account has no web-app-prod-dr roles to collide with.
    const rival = copyOf(dev, { name: 'prod-dr', account: '210987654321', certificateArn: dev.certificateArn!.replace('123456789012', '210987654321') });
    expect(problemsFor(() => undefined, [rival])).toEqual(['prod-dr: resource names (prefix "web-app-prod-dr") collide with those of "prod" (its standby region) in account 210987654321']);
    expect(problemsFor(() => undefined, [copyOf(dev, { name: 'prod-dr' })])).toEqual([]);
  });
});

describe('SNS subscriptions', () => {
  it('an e-mail endpoint is an address; an https webhook is named by its SSM parameter, never written as a URL', () => {
    const problems = problemsFor((e) => {
      e.monitoring = {
        alerts: [{ protocol: 'email', endpoint: 'oncall.example.com' }, { protocol: 'email' }, { protocol: 'email', endpoint: 'a@example.com', endpointParameter: '/web-app/prod/x' }],
        critical: [
          { protocol: 'https', endpoint: 'https://events.pagerduty.com/integration/abc/enqueue' },
          { protocol: 'https' },
          { protocol: 'https', endpointParameter: 'web-app/prod/pagerduty-url' },
        ],
      };
    });
    expect(problems).toEqual([
      'prod.monitoring.alerts[0].endpoint: "oncall.example.com" is not an e-mail address',
      'prod.monitoring.alerts[1].endpoint: is required for email: the address to deliver to',
      'prod.monitoring.alerts[2].endpointParameter: is for https subscribers; an e-mail address goes in endpoint',
      'prod.monitoring.critical[0].endpoint: an https webhook URL is a secret and does not belong in the environment file: store it in SSM Parameter Store as a SecureString and set endpointParameter to its name, e.g. /web-app/prod/pagerduty-url',
      'prod.monitoring.critical[1].endpointParameter: is required for https: the SSM parameter that holds the webhook URL, e.g. /web-app/prod/pagerduty-url',
      'prod.monitoring.critical[2].endpointParameter: is not an SSM parameter name like /web-app/prod/pagerduty-url',
    ]);
  });

  it('an https subscriber named by its parameter is valid', () => {
    expect(problemsFor((e) => (e.monitoring = { critical: [{ protocol: 'https', endpointParameter: '/web-app/prod/pagerduty-url' }] }))).toEqual([]);
  });
});

describe('security', () => {
  it('the permissions boundary is an IAM policy ARN, key administrators IAM role ARNs', () => {
    expect(
      problemsFor(
        (e) =>
          (e.security = {
            permissionsBoundaryArn: 'arn:aws:iam::210987654321:role/not-a-policy',
            keyAdministratorArns: ['arn:aws:iam::210987654321:user/alice'],
          }),
      ),
    ).toEqual([
      'prod.security.permissionsBoundaryArn: is not an IAM policy ARN like arn:aws:iam::210987654321:policy/web-app-boundary',
      'prod.security.keyAdministratorArns[0]: is not an IAM role ARN like arn:aws:iam::210987654321:role/kms-admin',
    ]);
  });
});

describe('state-backend settings', () => {
  const backendProblems = (changes: Partial<Record<keyof typeof stateBackend, unknown>>) =>
    problemsOf(() => validateConfiguration([], { ...stateBackend, ...changes }));

  it('the committed settings are valid', async () => {
    expect(validateConfiguration(await readEnvironmentSources(), stateBackend).environments.map((s) => s.name)).toEqual(['dev', 'prod', 'staging']);
  });

  it('the bucket follows S3 naming rules, and takes no dots (its KMS alias is alias/<bucket>)', () => {
    expect(backendProblems({ bucket: 'ab' })).toEqual(['state-backend.bucket: is 2 characters; S3 bucket names are 3–63']);
    expect(backendProblems({ bucket: 'Web_App-state' })).toEqual(['state-backend.bucket: contains "W", "_", "A"; S3 bucket names allow lowercase letters, digits, dots and hyphens', 'state-backend.bucket: must start and end with a lowercase letter or digit']);
    expect(backendProblems({ bucket: 'web.state' })).toEqual(['state-backend.bucket: must not contain dots: the state key is aliased alias/<bucket>, and KMS aliases allow no dots']);
    expect(bucketNameProblems('-state')).toEqual(['must start and end with a lowercase letter or digit']);
    expect(bucketNameProblems('web..state')).toEqual(['must not contain two adjacent dots']);
    expect(bucketNameProblems('192.168.10.1')).toEqual(['must not be formatted as an IP address']);
    expect(bucketNameProblems('xn--state')).toEqual(['must not start with "xn--", which S3 reserves']);
    expect(bucketNameProblems('state-s3alias')).toEqual(['must not end with "-s3alias", which S3 reserves']);
    expect(bucketNameProblems('x'.repeat(64))).toEqual(['is 64 characters; S3 bucket names are 3–63']);
  });

  it('lock table, region, project slug and version retention', () => {
    expect(backendProblems({ lockTable: 'tf lock', region: 'ap-northeast-9', project: 'Web_App', noncurrentVersionRetentionDays: 0 })).toEqual([
      'state-backend.project: must be lowercase letters, digits and dashes',
      `state-backend.region: "ap-northeast-9" is not an AWS region (commercial, GovCloud or China, as of ${CATALOG_DATE}); did you mean ap-northeast-1, ap-northeast-2 or ap-northeast-3?`,
      'state-backend.lockTable: DynamoDB table names allow letters, digits, _ . and - only',
      'state-backend.noncurrentVersionRetentionDays: must be at least 1 (S3 lifecycle NoncurrentDays)',
    ]);
    expect(backendProblems({ lockTable: 'tl' })).toEqual(['state-backend.lockTable: is 2 characters; DynamoDB table names are 3–255']);
  });

  it('is checked in the same pass as the environments', () => {
    const bad = { ...structuredClone(prod), region: 'ap-northeast-9' };
    const problems = problemsOf(() => validateConfiguration([{ file: 'prod.ts', data: bad }], { ...stateBackend, bucket: 'ab' }));
    expect(problems.filter((p) => p.startsWith('prod.region: '))).toHaveLength(1);
    expect(problems).toContain('state-backend.bucket: is 2 characters; S3 bucket names are 3–63');
  });
});

describe('warnings', () => {
  it('the committed environments have none', async () => {
    expect(validateConfiguration(await readEnvironmentSources(), stateBackend).warnings).toEqual([]);
  });

  it('one instance type with Spot in the mix: one pool per AZ', () => {
    const one = [{ type: 't3.medium', weight: 1 }];
    const message = 'prod.instanceTypes: only one instance type: Spot has one pool per AZ to draw from';
    expect(warningsFor((e) => (e.instanceTypes = one))).toEqual([message]);
    // All on demand, and no standby (whose default is Spot): no pool to worry about.
    expect(
      warningsFor((e) => {
        e.instanceTypes = one;
        e.instancesDistribution = { onDemandPercentageAboveBaseCapacity: 100 };
        e.dns = { ...e.dns!, failover: undefined };
      }),
    ).toEqual([]);
    expect(
      warningsFor((e) => {
        e.instanceTypes = one;
        e.instancesDistribution = { onDemandPercentageAboveBaseCapacity: 100 };
      }),
    ).toEqual([message]);
  });

  it('load-balancer subnets smaller than /27, explicit or generated', () => {
    expect(warningsFor((e) => (e.network = { vpcCidr: '10.30.0.0/16', subnetPrefixLength: 28 }))).toEqual([
      'prod.network.subnetPrefixLength: public subnets of /28 are smaller than the /27 an Application Load Balancer needs (8 free addresses per subnet)',
    ]);
    expect(warningsFor((e) => (e.network = { vpcCidr: '10.30.0.0/16', subnetPrefixLength: 27 }))).toEqual([]);
    expect(
      warningsFor((e) => {
        e.availabilityZones = ['ap-northeast-2a', 'ap-northeast-2c'];
        e.network = { vpcCidr: '10.30.0.0/16', publicSubnets: ['10.30.0.0/28', '10.30.0.32/27'], privateSubnets: ['10.30.128.0/24', '10.30.129.0/24'] };
      }),
    ).toEqual(['prod.network.publicSubnets[0]: 10.30.0.0/28 is smaller than the /27 an Application Load Balancer needs (8 free addresses per subnet)']);
  });

  it('an internal load balancer: its private subnets are checked, and 0.0.0.0/0 is questioned', () => {
    const internal = (e: EnvironmentInput) => {
      e.availabilityZones = ['ap-northeast-2a', 'ap-northeast-2c'];
      e.network = { vpcCidr: '10.30.0.0/16', publicSubnets: ['10.30.0.0/28', '10.30.0.32/28'], privateSubnets: ['10.30.128.0/24', '10.30.129.0/28'] };
      e.loadBalancer = { internal: true, ingressCidrs: ['10.0.0.0/8'] };
      e.dns = { ...e.dns!, healthCheck: false, failover: undefined };
    };
    // The public subnets no longer hold the load balancer; the second private one does.
    expect(warningsFor(internal)).toEqual(['prod.network.privateSubnets[1]: 10.30.129.0/28 is smaller than the /27 an Application Load Balancer needs (8 free addresses per subnet)']);
    expect(
      warningsFor((e) => {
        internal(e);
        e.loadBalancer = { internal: true };
      }),
    ).toEqual([
      'prod.network.privateSubnets[1]: 10.30.129.0/28 is smaller than the /27 an Application Load Balancer needs (8 free addresses per subnet)',
      'prod.loadBalancer.ingressCidrs: an internal load balancer open to 0.0.0.0/0 takes traffic from every peered VPC, VPN and transit gateway routed to it; name their ranges',
    ]);
  });

  it('never stop synth: validateEnvironments still returns the specs', () => {
    const env = { ...structuredClone(prod), instanceTypes: [{ type: 't3.medium', weight: 1 }] };
    expect(validateEnvironments([{ file: 'prod.ts', data: env }]).map((s) => s.name)).toEqual(['prod']);
  });
});
