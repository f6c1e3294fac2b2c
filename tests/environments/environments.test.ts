import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentFiles, readEnvironmentSources, validateEnvironments } from '../../environments/load';
import prod from '../../environments/prod';
import type { EnvironmentInput } from '../../environments/schema';
import { ROOT } from '../support/paths';
import { problemsFor } from '../support/problems';
import { UNDER_MUTATION } from '../support/mutation';

/** Prod without its standby, for rules about the primary alone. */
function withoutStandby(env: EnvironmentInput): void {
  if (env.dns) env.dns = { ...env.dns, failover: undefined };
}

describe('the committed environments', () => {
  it('are discovered from environments/ without a registry', () => {
    const names = environmentFiles(join(ROOT, 'environments')).map((f) => f.split('/').pop());
    expect(names).toEqual(['dev.ts', 'prod.ts', 'staging.ts']);
  });

  it('all validate', async () => {
    const specs = validateEnvironments(await readEnvironmentSources());
    expect(specs.map((s) => s.name)).toEqual(['dev', 'prod', 'staging']);
  });

  it('prod carries the seed defaults', async () => {
    const [spec] = validateEnvironments([{ file: 'prod.ts', data: prod }]);
    expect(spec?.instancesDistribution).toEqual({
      onDemandBaseCapacity: 2,
      onDemandPercentageAboveBaseCapacity: 20,
      spotAllocationStrategy: 'capacity-optimized',
    });
    expect(spec?.scaling.cpuTarget).toBe(70);
    expect(spec?.scaling.predictive).toMatchObject({ mode: 'ForecastAndScale', schedulingBufferTime: 300 });
    expect(spec?.app.healthPath).toBe('/health');
  });
});

