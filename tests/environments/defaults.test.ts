/**
 * Every default the schema applies, pinned on a minimal environment that
 * sets none of them (prod.ts sets most values itself, so it proves nothing
 * about defaults). A changed default fails here by name, not in a snapshot.
 */
import { describe, expect, it } from 'vitest';
import { validateEnvironments } from '../../environments/load';
import type { EnvironmentInput, EnvironmentSpec } from '../../environments/schema';

const MINIMAL: EnvironmentInput = {
  project: 'shop',
  name: 'min',
  account: '123456789012',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  network: { vpcCidr: '10.0.0.0/16' },
  certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
  costTags: { CostCenter: 'cc', Team: 't' },
};

function parse(extra: Partial<EnvironmentInput> = {}): EnvironmentSpec {
  const [spec] = validateEnvironments([{ file: 'min.ts', data: { ...MINIMAL, ...extra } }]);
  return spec!;
}

describe('defaults of a minimal environment', () => {
  it('every section, as the guide sets them', () => {
    const { app, ...spec } = parse();
    expect(spec).toEqual({
      ...MINIMAL,
      production: false,
      // natMode and subnetPrefixLength stay unset, so a brought VPC can refuse them by name; the module applies single and /24.
      network: { vpcCidr: '10.0.0.0/16', s3GatewayEndpoint: true, interfaceEndpoints: [] },
      instanceTypes: [
        { type: 't3.medium', weight: 1 },
        { type: 't3a.medium', weight: 1 },
        { type: 'm5.large', weight: 2 },
        { type: 'm5a.large', weight: 2 },
      ],
      capacity: { minSize: 2, maxSize: 30 },
      instancesDistribution: { onDemandBaseCapacity: 2, onDemandPercentageAboveBaseCapacity: 20, spotAllocationStrategy: 'capacity-optimized' },
      instances: {
        iam: { managedPolicyArns: [], statements: [] },
        securityGroupIds: [],
        egress: [],
        egressPorts: [443],
        // No automatic rollback: AWS cannot roll back to an image named by an SSM parameter, which the default image is.
        instanceRefresh: { minHealthyPercentage: 80, skipMatching: true, checkpointPercentages: [], autoRollback: false, rollbackOnAlarm: false },
        terminationPolicies: ['Default'],
      },
      loadBalancer: {
        ingressCidrs: ['0.0.0.0/0'],
        accessLogRetentionDays: 90,
        webAcl: true,
        internal: false,
        certificateArns: [],
        targetGroup: { deregistrationDelay: 30, healthCheck: { matcher: '200', interval: 15, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3 } },
        targetGroups: [],
        listenerRules: [],
      },
      scaling: { cpuTarget: 70, stepPolicies: [], simplePolicies: [], schedules: [], customTargets: [] },
      flowLogs: { enabled: true, retentionDays: 365 },
      deletionProtection: true,
      monitoring: { alerts: [], critical: [], cpuHighPercent: 85, errorRatePercent: 5, p95ResponseSeconds: 1, spotInterruptionsPer5Minutes: 3, logRetentionDays: 365 },
      resilience: {
        spotInterruptionHandler: { enabled: true, reservedConcurrency: 2 },
        lifecycleHooks: { enabled: true, launchHeartbeatSeconds: 600, terminateHeartbeatSeconds: 300 },
      },
      // No permissions boundary, and the account root administers the keys.
      security: {},
      securityExceptions: [],
      // The caller's own credentials, state in the shared S3 bucket, and only the cost tags.
      state: { kind: 's3' },
      tags: {},
    });
    expect(app).toEqual({
      port: 80,
      healthPath: '/health',
      userData: '#!/bin/bash\nset -euo pipefail\ndnf install -y httpd\necho ok > /var/www/html/health\nsystemctl enable --now httpd\n',
      imageId: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    });
  });

  it('predictive scaling: ForecastAndScale on CPU, 300 s ahead, within max capacity', () => {
    expect(parse({ scaling: { predictive: {} } }).scaling.predictive).toEqual({
      mode: 'ForecastAndScale',
      schedulingBufferTime: 300,
      maxCapacityBreachBehavior: 'HonorMaxCapacity',
      metric: 'cpu',
    });
  });

  it('step, simple and scheduled policies', () => {
    const { scaling } = parse({
      scaling: {
        stepPolicies: [{ name: 'spike', threshold: 80, steps: [{ lower: 0, adjustment: 1 }] }],
        simplePolicies: [{ name: 'peak', threshold: 90, adjustment: 2 }],
        schedules: [{ name: 'night', recurrence: '0 20 * * *', minSize: 1 }],
      },
    });
    expect(scaling.stepPolicies).toEqual([
      { name: 'spike', threshold: 80, steps: [{ lower: 0, adjustment: 1 }], metric: 'cpu', comparison: 'above', evaluationPeriods: 2, period: 60, adjustmentType: 'ChangeInCapacity' },
    ]);
    // The guide's simple policy: 2 × 120 s periods, then a 300 s cooldown.
    expect(scaling.simplePolicies).toEqual([
      { name: 'peak', threshold: 90, adjustment: 2, metric: 'cpu', comparison: 'above', evaluationPeriods: 2, period: 120, adjustmentType: 'ChangeInCapacity', cooldown: 300 },
    ]);
    expect(scaling.schedules).toEqual([{ name: 'night', recurrence: '0 20 * * *', minSize: 1, timeZone: 'Etc/UTC' }]);
  });

  it('DNS: an HTTPS /health check every 10 s, 3 failures, from three checker regions; a standby of one on-demand instance', () => {
    const { dns } = parse({
      certificateArn: undefined,
      dns: {
        domain: 'min.example.com',
        zone: { name: 'example.com' },
        failover: { kind: 'standby-region', region: 'eu-central-1', availabilityZones: ['eu-central-1a', 'eu-central-1b'], vpcCidr: '10.1.0.0/16', capacity: { maxSize: 2 } },
      },
    });
    expect(dns).toEqual({
      domain: 'min.example.com',
      zone: { name: 'example.com' },
      healthCheck: { path: '/health', failureThreshold: 3, requestInterval: 10, regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'] },
      failover: {
        kind: 'standby-region',
        region: 'eu-central-1',
        availabilityZones: ['eu-central-1a', 'eu-central-1b'],
        vpcCidr: '10.1.0.0/16',
        natMode: 'single',
        capacity: { minSize: 1, maxSize: 2 },
        instancesDistribution: { onDemandBaseCapacity: 1, onDemandPercentageAboveBaseCapacity: 0, spotAllocationStrategy: 'capacity-optimized' },
      },
      alarmEmails: [],
    });
  });

  it('chaos: two Spot instances, two minutes of warning', () => {
    expect(parse({ resilience: { chaos: {} } }).resilience.chaos).toEqual({ instances: 2, warning: 'PT2M' });
  });
});
