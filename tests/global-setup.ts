/**
 * One scratch directory per test run, used as TMPDIR by every worker, and
 * removed afterwards: synth outputs, terraform work dirs and cdktf's own
 * Testing dirs all land in it instead of piling up in the system temp dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const scratch = mkdtempSync(join(tmpdir(), 'web-tier-tests-'));
  process.env.TMPDIR = scratch;
  return () => {
    if (process.env.KEEP_TF_WORKDIR !== '1') rmSync(scratch, { recursive: true, force: true });
  };
}
