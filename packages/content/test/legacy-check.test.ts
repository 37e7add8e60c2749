/**
 * Issue 11, finding 12: a task checked by a wrapper_test alone says so (`legacyCheck`: the
 * program runs inside the check and can tamper with it), and the doctor reports such tasks.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { doctorJson, runDoctor } from '../src/doctor/doctor.ts';
import { formatDoctorReport } from '../src/doctor/report-text.ts';
import type { DoctorRunner } from '../src/doctor/runner.ts';
import { compileCourse, hasLegacyCheck, type Task } from '../src/index.ts';

const F = '```';
const tmp = mkdtempSync(join(tmpdir(), 'lms-legacy-check-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A course whose chapter has tasks checked in different ways. */
function makeCourse(): string {
  const dir = join(tmp, 'py');
  const chapter = 'py_chapter_0010';
  const task = (n: number, files: Record<string, string>, source = 'python') => {
    const id = `${chapter}_task_00${n}0`;
    const taskDir = join(dir, chapter, 'tasks', id);
    mkdirSync(taskDir, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(taskDir, name), text);
    return `Задача ${n}. {.task_text}\n\n${F}${source} {.task_source #${id}}\n${F}\n\nПодсказка. {.task_hint}\n\n${F}${source === 'consoleoutput' ? 'consoleoutput' : 'python'} {.task_answer}\nprint(1)\n${F}\n`;
  };
  const wrapper = '#INJECT-b585472fa\nif 1 != 1:\n    exit(1)\n';
  const text = [
    '# Глава\n',
    task(1, { wrapper_test: wrapper }),
    task(2, { 'tests_hidden.py': 'from lms_checks import test\n', wrapper_test: wrapper }),
    task(3, { 'tests_public.py': 'from lms_checks import test\n' }),
    // an output task whose wrapper reads the typed text as a string: not run, no legacy check
    task(
      4,
      {
        wrapper_test:
          'text = """\n#INJECT-ESCAPED-b585472fa\n"""\nif text.strip() != "1":\n    exit(1)\n',
      },
      'consoleoutput',
    ),
    task(5, { wrapper_test: '#INJECT-b585472fa\n' }, 'consoleoutput'),
  ].join('\n');
  mkdirSync(join(dir, chapter), { recursive: true });
  writeFileSync(join(dir, chapter, 'text.md'), text);
  return dir;
}

const passing: DoctorRunner = {
  describe: 'fake',
  async runProgram() {
    return { stdout: '1\n', stderr: '', exitCode: 0, elapsed: 0, timedOut: false };
  },
  async checkTask(_task, code) {
    return code.trim() === ''
      ? { status: 'failed', message: null, tests: [] }
      : { status: code.includes('print') ? 'passed' : 'failed', message: null, tests: [] };
  },
};

describe('legacy checks (a wrapper_test alone)', () => {
  const dir = makeCourse();

  it('the compiled task says so: a wrapper_test alone, into which the code goes as code', () => {
    const { course, errors } = compileCourse(dir);
    expect(errors).toEqual([]);
    const flags = Object.fromEntries(
      course!.chapters[0]!.tasks.map((t) => [t.id.slice(-4), t.legacyCheck]),
    );
    expect(flags).toEqual({
      '0010': true,
      '0020': false,
      '0030': false,
      '0040': false,
      '0050': true,
    });
    // a release compiled before the field existed: derived from the checks
    const old = { ...course!.chapters[0]!.tasks[0]! } as Partial<Task>;
    delete old.legacyCheck;
    expect(hasLegacyCheck(old as Task)).toBe(true);
  });

  it('the doctor lists them: in --json only when there are any, and in its summary', async () => {
    const report = await runDoctor({ courseDir: dir, runner: passing });
    expect(report.legacyChecks).toEqual(['py_chapter_0010_task_0010', 'py_chapter_0010_task_0050']);
    expect(doctorJson(report)).toMatchObject({
      legacyChecks: ['py_chapter_0010_task_0010', 'py_chapter_0010_task_0050'],
    });
    const text = formatDoctorReport(report, { where: () => 'x' });
    expect(text).toContain(
      '2 tasks use a legacy wrapper_test check: the program can tamper with it; see docs/check-format.md#converting-a-wrapper_test (lms-content convert-wrapper)',
    );
    const none = await runDoctor({
      courseDir: dir,
      runner: passing,
      only: 'py_chapter_0010_task_0030',
    });
    expect(none.legacyChecks).toEqual([]);
    expect(doctorJson(none)).not.toHaveProperty('legacyChecks');
    expect(formatDoctorReport(none, { where: () => 'x' }).join('\n')).not.toMatch(/legacy/);
  });
});
