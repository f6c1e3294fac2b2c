import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import type { Construct } from 'constructs';
import { waive } from '../security';
import { lambdaBundleAsset } from './bundle';

export interface BundledFunctionProps {
  /** The handler's TypeScript entry point, relative to the repository. */
  readonly entry: string;
  readonly functionName: string;
  readonly description: string;
  readonly roleArn: string;
  readonly timeout: number;
  /** -1 for none. */
  readonly reservedConcurrentExecutions: number;
  readonly environment: Record<string, string>;
  /** The operations key: the environment variables are encrypted with it. */
  readonly kmsKeyArn: string;
  /** Where failed asynchronous invocations go. */
  readonly deadLetterTargetArn: string;
  /** The function's own log group (retention, key); created before Lambda would create one of its own. */
  readonly logGroup: CloudwatchLogGroup;
}

/**
 * One of this repository's handlers as a Lambda function, the way every one
 * of them runs: bundled at synth (`code`) and checked against the hash
 * Terraform is given, arm64 Node.js 22 with 256 MB, its environment under
 * the operations key (not aws/lambda: the key's use is logged and its policy
 * is ours), a dead-letter target, active tracing, and after its log group.
 * Created as `function` in `scope`.
 */
export function bundledFunction(scope: Construct, props: BundledFunctionProps): LambdaFunction {
  const { bundle, asset } = lambdaBundleAsset(scope, 'code', props.entry);
  const fn = new LambdaFunction(scope, 'function', {
    functionName: props.functionName,
    description: props.description,
    role: props.roleArn,
    runtime: 'nodejs22.x',
    architectures: ['arm64'],
    handler: 'index.handler',
    filename: asset.path,
    sourceCodeHash: bundle.sha256,
    memorySize: 256,
    timeout: props.timeout,
    reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    environment: { variables: props.environment },
    kmsKeyArn: props.kmsKeyArn,
    deadLetterConfig: { targetArn: props.deadLetterTargetArn },
    tracingConfig: { mode: 'Active' },
    dependsOn: [props.logGroup],
  });
  waive(fn, 'CKV_AWS_272', 'bundled from this repository at synth and deployed by Terraform with its source_code_hash; signing needs a Signer profile and a signed-artifact step the pipeline does not have');
  return fn;
}
