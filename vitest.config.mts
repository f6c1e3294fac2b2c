import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    // The offline terraform suite plans every stack with the real provider.
    testTimeout: 30_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // The end-to-end file mostly waits on the emulator: let it run beside the others.
    maxWorkers: 2,
    // GitHub's workflow parser imports its schema JSON without an import attribute; let Vite load it.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
