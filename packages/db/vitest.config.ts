import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'db',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // database round trips on a shared 2-core machine: generous, but a hang still fails
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
