/**
 * A throw-away AWS account on this machine: the emulator, a temp directory
 * for the synthesized stacks and the state-backend's local state, and the
 * real cdktf CLI and Terraform pointed at both. The stacks are the ones
 * `cdktf deploy` ships to AWS; only the target differs (./target.ts, through ./app.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  ModifyLoadBalancerAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { STATE_BACKEND_STACK } from '../../stacks';
import { EMULATOR_CREDENTIALS } from './target';
import { EmulatorClients } from './aws-clients';
import { onCleanup } from '../lib/cleanup';
import { type Emulator, startEmulator } from './emulator';
import { type Inventory, readInventory } from './inventory';
import { sweepTagged, type TagSelector } from './inventory-sweep';
import { type CommandResult, run } from '../lib/processes';
import { findProviderMirror } from '../lib/provider-mirror';
import { assertTerraformInstalled, cliConfig, quietEnv } from '../lib/terraform';
import { parseTerraformLine, stripAnsi, type TerraformEvent } from './terraform-events';
import { block, resourceList, type TfJson } from '../synth-model/tf-json';

const ROOT = resolve(__dirname, '..', '..');
const CDKTF = join(ROOT, 'node_modules', '.bin', 'cdktf');
/** The app cdktf runs for the sandbox (./app.ts): main.ts's composition with the emulator target. */
export const SANDBOX_APP = 'node --require tsx/cjs tools/sandbox/app.ts';

/**
 * Resources a stack can serve without: the S3 provider re-reads a lifecycle
 * rule until it reads back the same for about a minute, and the rule (expiry
 * of year-old state versions) is irrelevant to a backend's first use.
 */
const SETTLES_LATER = new Set(['aws_s3_bucket_lifecycle_configuration']);

export interface SandboxOptions {
  /** Emulator port to try first. */
  readonly port?: number;
  /** Concurrent operations per Terraform run. @default 20 */
  readonly terraformParallelism?: number;
}

export type EventSink = (event: TerraformEvent) => void;

export class CommandFailedError extends Error {
  constructor(
    readonly what: string,
    readonly result: CommandResult,
  ) {
    super(`${what} failed (exit ${result.code}):\n${relevantTail(result.output)}`);
    this.name = 'CommandFailedError';
  }
}

export class Sandbox {
  /** Synthesized stacks, as `cdktf synth` wrote them. */
  readonly outDir: string;
  readonly clients: EmulatorClients;
  private kept = false;
  private readonly removeDir: () => void;

  private constructor(
    readonly emulator: Emulator,
    /** Everything this sandbox writes lives here. */
    readonly dir: string,
    private readonly parallelism: number,
  ) {
    this.outDir = join(dir, 'cdktf.out');
    this.clients = new EmulatorClients(emulator.endpoint);
    writeFileSync(this.cliConfigFile, cliConfig(findProviderMirror()));
    this.removeDir = onCleanup(() => rmSync(dir, { recursive: true, force: true }), 'removing temporary files');
  }

  static async create(options: SandboxOptions = {}): Promise<Sandbox> {
    assertTerraformInstalled();
    findProviderMirror();
    const dir = mkdtempSync(join(tmpdir(), 'web-tier-sandbox-'));
    let emulator: Emulator;
    try {
      emulator = await startEmulator({ port: options.port, logDir: dir });
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return new Sandbox(emulator, dir, options.terraformParallelism ?? 20);
  }

  get endpoint(): string {
    return this.emulator.endpoint;
  }

  get cliConfigFile(): string {
    return join(this.dir, 'terraform.tfrc');
  }

  /** Where the state-backend stack keeps its (local) state. */
  get stateDir(): string {
    return this.dir;
  }

  /** Environment for cdktf and terraform: emulator target, mirror-only providers, test credentials. */
  get env(): NodeJS.ProcessEnv {
    return quietEnv({
      TF_CLI_CONFIG_FILE: this.cliConfigFile,
      WEB_TIER_EMULATOR_ENDPOINT: this.endpoint,
      WEB_TIER_EMULATOR_STATE_DIR: this.stateDir,
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKey,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      CDKTF_DISABLE_PLUGIN_CACHE_ENV: 'true',
      FORCE_COLOR: '0',
    });
  }

  stackDir(stack: string): string {
    return join(this.outDir, 'stacks', stack);
  }

  stack(stack: string): TfJson {
    return JSON.parse(readFileSync(join(this.stackDir(stack), 'cdk.tf.json'), 'utf8')) as TfJson;
  }

  /** Names of the synthesized stacks, from cdktf's manifest. */
  synthesizedStacks(): string[] {
    const manifest = JSON.parse(readFileSync(join(this.outDir, 'manifest.json'), 'utf8')) as { stacks: Record<string, unknown> };
    return Object.keys(manifest.stacks);
  }

  /** Every region the synthesized `stacks` use, primary first. */
  regions(stacks: readonly string[]): string[] {
    const regions = stacks.flatMap((name) => (this.stack(name).provider?.aws ?? []).map((p) => String(p.region)));
    return [...new Set(regions)];
  }

  /** `cdktf synth` of the whole app, for the emulator: the same stacks through the sandbox's entry point. */
  async synth(): Promise<CommandResult> {
    return this.checked('cdktf synth', run(CDKTF, ['synth', '--app', SANDBOX_APP, '--output', this.outDir], { cwd: ROOT, env: this.env }));
  }

  /** `cdktf deploy <stack>` (after synth), streaming Terraform's events to `onEvent`. */
  deploy(stack: string, onEvent: EventSink = () => {}): Promise<CommandResult> {
    return this.cdktf('deploy', stack, onEvent);
  }

  /** `cdktf destroy <stack>`. */
  destroy(stack: string, onEvent: EventSink = () => {}): Promise<CommandResult> {
    return this.cdktf('destroy', stack, onEvent);
  }

  /**
   * Deploys the state backend; `usable` resolves as soon as everything an
   * environment's S3 backend touches exists (bucket and its settings, lock
   * table, KMS key and alias), while the lifecycle rule settles.
   */
  deployStateBackend(onEvent: EventSink = () => {}): { usable: Promise<void>; done: Promise<CommandResult> } {
    const needed = new Set(
      Object.entries(this.stack(STATE_BACKEND_STACK).resource ?? {})
        .filter(([type]) => !SETTLES_LATER.has(type))
        .flatMap(([type, byId]) => Object.keys(byId).map((id) => `${type}.${id}`)),
    );
    let markUsable: () => void = () => {};
    const usable = new Promise<void>((r) => (markUsable = r));
    const done = this.deploy(STATE_BACKEND_STACK, (event) => {
      if (event.kind === 'resource' && (event.action === 'created' || event.action === 'modified')) {
        needed.delete(event.address);
        if (needed.size === 0) markUsable();
      }
      onEvent(event);
    });
    // Whichever comes first; a failed deploy rejects both.
    return { usable: Promise.race([usable, done.then(() => undefined)]), done };
  }

  /**
   * Destroys an environment the way an operator tears one down: deletion
   * protection on its load balancers is lifted first (AWS, and the emulator,
   * refuse to delete a protected one). Returns the names it lifted it on.
   */
  async teardown(stack: string, onEvent: EventSink = () => {}): Promise<string[]> {
    const names = new Set(resourceList(this.stack(stack), 'aws_lb').map((lb) => String(lb.name)));
    const lifted: string[] = [];
    for (const region of this.regions([stack])) {
      const elbv2 = this.clients.get('elbv2', region);
      const balancers = (await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
      for (const lb of balancers.filter((b) => names.has(b.LoadBalancerName ?? ''))) {
        const attributes = await elbv2.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
        if (attributes.Attributes?.some((a) => a.Key === 'deletion_protection.enabled' && a.Value === 'true')) {
          await elbv2.send(
            new ModifyLoadBalancerAttributesCommand({
              LoadBalancerArn: lb.LoadBalancerArn,
              Attributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }],
            }),
          );
          lifted.push(lb.LoadBalancerName ?? '');
        }
      }
    }
    await this.destroy(stack, onEvent);
    return lifted;
  }

