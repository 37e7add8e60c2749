import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GradeService } from '../../src/server/service.ts';
import { createService, describeSandbox, request } from './helpers.ts';

// A legacy wrapper_test: runs the student's code, then checks what it defined.
const wrapper = `import sys
#INJECT-b585472fa
source = #INJECT-ESCAPED-b585472fa
if "def square" not in source:
    print("define a function square")
    sys.exit(1)
if square(7) != 49:
    print("square(7) should be 49, got", square(7))
    sys.exit(1)
`;

describeSandbox('wrapper_test', () => {
  let service: GradeService;
  beforeAll(async () => {
    service = await createService({ GRADER_UID_BASE: '62750', GRADER_MAX_RUNS: '4' });
  });
  afterAll(() => service?.close());

  it('passes on exit 0, fails with what the wrapper printed, runs in the final stage only', async () => {
    const checks = { public: null, hidden: null, wrapperTest: wrapper };
    const [good, bad, quick] = await Promise.all([
      service.grade(request({ code: 'def square(x):\n    return x * x\n', checks })),
      service.grade(request({ code: 'def square(x):\n    return x + x\n', checks })),
      service.grade(
        request({ code: 'def square(x):\n    return x * x\n', checks, stage: 'quick' }),
      ),
    ]);
    expect(good.status).toBe('passed');
    expect(good.tests).toEqual([
      expect.objectContaining({ name: 'wrapper_test', status: 'passed', origin: 'wrapper' }),
    ]);
    expect(bad.status).toBe('failed');
    // the wrapper's message carries a value (print with two arguments): a student sees only the
    // wrapper's plain string literals, so here the platform's words (wrapper-cap.test.ts)
    expect(bad.tests[0]).toMatchObject({
      message: 'Проверка не пройдена.',
      messageCode: { code: 'wrapper_failed' },
    });
    expect(quick.status).toBe('error'); // no checks for the quick stage
  });
});
