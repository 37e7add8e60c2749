/**
 * Parity in Node: the quick check of every program of the shared parity set gives the
 * status CPython gives (test/fixtures/parity/expectations.json, "quick").
 */
import { describe, expect, it } from 'vitest';
import { loadParityCases } from './parity-cases.ts';
import { runScenarios } from './run-scenarios.ts';

describe('parity with CPython (Pyodide in Node, JSPI)', () => {
  it('gives the expected quick-check status for every program', { timeout: 240_000 }, async () => {
    const out = await runScenarios(['parity', 'isolated'], ['--experimental-wasm-stack-switching']);
    expect(out.info.mode).toBe('jspi');
    const got = Object.fromEntries(
      Object.entries(out.results as Record<string, { status: string }>).map(([f, r]) => [
        f,
        r.status,
      ]),
    );
    const want = Object.fromEntries(loadParityCases().map((c) => [c.file, c.quick]));
    expect(Object.keys(want).length).toBeGreaterThanOrEqual(8);
    expect(got, JSON.stringify(out.results, null, 1)).toEqual(want);
  });
});
