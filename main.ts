/**
 * Composition root: validate every environment, then build and synthesize
 * the state-backend stack and one stack per environment. Validation runs
 * first, so a bad environment writes nothing.
 */
import { App } from 'cdktf';
import { EnvironmentValidationError, readEnvironmentSources, validateEnvironments } from './environments/load';
import { stateBackend } from './environments/state-backend';
import { assertCompliant, SecurityViolationError, summarize } from './modules/security';
import { buildStacks, targetFromEnvironment } from './stacks';

async function main(): Promise<void> {
  // ENVIRONMENTS_DIR swaps in another set of environment files (tests, forks).
  const environments = validateEnvironments(await readEnvironmentSources(process.env.ENVIRONMENTS_DIR || undefined));
  // cdktf records a full stack trace for every token it creates; with tsx's source maps on, each frame is
  // source-mapped too (~15 % of synth, BENCHMARKS.md). Errors thrown later still map: V8 formats stacks lazily.
  process.setSourceMapsEnabled(false);
  const app = new App();
  buildStacks(app, environments, stateBackend, targetFromEnvironment());
  // The security pack checks every stack before the first is written (modules/security).
  app.synth();
  const reports = assertCompliant(app);
  process.stdout.write(`Security rule pack\n${reports.map((r) => `  ${summarize(r).replace(/\n/g, '\n  ')}`).join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.setSourceMapsEnabled(true);
  if (error instanceof EnvironmentValidationError || error instanceof SecurityViolationError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
