import { defineEnvironment } from '../environments/schema';

/**
 * A worked example: the production environment of an internal "orders"
 * service, as a platform team would write it for an application team. It
 * lives in a VPC the network team owns, serves a back-office UI and a private
 * API by host name behind a web ACL, reads its own secrets, talks to its
 * PostgreSQL database, and is deployed into a production account of its own
 * through a role. Copy it into environments/ and change what docs/your-app.md
 * lists; every field not given keeps its secure default (docs/environments.md).
 */
export default defineEnvironment({
  project: 'orders',
  name: 'prod',
  // Production rules of the security pack (ALB deletion protection, waiver reasons) apply.
  production: true,
  // The service's own production account: no other team's credentials or mistakes reach it.
  account: '345678901234',
  region: 'ap-northeast-2',
  availabilityZones: ['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c'],

  // Every provider deploys through this role of the production account, and accepts no other account.
  deployRole: {
    roleArn: 'arn:aws:iam::345678901234:role/orders-prod-deploy',
    // CloudTrail shows it as who made each change.
    sessionName: 'orders-prod-release',
    // The role's trust policy demands it of the platform's CI account: no confused deputy.
    externalId: 'orders-prod-deploy-7Qm2xK',
  },
  // State stays in the shared state account; the backend reaches it through a role there.
  state: { kind: 's3', roleArn: 'arn:aws:iam::123456789012:role/orders-prod-state' },
  // Free-form tags on every resource, beside the cost tags below.
  tags: { Service: 'orders', DataClassification: 'confidential', OnCall: 'orders-oncall' },

  network: {
    // The network team's VPC: the stack builds no VPC, subnets, NAT or routes, it only places its resources in them.
    existing: {
      vpcId: 'vpc-0a1b2c3d4e5f67890',
      // One subnet per AZ, in availabilityZones order.
      publicSubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002', 'subnet-0a1b2c3d4e5f60003'],
      privateSubnetIds: ['subnet-0a1b2c3d4e5f61001', 'subnet-0a1b2c3d4e5f61002', 'subnet-0a1b2c3d4e5f61003'],
      // The private subnets' route tables: this VPC has no S3 endpoint yet, so the stack adds one there.
      privateRouteTableIds: ['rtb-0a1b2c3d4e5f62001', 'rtb-0a1b2c3d4e5f62002', 'rtb-0a1b2c3d4e5f62003'],
    },
    // Session Manager and the log agent reach AWS without crossing the shared NAT.
    interfaceEndpoints: ['ssm', 'ssmmessages', 'ec2messages', 'logs'],
    // S3 through the endpoint reaches this account's buckets and the OS repositories only: nothing leaves for a stranger's bucket.
    s3EndpointPolicy: {
      statements: [
        {
          sid: 'OwnAccountBuckets',
          actions: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
          resources: ['*'],
          conditions: [{ test: 'StringEquals', variable: 'aws:ResourceAccount', values: ['345678901234'] }],
        },
        { sid: 'AmazonLinuxRepositories', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::al2023-repos-ap-northeast-2-de612dc2/*'] },
      ],
    },
  },

  // Three families of one size, weighted by vCPUs: more Spot pools to draw from, one capacity unit per vCPU.
  instanceTypes: [
    { type: 'm6i.large', weight: 2 },
    { type: 'm5.large', weight: 2 },
    { type: 'm6a.large', weight: 2 },
  ],
  // At least two instances (two units each) in two AZs: one AZ can go and the service still answers.
  capacity: { minSize: 4, maxSize: 24, desiredCapacity: 6 },
  // Orders are not interruptible work: mostly on demand, Spot only above a base of four units.
  instancesDistribution: { onDemandBaseCapacity: 4, onDemandPercentageAboveBaseCapacity: 50, spotAllocationStrategy: 'price-capacity-optimized' },

  app: {
    // The back-office UI; the API listens on 8081 (loadBalancer.targetGroups).
    port: 8080,
    healthPath: '/health',
    // The release image, by ID: the image pipeline bumps it in a pull request, so every release is a reviewed, revertible change.
    imageId: 'ami-0c1d2e3f4a5b60718',
    userData: ['#!/bin/bash', 'set -euo pipefail', 'systemctl enable --now orders-web orders-api', ''].join('\n'),
  },

  instances: {
    iam: {
      // The CloudWatch agent ships the app's logs and the in-flight metric scaling reads.
      managedPolicyArns: ['arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy'],
      statements: [
        {
          sid: 'ReadOwnSecrets',
          actions: ['secretsmanager:GetSecretValue'],
          // Its own secrets only: names under orders/prod/ (the * also covers the random suffix Secrets Manager appends).
          resources: ['arn:aws:secretsmanager:ap-northeast-2:345678901234:secret:orders/prod/*'],
        },
        {
          sid: 'DecryptOwnSecrets',
          actions: ['kms:Decrypt'],
          resources: ['arn:aws:kms:ap-northeast-2:345678901234:key/6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f'],
          // The key decrypts for Secrets Manager only, never for a direct call.
          conditions: [{ test: 'StringEquals', variable: 'kms:ViaService', values: ['secretsmanager.ap-northeast-2.amazonaws.com'] }],
        },
      ],
      // The instance role gets a narrower boundary than the stack's other roles.
      permissionsBoundaryArn: 'arn:aws:iam::345678901234:policy/orders-instance-boundary',
    },
    // The platform's monitoring group, which the Prometheus scrapers are allowed from.
    securityGroupIds: ['sg-0b1c2d3e4f5a60718'],
    // PostgreSQL to the database's own security group, nothing wider.
    egress: [{ description: 'PostgreSQL on the orders database', protocol: 'tcp', fromPort: 5432, securityGroupId: 'sg-0d1e2f3a4b5c60718' }],
    // HTTPS out (package mirrors, AWS APIs without an endpoint); nothing else to anywhere.
    egressPorts: [443],
    instanceRefresh: {
      minHealthyPercentage: 90,
      skipMatching: true,
      instanceWarmup: 180,
      // A release reaches a quarter of the fleet, then half, and waits ten minutes at each step.
      checkpointPercentages: [25, 50, 100],
      checkpointDelay: 600,
      // The 5xx alarm stops a bad release where it stands (the instances not yet replaced keep the old template).
      rollbackOnAlarm: true,
      // Off: provider 5.100 saves the new template on the group before refreshing, so AWS would "roll back" to it (hashicorp/terraform-provider-aws#34189).
      autoRollback: false,
    },
    // Replacements launch before the old instances go: capacity never drops below what serves today.
    instanceMaintenancePolicy: { minHealthyPercentage: 100, maxHealthyPercentage: 150 },
    // Scale-in removes instances of an old release first, then keeps the Spot/on-demand balance.
    terminationPolicies: ['OldestLaunchTemplate', 'AllocationStrategy', 'Default'],
    // No instance lives longer than 14 days: patches arrive by replacement.
    maxInstanceLifetime: 1_209_600,
  },

  certificateArn: 'arn:aws:acm:ap-northeast-2:345678901234:certificate/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  loadBalancer: {
    // A private service: the ALB sits in the private subnets, with private addresses only.
    internal: true,
    // The organisation's network (routed in through the transit gateway); nothing else reaches 443.
    ingressCidrs: ['10.0.0.0/8'],
    // Access logs kept a year, as audits of a production service ask.
    accessLogRetentionDays: 365,
    // A web ACL even inside: AWS's managed rules, at most 1,000 requests per client IP in 5 minutes, logs kept a year (CKV_AWS_338).
    webAcl: { rateLimit: 1000, ruleGroups: ['common', 'knownBadInputs', 'ipReputation'], logRetentionDays: 365 },
    // The API's own name on the HTTPS listener (SNI), beside certificateArn.
    certificateArns: ['arn:aws:acm:ap-northeast-2:345678901234:certificate/2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e'],
    // The UI: sessions stay on one instance for an hour; new instances get a minute to warm their caches.
    targetGroup: {
      deregistrationDelay: 60,
      slowStart: 60,
      stickiness: { cookieDuration: 3600 },
      healthCheck: { matcher: '200', interval: 15, timeout: 5, healthyThreshold: 3, unhealthyThreshold: 2 },
    },
    // The API: its own port and health check; requests are short, so draining is too.
    targetGroups: [
      {
        name: 'api',
        port: 8081,
        healthCheck: { path: '/api/health', matcher: '200', interval: 10, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 2 },
        deregistrationDelay: 30,
      },
    ],
    listenerRules: [
      // api.orders.example.com goes to the API; everything else to the UI (the default action).
      { priority: 10, hostHeaders: ['api.orders.example.com'], forward: 'api' },
      // Internal tooling paths are never served through the load balancer: refuse them there.
      { priority: 20, pathPatterns: ['/internal/*'], fixedResponse: { statusCode: 404, contentType: 'text/plain', messageBody: 'Not found' } },
      // The old name keeps working for bookmarks, permanently redirected.
      { priority: 30, hostHeaders: ['orders-legacy.example.com'], redirect: { statusCode: 'HTTP_301', host: 'orders.example.com', protocol: 'HTTPS' } },
    ],
  },

  scaling: {
    // Headroom for a lost AZ: a third of the fleet can go and the rest stays under 90 %.
    cpuTarget: 60,
    requestsPerTarget: 800,
    customTargets: [
      // What the app itself says about load: orders in flight per instance, published by the CloudWatch agent for the group (<project>-<name>-web).
      {
        name: 'in-flight-orders',
        targetValue: 40,
        metric: { namespace: 'Orders', metricName: 'InFlightOrders', statistic: 'Average', dimensions: { AutoScalingGroupName: 'orders-prod-web' }, unit: 'Count' },
      },
      // The fulfilment queue's backlog per in-service instance (metric math), kept under 100 messages.
      {
        name: 'queue-backlog',
        targetValue: 100,
        disableScaleIn: true,
        metrics: [
          { id: 'backlog', metric: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', statistic: 'Sum', dimensions: { QueueName: 'orders-prod-fulfilment' } }, returnData: false },
          { id: 'instances', metric: { namespace: 'AWS/AutoScaling', metricName: 'GroupInServiceInstances', statistic: 'Average', dimensions: { AutoScalingGroupName: 'orders-prod-web' } }, returnData: false },
          { id: 'perInstance', expression: 'backlog / instances', label: 'Backlog per instance', returnData: true },
        ],
      },
    ],
  },

  // The service's own flow log on the shared VPC, kept a year: the network team's may not be readable to it.
  flowLogs: { enabled: true, retentionDays: 365 },
  deletionProtection: true,
  monitoring: {
    alerts: [{ protocol: 'email', endpoint: 'orders-team@example.com' }],
    // The paging webhook is a credential: it lives in Parameter Store (SecureString), not here.
    critical: [{ protocol: 'https', endpointParameter: '/orders/prod/pagerduty-url' }],
    p95ResponseSeconds: 0.5,
  },
  // Every role the stack creates stays inside the boundary the account baseline created.
  security: { permissionsBoundaryArn: 'arn:aws:iam::345678901234:policy/orders-workload-boundary' },
  costTags: { CostCenter: 'commerce', Team: 'orders' },
});
