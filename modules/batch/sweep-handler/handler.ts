/**
 * The batch sweep (a scheduled Lambda): terminates every instance carrying
 * the tier's batch tag that has been alive longer than a run may take.
 * Whatever left it behind — a run that timed out, was aborted, or failed to
 * terminate — it stops paying for it within one schedule period.
 *
 * Bundled by esbuild at synth (modules/resilience/bundle.ts); the AWS SDK v3
 * comes from the Lambda runtime.
 */
import { DescribeInstancesCommand, type DescribeInstancesCommandOutput, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';

export interface SweepConfig {
  /** The tag (key and value) every batch instance of the tier carries; no other instance is looked at. */
  readonly tagKey: string;
  readonly tagValue: string;
  /** Instances launched longer ago than this are terminated. */
  readonly maxAgeMinutes: number;
}

export interface SweepClients {
  readonly ec2: Pick<EC2Client, 'send'>;
}

export interface SweepOutcome {
  /** Tagged instances not yet terminated (or terminating). */
  readonly examined: number;
  /** Those older than maxAgeMinutes, terminated now. */
  readonly terminated: readonly string[];
}

/** TerminateInstances takes up to 1000 IDs; smaller calls keep one bad ID from holding up many. */
const TERMINATE_BATCH = 50;

export function configFromEnv(env: NodeJS.ProcessEnv): SweepConfig {
  const tagKey = env.TAG_KEY;
  const tagValue = env.TAG_VALUE;
  const maxAgeMinutes = Number(env.MAX_AGE_MINUTES);
  if (!tagKey || !tagValue || !Number.isFinite(maxAgeMinutes) || maxAgeMinutes <= 0) {
    throw new Error('TAG_KEY, TAG_VALUE and MAX_AGE_MINUTES (minutes > 0) must be set');
  }
  return { tagKey, tagValue, maxAgeMinutes };
}

export async function sweep(config: SweepConfig, clients: SweepClients, now: Date = new Date()): Promise<SweepOutcome> {
  const cutoff = now.getTime() - config.maxAgeMinutes * 60_000;
  const stale: string[] = [];
  let examined = 0;
  let nextToken: string | undefined;
  do {
    const page: DescribeInstancesCommandOutput = await clients.ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: `tag:${config.tagKey}`, Values: [config.tagValue] },
          // Stopped ones too: a stopped instance still bills its volume.
          { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
        ],
        MaxResults: 1000,
        NextToken: nextToken,
      }),
    );
    for (const instance of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      // The filter is the API's; the check is ours too, so a filter the API ignored never widens what is terminated.
      const tagged = (instance.Tags ?? []).some((t) => t.Key === config.tagKey && t.Value === config.tagValue);
      if (!instance.InstanceId || !tagged) continue;
      examined += 1;
      const launched = instance.LaunchTime ? new Date(instance.LaunchTime).getTime() : Number.NaN;
      if (Number.isFinite(launched) && launched < cutoff) stale.push(instance.InstanceId);
    }
    nextToken = page.NextToken;
  } while (nextToken);

  for (let i = 0; i < stale.length; i += TERMINATE_BATCH) {
    await clients.ec2.send(new TerminateInstancesCommand({ InstanceIds: stale.slice(i, i + TERMINATE_BATCH) }));
  }
  const outcome = { examined, terminated: stale };
  console.log(JSON.stringify({ message: 'batch sweep', ...config, ...outcome }));
  return outcome;
}

let clients: SweepClients | undefined;

/** The scheduled event carries nothing the sweep needs. */
export async function handler(): Promise<SweepOutcome> {
  clients ??= { ec2: new EC2Client({}) };
  return sweep(configFromEnv(process.env), clients);
}
