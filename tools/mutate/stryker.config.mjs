// @ts-check
/**
 * `npm run mutate`: StrykerJS over the product (environments/, modules/,
 * stacks/), each mutant run against the fast property tests with snapshot
 * comparisons off (./vitest.config.mts). Not part of `npm test`: a full run
 * takes tens of minutes on two cores. The score is in BENCHMARKS.md; see
 * docs/testing.md, "Mutation testing".
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'tools/mutate/vitest.config.mts', related: true },
  plugins: ['@stryker-mutator/vitest-runner', './tools/mutate/ignore-documentation.mjs'],
  ignorers: ['documentation'],
  mutate: [
    'environments/**/*.ts',
    'modules/**/*.ts',
    'stacks/**/*.ts',
    // The Lambda handler is bundled and tested through its own mocked SDK suite; its bundle step is product code.
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 60_000,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
