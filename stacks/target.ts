/**
 * Where the stacks deploy: real AWS, or a local AWS API emulator (moto).
 * The stacks are identical for both; only the provider endpoints, the
 * credentials and the state backend's endpoints differ. Anything the emulator
 * cannot do is handled in ./emulator-compat, never by changing a module.
 */
import { AwsProvider, type AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';
import type { S3Backend } from 'cdktf';
import { Construct } from 'constructs';

export type DeployTarget =
  | { readonly kind: 'aws' }
  | {
      readonly kind: 'emulator';
      /** e.g. `https://127.0.0.1:5000` */
      readonly endpoint: string;
      /** Absolute directory for the state-backend stack's local state. */
      readonly localStateDir: string;
    };

export const AWS_TARGET: DeployTarget = { kind: 'aws' };

/** Services the stacks call; each is pointed at the emulator. */
const EMULATED_SERVICES = [
  'acm',
  'autoscaling',
  'cloudfront',
  'cloudwatch',
  'cloudwatchlogs',
  'dynamodb',
  'ec2',
  'elbv2',
  'events',
  'fis',
  'iam',
  'kms',
  'lambda',
  'route53',
  's3',
  'sns',
  'sqs',
  'ssm',
  'sts',
] as const;

/**
 * The target for this process: the emulator when WEB_TIER_EMULATOR_ENDPOINT
 * is set (the sandbox sets it), real AWS otherwise.
 */
export function targetFromEnvironment(env: NodeJS.ProcessEnv = process.env): DeployTarget {
  const endpoint = env.WEB_TIER_EMULATOR_ENDPOINT;
  if (!endpoint) return AWS_TARGET;
  if (!/^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(endpoint)) {
    throw new Error(`WEB_TIER_EMULATOR_ENDPOINT=${endpoint} must be a loopback URL like http://127.0.0.1:5000`);
  }
  const localStateDir = env.WEB_TIER_EMULATOR_STATE_DIR;
  if (!localStateDir) throw new Error('WEB_TIER_EMULATOR_STATE_DIR must be set with WEB_TIER_EMULATOR_ENDPOINT');
  return { kind: 'emulator', endpoint, localStateDir };
}

/** Emulator credentials: moto accepts any; these are not secrets. */
export const EMULATOR_CREDENTIALS = { accessKey: 'testing', secretKey: 'testing' };

/** An AWS provider for `target`; identical config on AWS, endpoints and test credentials on the emulator. */
export function awsProvider(scope: Construct, id: string, target: DeployTarget, config: AwsProviderConfig): AwsProvider {
  if (target.kind === 'aws') return new AwsProvider(scope, id, config);
  return new AwsProvider(scope, id, {
    ...config,
    ...EMULATOR_CREDENTIALS,
    endpoints: [Object.fromEntries(EMULATED_SERVICES.map((service) => [service, target.endpoint]))],
    s3UsePathStyle: true,
    // The emulator serves TLS (so TLS-only bucket policies are enforced) with a self-signed certificate.
    insecure: true,
    // The account ID comes from the emulator's STS, as on AWS: the provider
    // needs it to tell this account's security-group references from others'.
    skipMetadataApiCheck: 'true',
    skipRegionValidation: true,
  });
}

/** Points an S3 backend at the emulator's S3, DynamoDB and STS. */
export function targetBackend(backend: S3Backend, target: DeployTarget): void {
  if (target.kind === 'aws') return;
  backend.addOverride('endpoints', { s3: target.endpoint, dynamodb: target.endpoint, sts: target.endpoint, iam: target.endpoint });
  backend.addOverride('use_path_style', true);
  backend.addOverride('insecure', true);
  backend.addOverride('skip_credentials_validation', true);
  backend.addOverride('skip_requesting_account_id', true);
  backend.addOverride('skip_metadata_api_check', true);
  backend.addOverride('skip_region_validation', true);
  backend.addOverride('access_key', EMULATOR_CREDENTIALS.accessKey);
  backend.addOverride('secret_key', EMULATOR_CREDENTIALS.secretKey);
}
