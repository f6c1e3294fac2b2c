import { defineEnvironment } from '../environments/schema';

/**
 * The guide's case study, after (its section 7, "After: dynamic
 * infrastructure"): the web tier an Auto Scaling group of two on-demand
 * instances plus Spot, scaled down at night and at weekends; batch work on
 * Spot only when an object arrives; one NAT gateway. The database is the same
 * db.r5.xlarge pair: the guide's "RDS → Savings Plan" is a purchase, not
 * infrastructure, so `npm run cost -- --guide` applies the price table's
 * commitment rate (data/prices.json, auroraReservedDiscount) to it.
 */
export default defineEnvironment({
  project: 'shop',
  name: 'after',
  production: true,
  account: '456789012345',
  region: 'us-east-1',
  availabilityZones: ['us-east-1a', 'us-east-1b'],
  // "NAT Gateway optimization": one gateway for both AZs.
  network: { vpcCidr: '10.40.0.0/16', natMode: 'single' },
  // "Web servers x 10 → ASG (2 on demand + Spot)": the first type on demand, Spot diversified over both.
  instanceTypes: [
    { type: 'm5.xlarge', weight: 1 },
    { type: 'm5a.xlarge', weight: 1 },
  ],
  capacity: { minSize: 2, maxSize: 10, desiredCapacity: 4 },
  instancesDistribution: { onDemandBaseCapacity: 2, onDemandPercentageAboveBaseCapacity: 0, spotAllocationStrategy: 'capacity-optimized' },
  certificateArn: 'arn:aws:acm:us-east-1:456789012345:certificate/1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b',
  scaling: {
    cpuTarget: 70,
    // "Schedule scaling (nights and weekends)": the guide's three actions, in the region's local time.
    schedules: [
      { name: 'business-hours', recurrence: '0 9 * * 1-5', timeZone: 'America/New_York', minSize: 4, maxSize: 10, desiredCapacity: 4 },
      { name: 'nights', recurrence: '0 18 * * 1-5', timeZone: 'America/New_York', minSize: 2, maxSize: 10, desiredCapacity: 2 },
      { name: 'weekends', recurrence: '0 0 * * 6', timeZone: 'America/New_York', minSize: 1, maxSize: 5, desiredCapacity: 1 },
    ],
  },
  database: { instances: 2, instanceClass: 'db.r5.xlarge' },
  // "Batch servers → Spot Fleet (only when needed)": one Spot instance per object, launched by Step Functions.
  batch: {
    runner: 'workflow',
    instanceTypes: ['m5.2xlarge', 'm5a.2xlarge', 'm6i.2xlarge'],
    commands: ['aws s3 cp "$INPUT_URI" /tmp/input', '/opt/shop/bin/process /tmp/input /tmp/output', 'aws s3 cp /tmp/output "$OUTPUT_URI"'],
    // Cost inputs: the before fleet's 120 server-hours a day, a third of them busy (40 instance-hours of work a day).
    expected: { jobsPerDay: 120, minutesPerJob: 20, storedGiB: 100 },
  },
  monitoring: { alerts: [{ protocol: 'email', endpoint: 'platform@example.com' }] },
  costTags: { CostCenter: 'commerce', Team: 'platform' },
});