describe('bad input is rejected with the environment and field named', () => {
  it('account: not a 12-digit ID, or not the account of the certificate', () => {
    expect(problemsFor((e) => (e.account = '12345'))).toEqual(['prod.account: is not a 12-digit AWS account ID']);
    expect(
      problemsFor((e) => {
        e.account = '210987654321';
        e.certificateArn = 'arn:aws:acm:ap-northeast-2:123456789012:certificate/abc';
      }),
    ).toEqual(["prod.certificateArn: certificate belongs to account 123456789012, not the environment's 210987654321"]);
  });

  it('monitoring and resilience: out-of-range thresholds, a concurrency that would throttle everything', () => {
    expect(problemsFor((e) => (e.monitoring = { cpuHighPercent: 120 }))).toEqual(['prod.monitoring.cpuHighPercent: 120 is outside 1–100']);
    expect(problemsFor((e) => (e.resilience = { spotInterruptionHandler: { reservedConcurrency: 0 } }))).toEqual([
      'prod.resilience.spotInterruptionHandler.reservedConcurrency: must be at least 1 (0 would throttle every event); false reserves none',
    ]);
    expect(problemsFor((e) => (e.resilience = { chaos: { warning: 'PT30S' } }))).toEqual(['prod.resilience.chaos.warning: must be PT2M to PT15M']);
  });

  it('chaos needs Spot instances to interrupt', () => {
    expect(
      problemsFor((e) => {
        e.instancesDistribution = { onDemandPercentageAboveBaseCapacity: 100 };
        e.resilience = { chaos: {} };
      }),
    ).toEqual(['prod.resilience.chaos: interrupts Spot instances, but instancesDistribution buys everything on demand']);
  });

  it('security exceptions: a known rule, a construct path, a real reason, no duplicates', () => {
    const exception = { rule: 'CKV2_AWS_11', resource: 'primary/network/vpc', reason: 'Flow logs are shipped by another account, which keeps them.' };
    expect(problemsFor((e) => (e.securityExceptions = [{ ...exception, rule: 'CKV_AWS_9999' }]))).toEqual([
      'prod.securityExceptions[0].rule: "CKV_AWS_9999" is not a rule of the security pack (e.g. CKV2_AWS_11)',
    ]);
    expect(problemsFor((e) => (e.securityExceptions = [{ ...exception, resource: '/primary//vpc' }]))).toEqual([
      'prod.securityExceptions[0].resource: is not a construct path like primary/network/vpc',
    ]);
    expect(problemsFor((e) => (e.securityExceptions = [{ ...exception, reason: 'because' }]))).toEqual([
      'prod.securityExceptions[0].reason: must say why in at least 20 characters',
    ]);
    expect(problemsFor((e) => (e.securityExceptions = [exception, exception]))).toEqual(['prod.securityExceptions[1]: CKV2_AWS_11 is already waived for primary/network/vpc']);
  });

  it('capacity: minSize > maxSize', () => {
    expect(
      problemsFor((e) => {
        withoutStandby(e);
        e.capacity = { minSize: 5, maxSize: 3 };
      }),
    ).toEqual(['prod.capacity: minSize 5 > maxSize 3']);
  });

  it('capacity: desired outside [min, max]', () => {
    expect(problemsFor((e) => (e.capacity = { minSize: 2, maxSize: 16, desiredCapacity: 19 }))).toEqual([
      'prod.capacity: desiredCapacity 19 is outside [minSize 2, maxSize 16]',
    ]);
    expect(problemsFor((e) => (e.capacity = { minSize: 2, maxSize: 16, desiredCapacity: 1 }))).toEqual([
      'prod.capacity: desiredCapacity 1 is outside [minSize 2, maxSize 16]',
    ]);
  });

  it('mixed instances: on-demand percentage outside 0–100', () => {
    expect(problemsFor((e) => (e.instancesDistribution = { onDemandPercentageAboveBaseCapacity: 120 }))).toEqual([
      'prod.instancesDistribution.onDemandPercentageAboveBaseCapacity: 120 is outside 0–100',
    ]);
    expect(problemsFor((e) => (e.instancesDistribution = { onDemandPercentageAboveBaseCapacity: -5 }))).toEqual([
      'prod.instancesDistribution.onDemandPercentageAboveBaseCapacity: -5 is outside 0–100',
    ]);
  });

  it('mixed instances: on-demand base > max capacity', () => {
    expect(problemsFor((e) => (e.instancesDistribution = { onDemandBaseCapacity: 40 }))).toEqual([
      'prod.instancesDistribution: onDemandBaseCapacity 40 > capacity.maxSize 30',
    ]);
  });

  it('instance types: empty list', () => {
    expect(problemsFor((e) => (e.instanceTypes = []))).toEqual(['prod.instanceTypes: needs at least one instance type']);
  });

  it('instance types: weight ≤ 0', () => {
    const problems = problemsFor((e) => {
      e.instanceTypes = [
        { type: 't3.medium', weight: 1 },
        { type: 'm5.large', weight: 0 },
        { type: 'm5a.large', weight: -2 },
      ];
    });
    expect(problems).toEqual(['prod.instanceTypes[1].weight: weight 0 must be > 0', 'prod.instanceTypes[2].weight: weight -2 must be > 0']);
  });

  it('instance types: duplicates', () => {
    const problems = problemsFor((e) => {
      e.instanceTypes = [
        { type: 't3.medium', weight: 1 },
        { type: 'm5.large', weight: 2 },
        { type: 't3.medium', weight: 1 },
      ];
    });
    expect(problems).toEqual(['prod.instanceTypes[2].type: duplicate instance type t3.medium']);
  });

  it('network: malformed CIDR', () => {
    expect(problemsFor((e) => (e.network = { vpcCidr: '10.0.0.300/16' }))).toEqual([
      'prod.network.vpcCidr: "10.0.0.300/16" is not an IPv4 network CIDR (a.b.c.d/n with no host bits)',
    ]);
    expect(problemsFor((e) => (e.network = { vpcCidr: '10.0.0.1/16' }))).toEqual([
      'prod.network.vpcCidr: "10.0.0.1/16" is not an IPv4 network CIDR (a.b.c.d/n with no host bits)',
    ]);
  });

  it('network: generated subnets that do not fit the VPC', () => {
    expect(problemsFor((e) => (e.network = { vpcCidr: '10.30.0.0/23' }))).toEqual([
      'prod.network.subnetPrefixLength: 3 public + 3 private /24 subnets do not fit in VPC 10.30.0.0/23',
    ]);
  });

  it('network: explicit subnets outside the VPC, overlapping, or too few', () => {
    const problems = problemsFor((e) => {
      e.network = {
        vpcCidr: '10.30.0.0/16',
        publicSubnets: ['10.99.0.0/24', '10.30.1.0/24', '10.30.2.0/24'],
        privateSubnets: ['10.30.1.0/24', '10.30.11.0/24'],
      };
    });
    expect(problems).toEqual([
      'prod.network.publicSubnets[0]: 10.99.0.0/24 does not fit in VPC 10.30.0.0/16',
      'prod.network.privateSubnets: has 2 subnets for 3 availability zones',
      'prod.network.privateSubnets[0]: 10.30.1.0/24 overlaps 10.30.1.0/24 (network.publicSubnets.1)',
    ]);
  });

  it('network: fewer than 2 AZs', () => {
    expect(problemsFor((e) => (e.availabilityZones = ['ap-northeast-2a']))).toEqual([
      'prod.availabilityZones: needs at least 2 AZs, got 1',
    ]);
  });

  it('network: an AZ outside the region', () => {
    expect(problemsFor((e) => (e.availabilityZones = ['ap-northeast-2a', 'us-east-1b', 'ap-northeast-2c']))).toEqual([
      'prod.availabilityZones[1]: us-east-1b is not an availability zone of ap-northeast-2',
    ]);
  });

  it('schedules: malformed cron', () => {
    const problems = problemsFor((e) => {
      e.scaling = { schedules: [{ name: 'night', recurrence: '0 25 * * *', minSize: 0 }] };
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^prod\.scaling\.schedules\[0\]\.recurrence: "0 25 \* \* \*" is not a valid cron expression: /);

    expect(problemsFor((e) => (e.scaling = { schedules: [{ name: 'night', recurrence: '0 0 * *', minSize: 0 }] }))).toEqual([
      'prod.scaling.schedules[0].recurrence: "0 0 * *" is not a valid cron expression: has 4 fields, needs 5 (minute hour day-of-month month day-of-week)',
    ]);
  });

  it('schedules: malformed time zone', () => {
    const problems = problemsFor((e) => {
      e.scaling = { schedules: [{ name: 'night', recurrence: '0 20 * * 1-5', timeZone: 'Asia/Nowhere', minSize: 0 }] };
    });
    expect(problems).toEqual(['prod.scaling.schedules[0].timeZone: "Asia/Nowhere" is not an IANA time zone']);
  });

  it('CPU target outside 1–100', () => {
    expect(problemsFor((e) => (e.scaling = { cpuTarget: 150 }))).toEqual(['prod.scaling.cpuTarget: 150 is outside 1–100']);
    expect(problemsFor((e) => (e.scaling = { cpuTarget: 0 }))).toEqual(['prod.scaling.cpuTarget: 0 is outside 1–100']);
  });

  it('duplicate environment names', () => {
    const copy = structuredClone(prod);
    expect(problemsFor(() => undefined, [{ file: 'prod-copy.ts', data: copy }])).toEqual([
      'environments: duplicate environment name "prod" in prod.ts and prod-copy.ts',
    ]);
  });

  it('step policies with gaps are rejected', () => {
    const problems = problemsFor((e) => {
      e.scaling = {
        stepPolicies: [{ name: 'burst', threshold: 80, steps: [{ lower: 0, upper: 10, adjustment: 1 }, { lower: 20, adjustment: 3 }] }],
      };
    });
    expect(problems).toEqual(['prod.scaling.stepPolicies[0].steps: steps must be contiguous: one ends at 10, the next starts at 20']);
  });

  it('unknown fields are named, so typos do not silently fall back to defaults', () => {
    const problems = problemsFor((e) => Object.assign(e, { capacty: { minSize: 1 } }));
    expect(problems).toEqual(['prod.capacty: unknown field']);
  });

  it('every problem is reported at once', () => {
    const problems = problemsFor((e) => {
      withoutStandby(e);
      e.capacity = { minSize: 5, maxSize: 3 };
      e.network = { vpcCidr: 'not-a-cidr' };
      e.scaling = { cpuTarget: 101, schedules: [{ name: 'night', recurrence: 'nope', timeZone: 'Mars/Olympus', minSize: 1 }] };
    });
    expect(problems).toEqual([
      'prod.network.vpcCidr: "not-a-cidr" is not an IPv4 network CIDR (a.b.c.d/n with no host bits)',
      'prod.scaling.cpuTarget: 101 is outside 1–100',
      'prod.scaling.schedules[0].recurrence: "nope" is not a valid cron expression: has 1 fields, needs 5 (minute hour day-of-month month day-of-week)',
      'prod.scaling.schedules[0].timeZone: "Mars/Olympus" is not an IANA time zone',
      'prod.capacity: minSize 5 > maxSize 3',
    ]);
  });
});

describe('bad DNS and failover input', () => {
  it('a domain outside the zone', () => {
    expect(problemsFor((e) => (e.dns = { ...e.dns!, domain: 'app.example.org' }))).toEqual([
      'prod.dns.domain: app.example.org is not inside zone example.com',
    ]);
  });

  it('a standby region equal to the primary', () => {
    const problems = problemsFor((e) => {
      e.dns = {
        ...e.dns!,
        failover: { kind: 'standby-region', region: 'ap-northeast-2', availabilityZones: ['ap-northeast-2a', 'ap-northeast-2c'], vpcCidr: '10.31.0.0/16', capacity: { maxSize: 4 } },
      };
    });
    expect(problems).toEqual(['prod.dns.failover.region: ap-northeast-2 is the primary region; the standby must be in another']);
  });

  it('a standby larger than the primary', () => {
    const problems = problemsFor((e) => {
      e.dns = {
        ...e.dns!,
        failover: { kind: 'standby-region', region: 'ap-northeast-1', availabilityZones: ['ap-northeast-1a', 'ap-northeast-1c'], vpcCidr: '10.31.0.0/16', capacity: { minSize: 3, maxSize: 40 } },
      };
    });
    expect(problems).toEqual([
      'prod.dns.failover.capacity: standby maxSize 40 > primary maxSize 30',
      'prod.dns.failover.capacity: standby minSize 3 > primary minSize 2',
    ]);
  });

  it('failover without a health check', () => {
    expect(problemsFor((e) => (e.dns = { ...e.dns!, healthCheck: false }))).toEqual([
      'prod.dns.healthCheck: failover to a standby-region needs a health check on the primary',
    ]);
  });

  it('standby AZs outside the standby region', () => {
    const problems = problemsFor((e) => {
      e.dns = {
        ...e.dns!,
        failover: { kind: 'standby-region', region: 'ap-northeast-1', availabilityZones: ['ap-northeast-1a', 'ap-northeast-2c'], vpcCidr: '10.31.0.0/16', capacity: { maxSize: 4 } },
      };
    });
    expect(problems).toEqual(['prod.dns.failover.availabilityZones[1]: ap-northeast-2c is not an availability zone of ap-northeast-1']);
  });

  it('fewer than 3 health-checker regions', () => {
    expect(problemsFor((e) => (e.dns = { ...e.dns!, healthCheck: { regions: ['us-east-1', 'eu-west-1'] } }))).toEqual([
      'prod.dns.healthCheck.regions: Route 53 needs at least 3 checker regions',
    ]);
  });

  it('no certificate and no DNS to issue one', () => {
    expect(problemsFor((e) => (e.dns = undefined))).toEqual(['prod.certificateArn: is required unless dns is configured (ACM then issues one)']);
  });
});

describe('synth with a bad environment', () => {
  it.skipIf(UNDER_MUTATION)('exits non-zero, prints every problem and writes nothing', () => {
    const envDir = mkdtempSync(join(tmpdir(), 'bad-envs-'));
    const outdir = join(mkdtempSync(join(tmpdir(), 'bad-out-')), 'cdktf.out');
    const bad = { ...structuredClone(prod), capacity: { minSize: 5, maxSize: 3 } };
    writeFileSync(join(envDir, 'prod.ts'), `export default ${JSON.stringify(bad)};\n`);
    writeFileSync(join(envDir, 'other.ts'), `export default ${JSON.stringify({ ...bad, name: 'qa', scaling: { cpuTarget: 0 } })};\n`);

    const result = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'main.ts'], {
      cwd: ROOT,
      env: { ...process.env, ENVIRONMENTS_DIR: envDir, CDKTF_OUTDIR: outdir },
      encoding: 'utf8',
    });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('prod.capacity: minSize 5 > maxSize 3');
    expect(result.stderr).toContain('qa.scaling.cpuTarget: 0 is outside 1–100');
    expect(result.stderr).toContain('qa.capacity: minSize 5 > maxSize 3');
    expect(existsSync(outdir)).toBe(false);
  });
});
