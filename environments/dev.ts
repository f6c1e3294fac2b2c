import { defineEnvironment } from './schema';

/**
 * Dev: two AZs, one NAT, all Spot, asleep at night and at weekends (Seoul
 * time), in a zone of its own with a plain alias record.
 */
export default defineEnvironment({
  project: 'web-app',
  name: 'dev',
  account: '123456789012',
  region: 'ap-northeast-2',
  availabilityZones: ['ap-northeast-2a', 'ap-northeast-2c'],
  network: { vpcCidr: '10.10.0.0/16', natMode: 'single' },
  capacity: { minSize: 1, maxSize: 4, desiredCapacity: 1 },
  instancesDistribution: {
    onDemandBaseCapacity: 0,
    onDemandPercentageAboveBaseCapacity: 0,
    spotAllocationStrategy: 'price-capacity-optimized',
  },
  certificateArn: 'arn:aws:acm:ap-northeast-2:123456789012:certificate/9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c63',
  dns: { domain: 'app.dev.example.com', zone: { name: 'dev.example.com' }, healthCheck: false },
  scaling: {
    cpuTarget: 70,
    schedules: [
      { name: 'wake-weekdays', recurrence: '0 8 * * 1-5', timeZone: 'Asia/Seoul', minSize: 1, maxSize: 4, desiredCapacity: 1 },
      { name: 'sleep-nights', recurrence: '0 20 * * 1-5', timeZone: 'Asia/Seoul', minSize: 0, maxSize: 2, desiredCapacity: 0 },
      { name: 'sleep-weekends', recurrence: '0 0 * * 6', timeZone: 'Asia/Seoul', minSize: 0, maxSize: 2, desiredCapacity: 0 },
    ],
  },
  flowLogs: { enabled: false },
  monitoring: { alerts: [{ protocol: 'email', endpoint: 'platform-dev@example.com' }] },
  securityExceptions: [
    {
      rule: 'CKV2_AWS_11',
      resource: 'primary/network/vpc',
      reason: 'dev holds no customer data; flow logs are off to save their ingestion cost',
    },
    {
      rule: 'CKV_AWS_150',
      resource: 'primary/load-balancer/alb',
      reason: 'dev is torn down and rebuilt freely; deletion protection would only stop its own teardown',
    },
  ],
  deletionProtection: false,
  costTags: { CostCenter: 'engineering', Team: 'platform' },
});
