/**
 * The shell the batch instances run: the workflow's job script, executed in
 * bash the way SSM runs it (the key's assignment, then the script), and the
 * fleet's user data; both linted with bash -n and shellcheck.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { jobScript, workerUserData } from '../../../modules/batch';
import { lintScript } from '../../support/user-data';

const buckets = { inputBucketName: 'web-app-staging-batch-in-123456789012-ap-northeast-2', outputBucketName: 'web-app-staging-batch-out-123456789012-ap-northeast-2', inputPrefix: 'incoming/', outputPrefix: 'processed/' };
const PRINT = ['printf "%s\\n" "$INPUT_URI" "$OUTPUT_URI"'];

/** What SSM's AWS-RunShellScript runs for a key: the two command lines RunJob sends, as one script. */
function runJob(key: string, commands: readonly string[] = PRINT) {
  const assignment = `export BATCH_KEY_BASE64=${Buffer.from(key, 'utf8').toString('base64')}`;
  return spawnSync('bash', ['-c', [assignment, jobScript({ ...buckets, commands })].join('\n')], { encoding: 'utf8' });
}

describe('the job script', () => {
  it('gives the job its object and where its output goes', () => {
    const run = runJob('incoming/2026/11/27/access.log.gz');
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n')).toEqual([
      's3://web-app-staging-batch-in-123456789012-ap-northeast-2/incoming/2026/11/27/access.log.gz',
      's3://web-app-staging-batch-out-123456789012-ap-northeast-2/processed/2026/11/27/access.log.gz',
      '',
    ]);
  });

  it('takes a key with quotes, $, backticks and spaces as data, never as shell', () => {
    const key = "incoming/it's $(touch /tmp/pwned) `id` ${HOME} a b.txt";
    const run = runJob(key);
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(`s3://${buckets.inputBucketName}/${key}`);
    expect(run.stdout.split('\n')[1]).toBe(`s3://${buckets.outputBucketName}/processed/it's $(touch /tmp/pwned) \`id\` \${HOME} a b.txt`);
  });

  it('fails the run at the first failing line', () => {
    const run = runJob('incoming/x', ['echo first', 'false', 'echo never']);
    expect(run.status).not.toBe(0);
    expect(run.stdout).toBe('first\n');
  });

  it('is clean under bash -n and shellcheck', () => {
    expect(lintScript(`#!/bin/bash\nexport BATCH_KEY_BASE64=aW5jb21pbmcveA==\n${jobScript({ ...buckets, commands: PRINT })}\n`)).toEqual([]);
  });
});

describe('the fleet worker\'s user data', () => {
  const userData = workerUserData({ ...buckets, commands: ['aws s3 ls "$INPUT_URI"', 'sleep 60'] });

  it('is clean under bash -n and shellcheck', () => {
    expect(lintScript(userData)).toEqual([]);
  });

  it('writes the commands, with the prefixes as URIs, into a worker systemd restarts', () => {
    const worker = userData.slice(userData.indexOf("<<'BATCH_WORKER'\n") + 17, userData.indexOf('\nBATCH_WORKER\n'));
    expect(worker.split('\n')).toEqual([
      '#!/bin/bash',
      'set -eu',
      `export INPUT_URI='s3://${buckets.inputBucketName}/incoming/'`,
      `export OUTPUT_URI='s3://${buckets.outputBucketName}/processed/'`,
      'aws s3 ls "$INPUT_URI"',
      'sleep 60',
    ]);
    expect(userData).toContain('Restart=always');
    expect(userData).toContain('systemctl enable --now batch-worker.service');
  });
});
