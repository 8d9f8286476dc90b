import { defineConfig } from 'vitest/config';

// Unit tests sit beside their code and need nothing running. Integration tests under test/ run
// against the real services that infra/services starts (once, in the global setup).
export default defineConfig({
  test: {
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 180_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{api,stream,workflows,activities,core,infra,cli,sdk}/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