  /**
   * Deletes what `stack` left outside its state: resources carrying its
   * provider's default tags (tools/sandbox/inventory-sweep.ts). For after a
   * failed apply or destroy only; returns what it deleted.
   */
  sweep(stack: string): Promise<string[]> {
    return sweepTagged(this.clients, this.regions([stack]), this.defaultTags(stack));
  }

  /** The default tags of `stack`'s first AWS provider: what marks its resources as its own. */
  defaultTags(stack: string): TagSelector {
    const [provider] = this.stack(stack).provider?.aws ?? [];
    const tags = block(block(provider?.default_tags)?.tags);
    return Object.fromEntries(Object.entries(tags ?? {}).map(([key, value]) => [key, String(value)]));
  }

  /** Plain `terraform` in a stack's directory (initialized by a deploy). */
  terraform(stack: string, args: readonly string[], options: { onLine?: (line: string) => void; onSpawn?: (pid: number) => void } = {}): Promise<CommandResult> {
    return run('terraform', args, { cwd: this.stackDir(stack), env: this.env, ...options });
  }

  /** What exists in the emulator, read with the AWS SDK, for the regions of `stacks`. */
  inventory(stacks: readonly string[]): Promise<Inventory> {
    return readInventory(this.clients, this.regions(stacks));
  }

  /** Leaves the emulator and this directory in place after the process exits. */
  keep(): void {
    this.kept = true;
    this.emulator.keep();
    this.removeDir();
    this.clients.destroy();
  }

  async close(): Promise<void> {
    this.clients.destroy();
    if (this.kept) return;
    await this.emulator.stop();
    rmSync(this.dir, { recursive: true, force: true });
    this.removeDir();
  }

  private cdktf(verb: 'deploy' | 'destroy', stack: string, onEvent: EventSink): Promise<CommandResult> {
    const args = [
      verb,
      stack,
      '--auto-approve',
      '--skip-synth',
      '--app',
      SANDBOX_APP,
      // The lock file would be re-hashed for other platforms, which needs the registry.
      '--skip-provider-lock',
      '--output',
      this.outDir,
      '--terraform-parallelism',
      String(this.parallelism),
    ];
    const onLine = (line: string) => {
      const event = parseTerraformLine(line);
      if (event) onEvent(event);
    };
    return this.checked(`cdktf ${verb} ${stack}`, run(CDKTF, args, { cwd: ROOT, env: this.env, onLine }));
  }

  private async checked(what: string, command: Promise<CommandResult>): Promise<CommandResult> {
    const result = await command;
    if (result.code !== 0) throw new CommandFailedError(what, result);
    return result;
  }
}

/** The last lines worth reading of cdktf's output: no status redraws, errors kept. */
export function relevantTail(output: string, lines = 40): string {
  return stripAnsi(output)
    .split(/\r?\n|\r/)
    .filter((line) => line.trim() !== '' && !/Stacks? (deploying|destroying|done|waiting)/.test(line))
    .slice(-lines)
    .join('\n');
}

