import { defineConfig } from 'vitest/config';

const exclude = ['node_modules/**', '.infra/**', 'dist/**'];

export default defineConfig({
  test: {
    setupFiles: ['./vitest.setup.ts'],
    // Integration tests start real servers; two cores, so keep parallelism modest.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: [...exclude, '**/*.int.test.ts', 'tests/**'],
          testTimeout: 10_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['**/*.int.test.ts', 'tests/**/*.test.ts'],
          exclude,
          testTimeout: 90_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
