/**
 * The realistic one-line bugs a reviewer planted to see which tests catch
 * them (issue "tests that catch the next regression without the snapshots").
 * Each is an exact edit of today's source: when the text it edits is gone,
 * the catalog is stale and `npm run mutate:planted` says so instead of
 * reporting a bug as caught. Mutation testing (`npm run mutate`) covers the
 * rest; these are the ones named in the issue, kept as a regression check.
 */
export interface PlantedBug {
  /** A short id for `--only`. */
  readonly id: string;
  /** What the bug does, as the reviewer would describe it. */
  readonly description: string;
  /** File edited, relative to the repository root. */
  readonly file: string;
  /** Text that must occur exactly once in `file`. */
  readonly find: string;
  readonly replace: string;
}

export const PLANTED_BUGS: readonly PlantedBug[] = [
  {
    id: 'default-on-demand-percentage',
    description: "the schema's default on-demand % changed",
    file: 'modules/compute/index.ts',
    find: '  onDemandPercentageAboveBaseCapacity: 20,\n  spotAllocationStrategy',
    replace: '  onDemandPercentageAboveBaseCapacity: 30,\n  spotAllocationStrategy',
  },
  {
    id: 'default-predictive-buffer',
    description: "the schema's default predictive buffer changed",
    file: 'environments/schema/scaling.ts',
    find: '      .max(3600)\n      .default(300)',
    replace: '      .max(3600)\n      .default(600)',
  },
  {
    id: 'certificate-region-check',
    description: 'the check that the certificate is in the primary region removed',
    file: 'environments/schema/rules.ts',
    find: "  if (env.region) checkCertificateRegion(env.certificateArn, env.region, ['certificateArn'], report);\n",
    replace: '',
  },
  {
    id: 'default-route53-failure-threshold',
    description: "the schema's default Route 53 failure threshold changed",
    // One default per field: the schema takes it from the module.
    file: 'modules/dns/health-check.ts',
    find: '  failureThreshold: 3,\n  requestInterval: 10,',
    replace: '  failureThreshold: 5,\n  requestInterval: 10,',
  },
  {
    id: 'key-source-account',
    description: 'the aws:SourceAccount condition dropped from the CloudWatch key statement',
    file: 'modules/shared/kms.ts',
    find: "          { test: 'StringEquals', variable: 'aws:SourceAccount', values: [account] },\n          { test: 'ArnLike', variable: 'aws:SourceArn', values: [`arn:${partition}:cloudwatch:",
    replace: "          { test: 'ArnLike', variable: 'aws:SourceArn', values: [`arn:${partition}:cloudwatch:",
  },
  {
    id: 'forecast-only-buffer',
    description: "staging's forecast-only buffer forced to 0",
    file: 'stacks/web-tier.ts',
    find: '        schedulingBufferTime: predictive.schedulingBufferTime,',
    replace: "        schedulingBufferTime: predictive.mode === 'ForecastOnly' ? 0 : predictive.schedulingBufferTime,",
  },
  {
    id: 'readiness-fallback',
    description: "the readiness script's ABANDON fallback changed to CONTINUE",
    file: 'modules/compute/index.ts',
    find: "    'RESULT=ABANDON',",
    replace: "    'RESULT=CONTINUE',",
  },
  {
    id: 'route53-alarm-missing-data',
    description: "the Route 53 alarm's treat_missing_data changed to notBreaching",
    file: 'modules/dns/health-check.ts',
    find: "      treatMissingData: 'breaching',",
    replace: "      treatMissingData: 'notBreaching',",
  },
  {
    id: 'refresh-skip-matching',
    description: 'skip_matching dropped from the instance refresh',
    file: 'modules/compute/refresh.ts',
    find: '  skipMatching: true,\n',
    replace: '',
  },
  {
    id: 'unhealthy-hosts-dimension',
    description: 'the unhealthy-hosts alarm losing its LoadBalancer dimension',
    file: 'modules/monitoring/index.ts',
    find: '        dimensions: { TargetGroup: targetGroupArnSuffix, ...lb },',
    replace: '        dimensions: { TargetGroup: targetGroupArnSuffix },',
  },
  {
    id: 'staging-on-demand-base',
    description: "staging's on-demand base changed",
    file: 'environments/staging.ts',
    find: '    onDemandBaseCapacity: 1,',
    replace: '    onDemandBaseCapacity: 2,',
  },
  {
    id: 'dev-spot-strategy',
    description: "dev's Spot strategy changed",
    file: 'environments/dev.ts',
    find: "    spotAllocationStrategy: 'price-capacity-optimized',",
    replace: "    spotAllocationStrategy: 'capacity-optimized',",
  },
  {
    id: 'staging-max-size',
    description: "staging's max size changed",
    file: 'environments/staging.ts',
    find: '  capacity: { minSize: 1, maxSize: 10, desiredCapacity: 2 },',
    replace: '  capacity: { minSize: 1, maxSize: 12, desiredCapacity: 2 },',
  },
];
