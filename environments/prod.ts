import { defineEnvironment } from './schema';

/** Production: three AZs, NAT per AZ, the seed's mixed fleet, forecast-driven scaling. */
export default defineEnvironment({
  project: 'web-app',
  name: 'prod',
  region: 'ap-northeast-2',
  availabilityZones: ['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c'],
  network: { vpcCidr: '10.30.0.0/16', natMode: 'per-az' },
  instanceTypes: [
    { type: 't3.medium', weight: 1 },
    { type: 't3a.medium', weight: 1 },
    { type: 'm5.large', weight: 2 },
    { type: 'm5a.large', weight: 2 },
  ],
  capacity: { minSize: 2, maxSize: 30, desiredCapacity: 4 },
  mixedInstances: {
    onDemandBaseCapacity: 2,
    onDemandPercentageAboveBaseCapacity: 20,
    spotAllocationStrategy: 'capacity-optimized',
  },
  app: { port: 80, healthPath: '/health' },
  certificateArn: 'arn:aws:acm:ap-northeast-2:123456789012:certificate/3f1c2b9e-8d4a-4c7b-9e2f-5a6b7c8d9e01',
  scaling: {
    cpuTarget: 70,
    requestsPerTarget: 1000,
    predictive: { mode: 'ForecastAndScale', schedulingBufferTime: 300, maxCapacityBreachBehavior: 'HonorMaxCapacity' },
  },
  flowLogs: { enabled: true, retentionDays: 365 },
  deletionProtection: true,
  costTags: { CostCenter: 'engineering', Team: 'platform' },
});
