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
    expect(bad.tests[0]!.message).toBe('square(7) should be 49, got 14');
    expect(quick.status).toBe('error'); // no checks for the quick stage
  });
});
