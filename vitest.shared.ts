/**
 * What every workspace's Vitest project shares: tests live in the package's `test/` folder
 * (mirroring `src/`), and waits are sized for a loaded machine (CI may share its 2 cores with
 * other work), so a timeout means a hang, not a slow machine. Tests wait for events
 * (`expect.poll`, `vi.waitFor`), never for fixed durations.
 */
import type { ViteUserConfig } from 'vitest/config';

export const sharedTestOptions = {
  include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
  expect: { poll: { timeout: 30_000, interval: 100 } },
} satisfies NonNullable<ViteUserConfig['test']>;
