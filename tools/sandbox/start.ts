/**
 * `npm start`: the stacks, deployed for real into a local AWS emulator.
 * Starts moto on a free loopback port, deploys `state-backend` and then an
 * environment with the real cdktf CLI and Terraform, prints what exists (read
 * back with the AWS SDK), destroys it all and stops the emulator.
 *
 *   npm start                       # dev
 *   npm start -- --env prod         # any environment; repeat --env for several
 *   npm start -- --keep             # leave the emulator and its resources running
 *   npm start -- --port 4566        # try this port first
 */
import { defineCommand, HelpRequested, parseCommand } from '../lib/cli';
import { UsageError } from '../lib/usage-error';
import { EmulatorMissingError } from './emulator';
import { leftovers } from './inventory';
import { renderInventory } from './inventory-report';
import { isShuttingDown } from '../lib/processes';
import { Progress } from './progress';
import { SANDBOX_APP, Sandbox } from './sandbox';
import { STATE_BACKEND_STACK } from '../../stacks';

interface Options {
  readonly environments: string[];
  readonly keep: boolean;
  readonly port?: number;
}

const START_COMMAND = defineCommand({
  usage: 'npm start -- [options]',
  summary:
    'Starts the embedded AWS emulator, deploys the state backend and the environments into it with cdktf, shows what exists, ' +
    'destroys everything, checks that nothing is left and stops the emulator.',
  options: {
    env: { type: 'string', multiple: true, default: [], valueName: '<name>', description: 'Environment to deploy; dev when none is given.' },
    keep: { type: 'boolean', default: false, description: 'Leave the emulator and everything deployed running, and print how to use it.' },
    port: { type: 'string', valueName: '<n>', description: 'Emulator port to try first (a busy port is replaced by a free one).' },
  },
});

function parseStartArgs(argv: readonly string[]): Options {
  const { values } = parseCommand(START_COMMAND, argv);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new UsageError('--port takes a port number');
  return { environments: values.env.length ? [...new Set(values.env)] : ['dev'], keep: values.keep, port };
}

async function main(): Promise<void> {
  const options = parseStartArgs(process.argv.slice(2));
  const progress = new Progress();
  const started = Date.now();
  const envs = options.environments;
  const stacks = [STATE_BACKEND_STACK, ...envs];
  progress.line(`Local sandbox: ${envs.join(', ')} on an AWS emulator (moto), deployed with cdktf and Terraform.\n`);

  const sandbox = await progress.step('Start the emulator', () => Sandbox.create({ port: options.port }));
  try {
    progress.line(`  ${sandbox.endpoint} · work dir ${sandbox.dir}`);
    await progress.step('Synthesize the stacks for the emulator (cdktf synth)', () => sandbox.synth());
    const known = sandbox.synthesizedStacks();
    const unknown = envs.filter((env) => !known.includes(env));
    if (unknown.length) throw new Error(`no environment named ${unknown.join(', ')}; these exist: ${known.filter((s) => s !== STATE_BACKEND_STACK).join(', ')}`);

    await progress.step(`Deploy ${STATE_BACKEND_STACK}, then ${envs.join(' and ')} (cdktf deploy)`, async (status) => {
      const backend = sandbox.deployStateBackend(status.watch(STATE_BACKEND_STACK));
      await backend.usable;
      await Promise.all([backend.done, ...envs.map((env) => sandbox.deploy(env, status.watch(env)))]);
    });

    const inventory = await progress.step('Read back what exists (AWS SDK)', () => sandbox.inventory(stacks));
    progress.line(`\n${renderInventory(inventory)}\n`);

    if (options.keep) {
      sandbox.keep();
      progress.line(keepInstructions(sandbox, envs));
      return;
    }

    const lifted = await progress.step(`Destroy ${envs.join(' and ')} (cdktf destroy)`, (status) =>
      Promise.all(envs.map((env) => sandbox.teardown(env, status.watch(env)))),
    );
    if (lifted.flat().length) progress.line(`  deletion protection lifted first on ${lifted.flat().join(', ')}, as an operator tearing it down would`);
    await progress.step(`Destroy ${STATE_BACKEND_STACK} (cdktf destroy)`, (status) =>
      sandbox.destroy(STATE_BACKEND_STACK, status.watch(STATE_BACKEND_STACK)),
    );
    const left = leftovers(await sandbox.inventory(stacks));
    if (Object.keys(left).length > 0) throw new Error(`resources left after destroy: ${JSON.stringify(left)}`);
    progress.line(`Nothing is left in the emulator. Done in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  } finally {
    await sandbox.close();
  }
}

function keepInstructions(sandbox: Sandbox, envs: readonly string[]): string {
  const region = sandbox.regions([envs[0] ?? 'dev'])[0] ?? 'ap-northeast-2';
  return [
    `The emulator keeps running at ${sandbox.endpoint} (pid ${sandbox.emulator.pid}); its files are in ${sandbox.dir}.`,
    'Use it from a shell in this project:',
    `  export WEB_TIER_EMULATOR_ENDPOINT=${sandbox.endpoint} WEB_TIER_EMULATOR_STATE_DIR=${sandbox.stateDir} TF_CLI_CONFIG_FILE=${sandbox.cliConfigFile} CHECKPOINT_DISABLE=1`,
    `  npx cdktf diff ${envs[0]} --app '${SANDBOX_APP}' --skip-provider-lock --output ${sandbox.outDir}`,
    `  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing aws --endpoint-url ${sandbox.endpoint} --no-verify-ssl --region ${region} autoscaling describe-auto-scaling-groups`,
    `Stop it: kill ${sandbox.emulator.pid} && rm -rf ${sandbox.dir}`,
  ].join('\n');
}

main().catch((error: unknown) => {
  if (isShuttingDown()) return; // interrupted: the signal handler reports and exits
  if (error instanceof HelpRequested) {
    process.stdout.write(error.message);
    return;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`start: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  if (error instanceof EmulatorMissingError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
