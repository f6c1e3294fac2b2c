/**
 * The emulator as a deploy target: the same stacks, with every service the
 * stacks call pointed at the emulator, its test credentials, and the state
 * backend's local state in the sandbox's own directory. Every environment
 * keeps its state in the emulator's bucket (an HCP Terraform workspace is
 * out of a throwaway account's reach), and no role is assumed: the
 * emulator's credentials are the account's. The emulator is one account for
 * every environment (prod's included), so each provider's account guard names
 * that account instead of the environment's: still checked against what the
 * emulator's STS answers on every run, and a provider that reached real AWS
 * would be refused. Anything else the
 * emulator cannot do is corrected inside it (./moto_launcher.py) or listed in
 * ./emulator-gaps.ts, never by changing a module.
 */
import type { S3Backend } from 'cdktf';
import type { DeployTarget } from '../../stacks';

/** Emulator credentials: moto accepts any; these are not secrets. */
export const EMULATOR_CREDENTIALS = { accessKey: 'testing', secretKey: 'testing' };

/** The account the emulator's STS reports for them: moto's default (MOTO_ACCOUNT_ID is not set). */
export const EMULATOR_ACCOUNT = '123456789012';

/**
 * The provider endpoint that serves each resource type, by type prefix: what
 * the stacks call, so each is pointed at the emulator. A type no prefix
 * matches has no endpoint here, and a test over every synthesized stack
 * says so before a deploy could send it to AWS itself.
 */
const SERVICE_OF_TYPE_PREFIX: readonly (readonly [prefix: string, service: string])[] = [
  ['aws_acm_', 'acm'],
  ['aws_appautoscaling_', 'applicationautoscaling'],
  ['aws_autoscaling_', 'autoscaling'],
  ['aws_cloudfront_', 'cloudfront'],
  ['aws_cloudwatch_event_', 'events'],
  ['aws_cloudwatch_log_', 'cloudwatchlogs'],
  ['aws_cloudwatch_', 'cloudwatch'],
  ['aws_db_', 'rds'],
  ['aws_rds_', 'rds'],
  ['aws_dynamodb_', 'dynamodb'],
  ['aws_ecs_', 'ecs'],
  ['aws_lb', 'elbv2'],
  ['aws_fis_', 'fis'],
  ['aws_iam_', 'iam'],
  ['aws_kms_', 'kms'],
  ['aws_lambda_', 'lambda'],
  ['aws_route53_', 'route53'],
  ['aws_s3_', 's3'],
  ['aws_secretsmanager_', 'secretsmanager'],
  ['aws_sfn_', 'sfn'],
  ['aws_sns_', 'sns'],
  ['aws_sqs_', 'sqs'],
  ['aws_ssm_', 'ssm'],
  ['aws_wafv2_', 'wafv2'],
  // EC2 and VPC resources have no common prefix.
  ...['aws_vpc', 'aws_subnet', 'aws_route', 'aws_internet_gateway', 'aws_nat_gateway', 'aws_eip', 'aws_security_group', 'aws_default_', 'aws_network_acl', 'aws_flow_log', 'aws_launch_template', 'aws_spot_', 'aws_ec2_', 'aws_instance', 'aws_ami', 'aws_key_pair', 'aws_ebs_'].map(
    (prefix) => [prefix, 'ec2'] as const,
  ),
];

/** The endpoint key that serves `resourceType` (a Terraform type or data source), or undefined when none is known. */
export function endpointServiceOf(resourceType: string): string | undefined {
  return SERVICE_OF_TYPE_PREFIX.find(([prefix]) => resourceType.startsWith(prefix))?.[1];
}

/** Services the stacks call, and STS, which the provider and the backend ask for the account. */
export const EMULATED_SERVICES: readonly string[] = [...new Set([...SERVICE_OF_TYPE_PREFIX.map(([, service]) => service), 'sts'])].sort();

export interface EmulatorTargetOptions {
  /** e.g. `https://127.0.0.1:5000` */
  readonly endpoint: string;
  /** Absolute directory for the state-backend stack's local state. */
  readonly stateDir: string;
}

export function emulatorTarget({ endpoint, stateDir }: EmulatorTargetOptions): DeployTarget {
  return {
    // The deploy role lives in the real account; the emulator's own credentials stand in for it.
    providerConfig: ({ assumeRole: _deployRole, ...config }) => ({
      ...config,
      allowedAccountIds: [EMULATOR_ACCOUNT],
      ...EMULATOR_CREDENTIALS,
      endpoints: [Object.fromEntries(EMULATED_SERVICES.map((service) => [service, endpoint]))],
      s3UsePathStyle: true,
      // The emulator serves TLS (so TLS-only bucket policies are enforced) with a self-signed certificate.
      insecure: true,
      // The account ID comes from the emulator's STS, as on AWS: the provider
      // needs it to tell this account's security-group references from others'.
      skipMetadataApiCheck: 'true',
      skipRegionValidation: true,
    }),
    configureBackend: (backend: S3Backend) => {
      // The state role, like the deploy role, is the real account's.
      backend.addOverride('assume_role', undefined);
      backend.addOverride('endpoints', { s3: endpoint, dynamodb: endpoint, sts: endpoint, iam: endpoint });
      backend.addOverride('use_path_style', true);
      backend.addOverride('insecure', true);
      backend.addOverride('skip_credentials_validation', true);
      backend.addOverride('skip_requesting_account_id', true);
      backend.addOverride('skip_metadata_api_check', true);
      backend.addOverride('skip_region_validation', true);
      backend.addOverride('access_key', EMULATOR_CREDENTIALS.accessKey);
      backend.addOverride('secret_key', EMULATOR_CREDENTIALS.secretKey);
    },
    stateBackendStateDir: stateDir,
    keepsStateInS3: true,
    // A sandbox is torn down after every run.
    protectState: false,
    // The account's zone IDs and certificate ARNs do not exist in an emulator.
    isolatedCertificateDomain: (name) => `${name}.sandbox.test`,
  };
}

/**
 * The target the sandbox's entry point (./app.ts) builds for: the emulator
 * named by WEB_TIER_EMULATOR_ENDPOINT, which the sandbox sets.
 */
export function emulatorTargetFromEnvironment(env: NodeJS.ProcessEnv = process.env): DeployTarget {
  const endpoint = env.WEB_TIER_EMULATOR_ENDPOINT;
  if (!endpoint || !/^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(endpoint)) {
    throw new Error(`WEB_TIER_EMULATOR_ENDPOINT=${endpoint ?? ''} must be a loopback URL like https://127.0.0.1:5000`);
  }
  const stateDir = env.WEB_TIER_EMULATOR_STATE_DIR;
  if (!stateDir) throw new Error('WEB_TIER_EMULATOR_STATE_DIR must be set with WEB_TIER_EMULATOR_ENDPOINT');
  return emulatorTarget({ endpoint, stateDir });
}
