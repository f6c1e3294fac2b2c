import { defineEnvironment } from '../environments/schema';

/**
 * The guide's case study, before (its section 7, "Before: static
 * infrastructure"): ten m5.xlarge web servers on demand around the clock, five
 * m5.2xlarge batch servers on demand around the clock, an RDS db.r5.xlarge
 * Multi-AZ, two NAT gateways and an ALB, in us-east-1 (the region of the
 * guide's prices). `npm run cost -- --guide` prices this file against
 * examples/guide-after.ts and prints each row beside the guide's figure.
 */
export default defineEnvironment({
  project: 'shop',
  name: 'before',
  production: true,
  account: '456789012345',
  region: 'us-east-1',
  availabilityZones: ['us-east-1a', 'us-east-1b'],
  // "NAT Gateway x 2": one per AZ.
  network: { vpcCidr: '10.40.0.0/16', natMode: 'per-az' },
  // "EC2 m5.xlarge x 10 (on demand, 24/7)": a group pinned at ten, all on demand.
  instanceTypes: [{ type: 'm5.xlarge', weight: 1 }],
  capacity: { minSize: 10, maxSize: 10, desiredCapacity: 10 },
  instancesDistribution: { onDemandBaseCapacity: 10, onDemandPercentageAboveBaseCapacity: 100 },
  certificateArn: 'arn:aws:acm:us-east-1:456789012345:certificate/1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b',
  scaling: { cpuTarget: 70 },
  // "RDS db.r5.xlarge Multi-AZ": a writer and a reader in the other AZ to fail over to.
  database: { instances: 2, instanceClass: 'db.r5.xlarge' },
  // "EC2 m5.2xlarge x 5 (batch servers, 24/7)": a steady fleet of five, every one on demand.
  batch: {
    runner: 'spot-fleet',
    instanceTypes: ['m5.2xlarge'],
    fleet: { targetCapacity: 5, onDemandTargetCapacity: 5 },
    // A steady worker: the fleet's INPUT_URI and OUTPUT_URI are the prefixes; the service restarts it when it exits.
    commands: ['aws s3 sync "$INPUT_URI" /var/batch/in', '/opt/shop/bin/process-all /var/batch/in /var/batch/out', 'aws s3 sync /var/batch/out "$OUTPUT_URI"', 'sleep 60'],
  },
  monitoring: { alerts: [{ protocol: 'email', endpoint: 'platform@example.com' }] },
  costTags: { CostCenter: 'commerce', Team: 'platform' },
});
