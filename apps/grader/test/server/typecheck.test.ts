import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GradeService } from '../../src/server/service.ts';
import { createService, describeSandbox, request } from './helpers.ts';

const checks = {
  public:
    'from lms_checks import test\n@test("3")\ndef t(run):\n    assert run.lines == ["3"], "no 3"\n',
};
const typed = 'def add(a: int, b: int) -> int:\n    return a + b\n\n\nprint(add(1, 2))\n';
const untyped = 'def add(a, b):\n    return a + b\n\n\nprint(add(1, 2))\n';

describeSandbox('run_static_type_checker: mypy --strict first', () => {
  let service: GradeService;
  beforeAll(async () => {
    service = await createService({ GRADER_UID_BASE: '62710', GRADER_MAX_RUNS: '4' });
  });
  afterAll(() => service?.close());

  it('fails untyped code with mypy output, passes typed code', async () => {
    expect(service.sandbox.mypyAvailable).toBe(true); // python3-mypy is installed on this machine
    const flags = { runStaticTypeChecker: true };
    const [bad, good] = await Promise.all([
      service.grade(request({ code: untyped, checks, flags })),
      service.grade(request({ code: typed, checks, flags })),
    ]);
    expect(bad.status).toBe('failed');
    expect(bad.typecheck).toMatchObject({ tool: 'mypy', available: true, passed: false });
    expect(bad.typecheck!.output).toMatch(
      /main\.py:1: error: Function is missing a type annotation/,
    );
    expect(bad.tests).toEqual([
      expect.objectContaining({ name: 'mypy --strict', status: 'failed', origin: 'typecheck' }),
    ]);
    expect(good.status).toBe('passed');
    expect(good.typecheck).toMatchObject({ available: true, passed: true });
    expect(good.tests.map((t) => t.origin)).toEqual(['typecheck', 'public']);
  }, 120_000);

  it('says clearly when mypy is not installed, and grades anyway', async () => {
    const probe = service.sandbox.hasMypy;
    service.sandbox.hasMypy = async () => false; // as on a machine without python3-mypy
    try {
      const result = await service.grade(
        request({ code: untyped, checks, flags: { runStaticTypeChecker: true } }),
      );
      expect(result.status).toBe('passed');
      expect(result.typecheck).toMatchObject({ available: false, passed: null });
      expect(result.typecheck!.output).toMatch(/mypy не установлен/);
    } finally {
      service.sandbox.hasMypy = probe;
    }
  });
});
