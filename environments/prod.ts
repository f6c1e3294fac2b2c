import { defineEnvironment } from './schema';

/**
 * Production: three AZs, NAT per AZ, the seed's mixed fleet, forecast-driven
 * scaling, and a warm standby in Tokyo that Route 53 fails over to.
 */
export default defineEnvironment({
  project: 'web-app',
  name: 'prod',
  production: true,
  // An account of its own: dev and staging credentials, roles and mistakes cannot reach it (docs/accounts.md).
  account: '210987654321',
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
  // A refresh that raises the 5xx alarm stops there instead of replacing the rest of the fleet.
  instances: { instanceRefresh: { rollbackOnAlarm: true } },
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
      // The PagerDuty integration URL is a credential: it lives in Parameter Store (SecureString), not here.
      { protocol: 'https', endpointParameter: '/web-app/prod/pagerduty-url' },
    ],
    p95ResponseSeconds: 0.8,
  },
  securityExceptions: [
  ],
  deletionProtection: true,
  // Created by the account baseline, before the first deploy: every role the stack creates stays inside it.
  security: { permissionsBoundaryArn: 'arn:aws:iam::210987654321:policy/web-app-workload-boundary' },
  costTags: { CostCenter: 'engineering', Team: 'platform' },
});
