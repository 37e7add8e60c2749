/** The request protocol: defaults and errors of parseGradeRequest. */
import { describe, expect, it } from 'vitest';
import { parseGradeRequest } from '../src/protocol.ts';

describe('protocol', () => {
  it('applies defaults and explains bad input with paths', () => {
    const ok = parseGradeRequest({ code: 'print(1)', checks: { public: 'x' } });
    expect(ok).toMatchObject({
      ok: true,
      request: { stage: 'final', limits: { wallSeconds: 10, cpuSeconds: 5, memoryMb: 256 } },
    });
    const bad = parseGradeRequest({ code: 1, checks: {}, limits: { wallSeconds: -1 } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/code: .*limits\.wallSeconds/);
  });
});
