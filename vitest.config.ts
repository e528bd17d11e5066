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
          exclude: [...exclude, 'tests/chaos/**', '**/*-chaos.int.test.ts'],
          testTimeout: 90_000,
          hookTimeout: 60_000,
        },
      },
      {
        // a dozen processes each: alone, so neither they nor timing-sensitive tests starve
        extends: true,
        test: {
          name: 'chaos',
          include: ['tests/chaos/**/*.test.ts', '**/*-chaos.int.test.ts'],
          exclude,
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
