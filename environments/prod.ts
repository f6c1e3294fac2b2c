import { defineEnvironment } from './schema';

/**
 * Production: three AZs, NAT per AZ, the seed's mixed fleet, forecast-driven
 * scaling, and a warm standby in Tokyo that Route 53 fails over to.
 */
export default defineEnvironment({
  project: 'web-app',
  name: 'prod',
  production: true,
  account: '123456789012',
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
  instancesDistribution: {
    onDemandBaseCapacity: 2,
    onDemandPercentageAboveBaseCapacity: 20,
    spotAllocationStrategy: 'capacity-optimized',
  },
  app: { port: 80, healthPath: '/health' },
  dns: {
    domain: 'app.example.com',
    zone: { name: 'example.com', id: 'Z0123456789EXAMPLE01' },
    healthCheck: { path: '/health', failureThreshold: 3, requestInterval: 10 },
    failover: {
      kind: 'standby-region',
      region: 'ap-northeast-1',
      availabilityZones: ['ap-northeast-1a', 'ap-northeast-1c'],
      vpcCidr: '10.31.0.0/16',
      capacity: { minSize: 1, maxSize: 10 },
    },
    alarmEmails: ['oncall@example.com'],
  },
  scaling: {
    cpuTarget: 70,
    requestsPerTarget: 1000,
    predictive: { mode: 'ForecastAndScale', schedulingBufferTime: 300, maxCapacityBreachBehavior: 'HonorMaxCapacity' },
  },
  flowLogs: { enabled: true, retentionDays: 365 },
  monitoring: {
    alerts: [{ protocol: 'email', endpoint: 'platform@example.com' }],
    critical: [
      { protocol: 'email', endpoint: 'oncall@example.com' },
      { protocol: 'https', endpoint: 'https://events.pagerduty.com/integration/REPLACE_ME/enqueue' },
    ],
    p95ResponseSeconds: 0.8,
  },
  deletionProtection: true,
  costTags: { CostCenter: 'engineering', Team: 'platform' },
});
