import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GradeStatus } from '@lms/grading';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GradeService } from '../../src/server/service.ts';
import { createService, describeSandbox, PARITY_DIR, REPO, request } from './helpers.ts';

/** The parity set (shared with the Pyodide side): every program, both stages, on CPython in bwrap. */
interface ParityCase {
  file: string;
  task: string;
  limits: { wallSeconds?: number };
  quick: GradeStatus;
  final: GradeStatus;
}
const expectations = JSON.parse(readFileSync(join(PARITY_DIR, 'expectations.json'), 'utf8')) as {
  tasksDir: string;
  cases: ParityCase[];
};

function checksOf(task: string) {
  const dir = join(REPO, expectations.tasksDir, task);
  return {
    public: readFileSync(join(dir, 'tests_public.py'), 'utf8'),
    hidden: readFileSync(join(dir, 'tests_hidden.py'), 'utf8'),
  };
}

describeSandbox('parity set on CPython (bwrap)', () => {
  let service: GradeService;
  const got = new Map<string, { status: GradeStatus; message: string | null }>();

  beforeAll(async () => {
    service = await createService({ GRADER_UID_BASE: '62200' });
    await Promise.all(
      expectations.cases.flatMap((c) =>
        (['quick', 'final'] as const).map(async (stage) => {
          const result = await service.grade(
            request({
              code: readFileSync(join(PARITY_DIR, c.file), 'utf8'),
              taskId: c.task,
              checks: checksOf(c.task),
              limits: c.limits,
              stage,
            }),
          );
          got.set(`${c.file}:${stage}`, { status: result.status, message: result.message });
        }),
      ),
    );
  });
  afterAll(() => service?.close());

  for (const c of expectations.cases) {
    for (const stage of ['quick', 'final'] as const) {
      it(`${c.file} (${stage}) → ${c[stage]}`, () => {
        const result = got.get(`${c.file}:${stage}`)!;
        expect(result.status, result.message ?? '').toBe(c[stage]);
      });
    }
  }
});
