import { defineEnvironment } from './schema';

/**
 * Staging: prod's shape at a third of the size. Predictive scaling runs
 * ForecastOnly so forecasts can be checked before prod relies on them;
 * a step policy adds capacity fast on sharp CPU spikes. When it is down,
 * Route 53 sends users to a maintenance page.
 */
export default defineEnvironment({
  project: 'web-app',
  name: 'staging',
  account: '123456789012',
  region: 'ap-northeast-2',
  availabilityZones: ['ap-northeast-2a', 'ap-northeast-2c'],
  network: { vpcCidr: '10.20.0.0/16', natMode: 'single' },
  capacity: { minSize: 1, maxSize: 10, desiredCapacity: 2 },
  instancesDistribution: {
    onDemandBaseCapacity: 1,
    onDemandPercentageAboveBaseCapacity: 20,
    spotAllocationStrategy: 'capacity-optimized',
  },
  dns: {
    domain: 'staging.example.com',
    zone: { name: 'example.com', id: 'Z0123456789EXAMPLE01' },
    failover: { kind: 'maintenance-site', message: 'Staging is being redeployed and will be back in a few minutes.' },
  },
  scaling: {
    cpuTarget: 70,
    requestsPerTarget: 1000,
    predictive: { mode: 'ForecastOnly', schedulingBufferTime: 300 },
    stepPolicies: [
      {
        name: 'cpu-burst',
        metric: 'cpu',
        threshold: 80,
        comparison: 'above',
        steps: [
          { lower: 0, upper: 10, adjustment: 1 },
          { lower: 10, upper: 20, adjustment: 3 },
          { lower: 20, adjustment: 5 },
        ],
      },
    ],
    simplePolicies: [
      { name: 'cpu-idle', metric: 'cpu', threshold: 20, comparison: 'below', evaluationPeriods: 5, adjustment: -1, cooldown: 300 },
    ],
  },
  // The guide's Fargate service: /api/* on two on-demand tasks, then mostly Spot, 2–10 tasks.
  containerService: {
    image: 'public.ecr.aws/nginx/nginx:1.27-alpine',
    cpu: 256,
    memory: 512,
    containerPort: 80,
    // nginx writes its cache and pid beside the read-only root.
    writablePaths: ['/var/cache/nginx', '/var/run', '/tmp'],
    healthCheck: { path: '/' },
    listenerRule: { priority: 100, pathPatterns: ['/api/*'] },
    minTasks: 2,
    maxTasks: 10,
    requestsPerTarget: 1000,
  },
  flowLogs: { enabled: true, retentionDays: 30 },
  // The data tier at staging's size: a writer and a reader (two AZs) on burstable Graviton, about a quarter of db.r6g.large.
  database: { instanceClass: 'db.t4g.medium' },
  monitoring: { alerts: [{ protocol: 'email', endpoint: 'platform@example.com' }] },
  // Game day: FIS interrupts two Spot instances; the 5xx alarm stops it.
  resilience: { chaos: { instances: 2, warning: 'PT2M' } },
  // The guide's serverless API: /fn/* on the ALB goes to a Lambda; two warm environments in Seoul business hours, none at night.
  serverlessApi: {
    listenerRule: { priority: 200, pathPatterns: ['/fn/*'] },
    reservedConcurrency: 20,
    provisionedSchedules: [
      { name: 'business-hours', recurrence: '0 9 * * 1-5', timeZone: 'Asia/Seoul', provisionedConcurrency: 2 },
      { name: 'after-hours', recurrence: '0 18 * * 1-5', timeZone: 'Asia/Seoul', provisionedConcurrency: 0 },
    ],
  },
  // The guide's batch servers on Spot, only when there is work: each access log landing under incoming/ gets one
  // Spot instance that counts its status codes into processed/, then is terminated.
  batch: {
    runner: 'workflow',
    commands: [
      'WORK="$(mktemp -d)"',
      'aws s3 cp "$INPUT_URI" "$WORK/access.log.gz"',
      "zcat \"$WORK/access.log.gz\" | awk '{ print $9 }' | sort | uniq -c | sort -rn > \"$WORK/status-counts.txt\"",
      'aws s3 cp "$WORK/status-counts.txt" "${OUTPUT_URI%.gz}.status-counts.txt"',
    ],
    maxRunMinutes: 30,
    expected: { jobsPerDay: 48, minutesPerJob: 10, storedGiB: 20 },
  },
  securityExceptions: [
    {
      rule: 'CKV_AWS_150',
      resource: 'primary/load-balancer/alb',
      reason: 'staging holds no customer data and is rebuilt from code; a deleted ALB costs a redeploy, and teardown stays one step',
    },
    {
      rule: 'CKV_AWS_338',
      resource: 'primary/network/flow-log-group',
      reason: 'staging carries test traffic only; 30 days of flow logs covers debugging, and a year would keep twelve times the log storage for nothing',
    },
    {
      rule: 'CKV_AWS_139',
      resource: 'primary/database/cluster',
      reason: 'staging data is test data, re-seeded from code; the database is protected (deletion protection, final snapshot) where production: true',
    },
  ],
  deletionProtection: false,
  costTags: { CostCenter: 'engineering', Team: 'platform' },
});
