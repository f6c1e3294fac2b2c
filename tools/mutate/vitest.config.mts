import { defineConfig } from 'vitest/config';
import base from '../../vitest.config.mts';

/**
 * The suite StrykerJS runs for each mutant (`npm run mutate`): the fast
 * property tests of the product, with snapshot comparisons off. A mutant a
 * snapshot alone would kill counts as surviving: the score measures what the
 * property tests catch, the thing a reviewer can trust after `npm run snapshots`.
 */
// Spread, not mergeConfig: that concatenates `include`, and would bring back the slow suites.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['tests/environments/**/*.test.ts', 'tests/modules/**/*.test.ts', 'tests/stacks/stacks.test.ts', 'tests/stacks/*-values.test.ts'],
    // MUTATION=on skips the tests that run main.ts in another process (tests/support/mutation.ts).
    env: { SNAPSHOTS: 'off', MUTATION: 'on' },
    // One module graph per run, not per file: the app is synthesized once per mutant (tests/support/synth.ts
    // caches it) instead of once per test file, about four times faster. Each run still starts a fresh worker,
    // so a mutant in module-level code (the schema's defaults) is evaluated anew.
    isolate: false,
    fileParallelism: false,
  },
});
