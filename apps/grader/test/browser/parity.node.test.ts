/**
 * Parity in Node: the quick check of every program of the shared parity set gives the
 * status CPython gives (test/fixtures/parity/expectations.json, "quick") — with JSPI (as in
 * Chromium) and without it (top-level-await mode, as in browsers that lack JSPI).
 */
import { describe, expect, it } from 'vitest';
import { loadParityCases } from './parity-cases.ts';
import { runScenarios } from './run-scenarios.ts';

const variants = [
  { mode: 'jspi', flags: ['--experimental-wasm-stack-switching'], args: ['parity', 'isolated'] },
  { mode: 'top-level-await', flags: [], args: ['parity'] },
] as const;

describe('parity with CPython (Pyodide in Node)', () => {
  for (const variant of variants) {
    it(`gives the expected quick-check status for every program (${variant.mode})`, {
      timeout: 300_000,
    }, async () => {
      const out = await runScenarios([...variant.args], [...variant.flags]);
      expect(out.info.mode).toBe(variant.mode);
      const results = out.results as Record<string, { status: string }>;
      const got = Object.fromEntries(Object.entries(results).map(([f, r]) => [f, r.status]));
      const want = Object.fromEntries(loadParityCases().map((c) => [c.file, c.quick]));
      expect(Object.keys(want).length).toBeGreaterThanOrEqual(8);
      expect(got, JSON.stringify(out.results, null, 1)).toEqual(want);
    });
  }
});
