/**
 * True under `npm run mutate` (tools/mutate/vitest.config.mts sets MUTATION=on).
 * Tests that run the app as a separate process (`node main.ts`) skip then:
 * each takes seconds, together three quarters of the mutation suite's time
 * per mutant, and they test main.ts, which is outside the mutated folders;
 * what they check of environments/ is checked in process too.
 */
export const UNDER_MUTATION = process.env.MUTATION === 'on';
