import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'ui',
    environment: 'jsdom',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts', 'test/**/*.test.tsx'],
    // axe over a whole rendered chapter takes ~2 s alone; on a loaded 2-core machine the
    // default 5 s timeout failed once. No test here is about timing.
    testTimeout: 30_000,
  },
});
