import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { sharedTestOptions } from '../../vitest.shared.ts';

export default defineProject({
  resolve: {
    alias: { '@/': fileURLToPath(new URL('./src/', import.meta.url)) },
  },
  test: {
    ...sharedTestOptions,
    name: 'web',
    environment: 'node',
    // server tests share one temp SQLite database per file; keep files in separate workers
    pool: 'forks',
    // the info lines (a verdict stored, …) of every test would bury the report
    env: { LMS_LOG_LEVEL: 'warn' },
  },
});
