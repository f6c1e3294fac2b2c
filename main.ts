/**
 * Composition root: validate every environment and the state backend, then
 * build and synthesize the state-backend stack and one stack per environment.
 * Validation runs first, and synthesis writes beside the output directory,
 * moving in only once the security pack has passed: a failed run leaves
 * cdktf.out as it was, or absent. Run as cdktf.json's app, it builds for AWS;
 * another entry point (the workbench's sandbox) runs it with its own target.
 */
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { App } from 'cdktf';
import { EnvironmentValidationError, readEnvironmentSources, validateConfiguration } from './environments/load';
import { stateBackend } from './environments/state-backend';
import { assertCompliant, SecurityViolationError, summarize } from './modules/security';
import { AWS_TARGET, buildStacks, type DeployTarget } from './stacks';

export async function synthesize(target: DeployTarget = AWS_TARGET): Promise<void> {
  // ENVIRONMENTS_DIR swaps in another set of environment files (tests, forks).
  const sources = await readEnvironmentSources(process.env.ENVIRONMENTS_DIR || undefined);
  const { environments, warnings } = validateConfiguration(sources, stateBackend);
  // cdktf records a full stack trace for every token it creates; with tsx's source maps on, each frame is
  // source-mapped too (~15 % of synth, BENCHMARKS.md). Errors thrown later still map: V8 formats stacks lazily.
  process.setSourceMapsEnabled(false);
  // cdktf-cli passes the output directory in CDKTF_OUTDIR; run directly, it is ./cdktf.out as for App.
  const reports = synthesizeInto(resolve(process.env.CDKTF_OUTDIR || 'cdktf.out'), (app) => {
    buildStacks(app, environments, stateBackend, target);
    // The security pack checks every stack before the first is written (modules/security).
    app.synth();
    return assertCompliant(app);
  });
  process.stdout.write(`Security rule pack\n${reports.map((r) => `  ${summarize(r).replace(/\n/g, '\n  ')}`).join('\n')}\n`);
  if (warnings.length > 0) process.stdout.write(`Warnings\n${warnings.map((w) => `  - ${w}`).join('\n')}\n`);
}

/**
 * Runs `synthesize` on an App that writes to a scratch directory beside
 * `outdir` (same file system, so moving is renaming), and moves the result in
 * only when it returns: cdktf creates its outdir as soon as the App exists,
 * and a throw from a waiver or the pack would otherwise leave it behind.
 */
function synthesizeInto<T>(outdir: string, synthesize: (app: App) => T): T {
  const scratch = mkdtempSync(join(dirname(outdir), `.${basename(outdir)}-`));
  try {
    // A directory the App creates itself has the usual mode; mkdtemp's is private.
    const written = join(scratch, 'out');
    const result = synthesize(new App({ outdir: written }));
    moveInto(written, outdir);
    return result;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Moves everything in `from` into `to`, replacing same-named files and keeping
 * the others, as cdktf writing in place does: a stack's `.terraform/` from
 * `terraform init` survives re-synthesis.
 */
function moveInto(from: string, to: string): void {
  if (!existsSync(to)) {
    renameSync(from, to);
    return;
  }
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory() && existsSync(target) && statSync(target).isDirectory()) {
      moveInto(source, target);
    } else {
      rmSync(target, { recursive: true, force: true });
      renameSync(source, target);
    }
  }
}

/** Runs `synthesize` as a command: one message per failure it expects, exit 1. */
export function runSynthesis(target?: DeployTarget): void {
  synthesize(target).catch(reportFailure);
}

function reportFailure(error: unknown): void {
  process.setSourceMapsEnabled(true);
  if (error instanceof EnvironmentValidationError || error instanceof SecurityViolationError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
}

if (require.main === module) runSynthesis();
