/**
 * The batch sweep, executed from the zip Terraform deploys: the bundle is
 * built, unpacked and required, then run against a stubbed EC2 (the AWS SDK
 * comes from node_modules, as the Lambda runtime provides it).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DescribeInstancesCommand, EC2Client, type Instance, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { unzipSync } from 'fflate';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SWEEP_HANDLER_ENTRY } from '../../../modules/batch';
import type * as Handler from '../../../modules/batch/sweep-handler/handler';
import { bundleLambda } from '../../../modules/resilience/bundle';
import { ROOT } from '../../support/paths';

const TAG = { Key: 'BatchTier', Value: 'web-app-staging-batch' };
const config = { tagKey: TAG.Key, tagValue: TAG.Value, maxAgeMinutes: 45 };
const NOW = new Date('2026-11-27T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

let bundled: typeof Handler;
let code: string;

beforeAll(() => {
  const files = unzipSync(readFileSync(bundleLambda(SWEEP_HANDLER_ENTRY).path));
  expect(Object.keys(files)).toEqual(['index.js']);
  code = new TextDecoder().decode(files['index.js']);
  // Under node_modules/.cache, so require() finds the SDK where the runtime would provide it.
  const base = join(ROOT, 'node_modules', '.cache');
  mkdirSync(base, { recursive: true });
  const dir = join(base, 'batch-sweep-bundle-test');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.js'), code);
  bundled = createRequire(join(dir, 'index.js'))(join(dir, 'index.js')) as typeof Handler;
});

/** A stub EC2 that answers DescribeInstances from `pages` and records what it is asked. */
function stubEc2(pages: Instance[][]) {
  const calls: { name: string; input: Record<string, unknown> }[] = [];
  return {
    calls,
    ec2: {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        calls.push({ name: command.constructor.name, input: command.input });
        if (command.constructor.name === 'DescribeInstancesCommand') {
          const page = command.input.NextToken === undefined ? 0 : Number(command.input.NextToken);
          return { Reservations: [{ Instances: pages[page] ?? [] }], NextToken: page + 1 < pages.length ? String(page + 1) : undefined };
        }
        return {};
      },
    } as never,
  };
}

beforeEach(() => {
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

describe('the bundled sweep', () => {
  it('is one index.js with the AWS SDK left to the runtime', () => {
    expect(code).toContain('require("@aws-sdk/client-ec2")');
    expect(code).not.toMatch(/smithy|AwsQueryProtocol/);
    expect(typeof bundled.handler).toBe('function');
  });

  it('terminates tagged instances older than the limit, across pages, and leaves younger ones', async () => {
    const { ec2, calls } = stubEc2([
      [
        { InstanceId: 'i-old', LaunchTime: minutesAgo(46), Tags: [TAG] },
        { InstanceId: 'i-young', LaunchTime: minutesAgo(44), Tags: [TAG] },
      ],
      [{ InstanceId: 'i-stopped-old', LaunchTime: minutesAgo(600), Tags: [TAG] }],
    ]);
    const outcome = await bundled.sweep(config, { ec2 }, NOW);
    expect(outcome).toEqual({ examined: 3, terminated: ['i-old', 'i-stopped-old'] });
    expect(calls.map((c) => c.name)).toEqual(['DescribeInstancesCommand', 'DescribeInstancesCommand', 'TerminateInstancesCommand']);
    expect(calls[0]!.input.Filters).toEqual([
      { Name: 'tag:BatchTier', Values: ['web-app-staging-batch'] },
      { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
    ]);
    expect(calls[1]!.input.NextToken).toBe('1');
    expect(calls[2]!.input).toEqual({ InstanceIds: ['i-old', 'i-stopped-old'] });
  });

  it('never terminates an instance without the tier\'s tag, whatever the filter returned', async () => {
    const { ec2, calls } = stubEc2([
      [
        { InstanceId: 'i-web', LaunchTime: minutesAgo(9999), Tags: [{ Key: 'Name', Value: 'web-app-staging-web' }] },
        { InstanceId: 'i-other-tier', LaunchTime: minutesAgo(9999), Tags: [{ Key: 'BatchTier', Value: 'web-app-prod-batch' }] },
      ],
    ]);
    expect(await bundled.sweep(config, { ec2 }, NOW)).toEqual({ examined: 0, terminated: [] });
    expect(calls.map((c) => c.name)).toEqual(['DescribeInstancesCommand']);
  });

  it('terminates in batches of 50', async () => {
    const many = Array.from({ length: 120 }, (_, i) => ({ InstanceId: `i-${i}`, LaunchTime: minutesAgo(60), Tags: [TAG] }));
    const { ec2, calls } = stubEc2([many]);
    await bundled.sweep(config, { ec2 }, NOW);
    expect(calls.filter((c) => c.name === 'TerminateInstancesCommand').map((c) => (c.input.InstanceIds as string[]).length)).toEqual([50, 50, 20]);
  });

  it('as the Lambda: reads its limits from the environment, and refuses to run without them', async () => {
    const mock = mockClient(EC2Client);
    mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-ancient', LaunchTime: new Date(Date.now() - 3 * 3600_000), Tags: [TAG] }] }] });
    mock.on(TerminateInstancesCommand).resolves({});
    vi.stubEnv('TAG_KEY', TAG.Key);
    vi.stubEnv('TAG_VALUE', TAG.Value);
    vi.stubEnv('MAX_AGE_MINUTES', '75');
    try {
      expect(await bundled.handler()).toEqual({ examined: 1, terminated: ['i-ancient'] });
      expect(mock.commandCalls(TerminateInstancesCommand).map((c) => c.args[0].input)).toEqual([{ InstanceIds: ['i-ancient'] }]);
      vi.stubEnv('MAX_AGE_MINUTES', '');
      await expect(bundled.handler()).rejects.toThrow('TAG_KEY, TAG_VALUE and MAX_AGE_MINUTES (minutes > 0) must be set');
    } finally {
      vi.unstubAllEnvs();
      mock.restore();
    }
  });
});
