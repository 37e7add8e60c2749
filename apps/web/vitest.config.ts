import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: {
    alias: { '@/': fileURLToPath(new URL('./src/', import.meta.url)) },
  },
  test: {
    name: 'web',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    // server tests share one temp SQLite database per file; keep files in separate workers
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
