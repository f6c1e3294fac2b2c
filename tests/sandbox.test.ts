/**
 * The local sandbox's machinery: reading Terraform's output, the emulator's
 * corrections and gaps, and failure handling — moto missing, a busy port,
 * and Ctrl-C in the middle of a deploy.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CreateHealthCheckCommand, ListHealthChecksCommand } from '@aws-sdk/client-route-53';
import { EmulatorClients } from '../scripts/lib/aws-clients';
import { freePort, INSTALL_HINT, isPortFree, launcherCorrections, startEmulator } from '../scripts/lib/emulator';
import { leftovers, type Inventory } from '../scripts/lib/inventory';
import { table } from '../scripts/lib/inventory-report';
import { relevantTail } from '../scripts/lib/sandbox';
import { parseTerraformLine, RunTally } from '../scripts/lib/terraform-events';
import { EMULATOR_GAPS, launcherGapIds } from '../stacks/emulator-compat';

const ROOT = resolve(__dirname, '..');

describe('reading Terraform output', () => {
  it('reads resource progress with or without cdktf colour and construct paths', () => {
    const colour = '\u001b[2K\u001b[1A\u001b[2K\u001b[Gdev  \u001b[0m\u001b[1maws_lb.primary_load-balancer_alb_2D686B5A: Creating...\u001b[0m\u001b[0m';
    expect(parseTerraformLine(colour)).toEqual({ kind: 'resource', address: 'aws_lb.primary_load-balancer_alb_2D686B5A', action: 'creating', detail: 'Creating...' });
    const plain = 'state-backend  aws_s3_bucket.state_bucket_803B4E61 (state/bucket): Creation complete after 0s [id=web-app-tfstate]';
    expect(parseTerraformLine(plain)).toMatchObject({ address: 'aws_s3_bucket.state_bucket_803B4E61', action: 'created', detail: 'Creation complete after 0s' });
    expect(parseTerraformLine('   aws_nat_gateway.n (network/nat): Still destroying... [10s elapsed]')).toMatchObject({ action: 'waiting' });
    expect(parseTerraformLine('aws_vpc.v: Destruction complete after 1s')).toMatchObject({ action: 'destroyed' });
  });

  it('reads the plan, the outcome and errors, and ignores everything else', () => {
    expect(parseTerraformLine('dev  Plan: 49 to add, 0 to change, 0 to destroy.')).toEqual({ kind: 'plan', add: 49, change: 0, destroy: 0 });
    expect(parseTerraformLine('  Apply complete! Resources: 49 added, 0 changed, 0 destroyed.')).toEqual({
      kind: 'complete',
      summary: 'Apply complete! Resources: 49 added, 0 changed, 0 destroyed.',
    });
    expect(parseTerraformLine('│ Error: Error acquiring the state lock')).toEqual({ kind: 'error', message: 'Error acquiring the state lock' });
    expect(parseTerraformLine('Terraform has been successfully initialized!')).toBeUndefined();
  });

  it('tallies a run: planned, done, last event, errors', () => {
    const tally = new RunTally();
    ['Plan: 2 to add, 1 to change, 0 to destroy.', 'aws_a.x: Creating...', 'aws_a.x: Creation complete after 1s', 'aws_b.y: Modifications complete after 2s', '│ Error: boom']
      .map(parseTerraformLine)
      .forEach((event) => event && tally.record(event));
    expect({ planned: tally.planned, done: tally.done, last: tally.last, errors: tally.errors, completed: [...tally.completed] }).toEqual({
      planned: 3,
      done: 2,
      last: 'aws_b.y: Modifications complete after 2s',
      errors: ['boom'],
      completed: ['aws_a.x', 'aws_b.y'],
    });
  });

  it('keeps the lines of a failure worth reading, without cdktf status redraws', () => {
    const output = ['0 Stacks deploying     0 Stacks done     1 Stack waiting', 'dev  │ Error: creating ELBv2 Load Balancer', '', '1 Stack deploying'].join('\n');
    expect(relevantTail(output)).toBe('dev  │ Error: creating ELBv2 Load Balancer');
  });
});

describe('inventory helpers', () => {
  it('reports only kinds with something left', () => {
    const inventory = { counts: { VPCs: 0, buckets: 1, 'KMS keys': 0 } } as unknown as Inventory;
    expect(leftovers(inventory)).toEqual({ buckets: 1 });
  });

  it('renders aligned tables', () => {
    expect(table(['a', 'bb'], [['xxx', 'y']])).toBe(['  a    bb', '  ───  ──', '  xxx  y'].join('\n'));
  });
});

describe('the emulator', () => {
  it('corrects exactly the moto gaps that are documented as corrected in the launcher', () => {
    expect(launcherCorrections()).toEqual(launcherGapIds());
    expect(new Set(EMULATOR_GAPS.map((g) => g.id)).size).toBe(EMULATOR_GAPS.length);
  });

  it('the README lists every gap', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const gap of EMULATOR_GAPS) expect(readme, gap.id).toContain(`\`${gap.id}\``);
  });

  it('a repeated CreateHealthCheck (an SDK retry) returns the health check it created, as on AWS', async () => {
    const emulator = await startEmulator({});
    const clients = new EmulatorClients(emulator.endpoint);
    try {
      const route53 = clients.get('route53', 'us-east-1');
      const config = { Type: 'HTTPS' as const, FullyQualifiedDomainName: 'app.example.com', Port: 443, ResourcePath: '/health' };
      const first = await route53.send(new CreateHealthCheckCommand({ CallerReference: 'retry-1', HealthCheckConfig: config }));
      const retried = await route53.send(new CreateHealthCheckCommand({ CallerReference: 'retry-1', HealthCheckConfig: config }));
      const other = await route53.send(new CreateHealthCheckCommand({ CallerReference: 'other', HealthCheckConfig: config }));
      expect(retried.HealthCheck?.Id).toBe(first.HealthCheck?.Id);
      expect(other.HealthCheck?.Id).not.toBe(first.HealthCheck?.Id);
      expect((await route53.send(new ListHealthChecksCommand({}))).HealthChecks).toHaveLength(2);
    } finally {
      clients.destroy();
      await emulator.stop();
    }
  }, 60_000);

  let blocker: Server | undefined;
  afterEach(() => blocker?.close());

  it('moves to a free port when the one asked for is busy', async () => {
    const busy = await freePort();
    blocker = createServer();
    await new Promise<void>((r) => blocker?.listen(busy, '127.0.0.1', r));
    const emulator = await startEmulator({ port: busy });
    try {
      expect(emulator.port).not.toBe(busy);
      expect(emulator.endpoint).toBe(`https://127.0.0.1:${emulator.port}`);
    } finally {
      await emulator.stop();
    }
    expect(await isPortFree(emulator.port)).toBe(true);
  }, 60_000);
});

/** Runs `npm start`'s script with `env`, collecting its output. */
function startScript(env: NodeJS.ProcessEnv, args: string[] = []): { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'scripts', 'start.ts'), ...args], { cwd: ROOT, env });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number | null>((r) => child.once('exit', (code, signal) => r(code ?? (signal ? 128 : null))));
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** Pids of live processes whose command line or environment mentions `text`. */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => {
      try {
        return ['cmdline', 'environ'].some((file) => readFileSync(`/proc/${pid}/${file}`, 'latin1').includes(text));
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('npm start failure handling', () => {
  it('without moto: one line saying how to install it', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'no-moto-bin-'));
    for (const python of ['python3', 'python']) {
      writeFileSync(join(bin, python), '#!/bin/sh\nexit 1\n');
      chmodSync(join(bin, python), 0o755);
    }
    const terraform = (process.env.PATH ?? '').split(':').map((dir) => join(dir, 'terraform')).find(existsSync);
    if (terraform) symlinkSync(terraform, join(bin, 'terraform'));
    const { stderr, exit } = startScript({ ...process.env, PATH: bin, MOTO_PYTHON: '' });
    expect(await exit).toBe(1);
    expect(stderr()).toBe(`${INSTALL_HINT}\n`);
  }, 60_000);

  it('a failure part-way (an unknown environment) stops the emulator and removes the temp dir', async () => {
    const run = startScript({ ...process.env }, ['--env', 'nope']);
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toMatch(/no environment named nope; these exist: dev, prod, staging/);
    const [, endpoint = '', dir = ''] = /(https:\/\/127\.0\.0\.1:\d+) · work dir (\S+)/.exec(run.stdout()) ?? [];
    expect(dir).not.toBe('');
    expect(existsSync(dir)).toBe(false);
    expect(processesMentioning(dir)).toEqual([]);
    expect(await isPortFree(Number(endpoint.split(':').at(-1)))).toBe(true);
  }, 60_000);

  it('Ctrl-C during a deploy stops the emulator, cdktf and terraform, and removes the temp dir', async () => {
    const run = startScript({ ...process.env });
    const until = async (what: string, test: () => boolean, ms = 90_000) => {
      const deadline = Date.now() + ms;
      while (!test()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${run.stdout()}\n${run.stderr()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await until('the work dir', () => /work dir (\S+)/.test(run.stdout()));
    const [, endpoint = '', dir = ''] = /(https:\/\/127\.0\.0\.1:\d+) · work dir (\S+)/.exec(run.stdout()) ?? [];
    const port = Number(endpoint.split(':').at(-1));
    await until('terraform to run', () => run.stdout().includes('Deploy') && processesMentioning(dir).some((pid) => /(^|\/)terraform$/.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0')[0] ?? '')));
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.stderr()).toContain('SIGINT: stopping cdktf and terraform, removing temporary files, stopping the emulator …');
    expect(existsSync(dir)).toBe(false);
    const describe = (pid: number) => { try { return `${pid} ${readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ').slice(1, 4).join(' ')} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').slice(0, 200)}`; } catch { return `${pid} gone`; } };
    expect(processesMentioning(dir).map(describe)).toEqual([]);
    expect(await isPortFree(port)).toBe(true);
  }, 120_000);
});
