/**
 * Issue 11, finding 12: `lms-content convert-wrapper` turns a legacy wrapper_test into
 * tests_hidden.py in our format where the wrapper's checks read only the program's output and
 * code. On the senjun sample the converted checks are graded by the real grader against what
 * the wrapper said: the same verdict for every reference answer and starter, and code that
 * tampers with the check (it runs inside a wrapper, not inside our tests) passes the wrapper
 * and fails the converted check.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  analyseWrappers,
  convertCourse,
  formatConversions,
  writeConversion,
} from '../src/convert-wrapper.ts';
import { pool } from '../src/doctor/pool.ts';
import { findGraderBin, graderCliRunner } from '../src/doctor/runner.ts';
import { compileCourse, hasLegacyCheck, typedOutputMatches } from '../src/index.ts';
import { IN_CI, REPO_ROOT, SENJUN_SAMPLE_DIR } from './helpers.ts';

const haveSample = existsSync(join(SENJUN_SAMPLE_DIR, 'python_chapter_0010', 'text.md'));
const GRADER_BIN = findGraderBin([REPO_ROOT]);
if (!haveSample) console.warn(`convert-wrapper sample tests skipped: ${SENJUN_SAMPLE_DIR} missing`);

const analyse = (wrapper: string, kind: 'program' | 'output' = 'program') =>
  analyseWrappers([{ id: 't', wrapper, kind }]).get('t')!;

/**
 * A wrong program made of the reference answer: it runs the answer with its output captured,
 * then prints that output changed by `mutation` (Python, over the str `out`). The answer's code is
 * all there (a check of the code alone sees it), only the output is wrong.
 */
function mutant(answer: string, mutation: string): string {
  return [
    'import io as _lms_io, sys as _lms_sys',
    '_lms_real = _lms_sys.stdout',
    '_lms_sys.stdout = _lms_buf = _lms_io.StringIO()',
    answer,
    '_lms_sys.stdout = _lms_real',
    'out = _lms_buf.getvalue()',
    mutation,
    'print(out, end="")',
    '',
  ].join('\n');
}
/** off by one: the first number in the output one more (or, without one, a letter changed) */
const OFF_BY_ONE = String.raw`import re as _lms_re
if _lms_re.search(r"\d+", out):
    out = _lms_re.sub(r"\d+", lambda m: str(int(m.group()) + 1), out, count=1)
else:
    out = _lms_re.sub(r"[A-Za-z]", lambda m: m.group().swapcase(), out, count=1)`;
/** a line missing: the output's last non-empty line left out */
const MISSING_LINE = String.raw`_lms_lines = out.split("\n")
_lms_last = max(i for i, l in enumerate(_lms_lines) if l.strip())
out = "\n".join(_lms_lines[:_lms_last] + _lms_lines[_lms_last + 1:])`;

const CAPTURE = `from io import StringIO
import sys

old_stdout = sys.stdout
sys.stdout = mystdout = StringIO()

#INJECT-b585472fa

sys.stdout = old_stdout
`;

describe('reading a wrapper', () => {
  it('turns "if <cond>: print(msg); exit(1)" on the output and the code into asserts', () => {
    const r = analyse(
      `${CAPTURE}
if mystdout.getvalue() != "5 8\\n":
    print("Solution output isn't correct")
    exit(1)

s = """
#INJECT-ESCAPED-b585472fa
"""

for line in s.split("\\n"):
    if line.startswith("if") or ";" in line:
        if len(line) >= 69:
            print("line", len(line), "is too long")
            sys.exit(2)
print("All tests passed!")
`,
    );
    expect(r).toMatchObject({ ok: true, checks: 2, stdout: true, source: true });
    expect(r.body).toEqual([
      `assert run.stdout == '5 8\\n', "Solution output isn't correct"`,
      `s = '\\n' + run.source + '\\n'`,
      `for line in s.split('\\n'):\n    if line.startswith('if') or ';' in line:\n        assert len(line) < 69, ' '.join(map(str, ('line', len(line), 'is too long')))`,
    ]);
  });

  it('says why a wrapper that reads what the program defines cannot be converted', () => {
    const fn = analyse(`${CAPTURE}
if "square" not in globals():
    print("no square")
    exit(1)
if square(7) != 49:
    exit(1)
`);
    expect(fn).toMatchObject({ ok: false });
    expect(fn.reason).toMatch(
      /reads what the program defines \(globals\(\), square\): tests see only its output and source/,
    );
    const early = analyse(`${CAPTURE}\nif mystdout.getvalue() == "x":\n    exit(0)\n`);
    expect(early.reason).toMatch(/ends with a pass \(exit\(0\)\)/);
    const before = analyse(`import sys\nprint("setup")\n#INJECT-b585472fa\nexit(1)\n`);
    expect(before.reason).toMatch(/runs code of its own before the program/);
    const inside = analyse(`try:\n    #INJECT-b585472fa\nexcept Exception:\n    exit(1)\n`);
    expect(inside.reason).toMatch(/runs the program inside other code/);
    const opens = analyse(`${CAPTURE}\nif open("x").read() != mystdout.getvalue():\n    exit(1)\n`);
    expect(opens.reason).toMatch(/calls open\(\)/);
    // an output task's wrapper that runs the typed text as code
    expect(analyse(`#INJECT-b585472fa\n`, 'output').reason).toMatch(/runs the typed answer/);
  });

  it('refuses a check that a try would swallow once it is an assert', () => {
    // exit(1) raised SystemExit, which `except Exception` let through; an AssertionError it catches
    const guarded = (handler: string) =>
      analyse(`${CAPTURE}
try:
    n = int(mystdout.getvalue())
    if n != 42:
        print("wrong number")
        exit(1)
${handler}:
    print("not a number")
    exit(1)
`);
    for (const handler of [
      'except',
      'except Exception',
      'except BaseException',
      'except AssertionError',
      'except (ValueError, Exception) as e',
      'except builtins.Exception',
    ]) {
      const r = guarded(handler);
      expect(r, handler).toMatchObject({ ok: false });
      expect(r.reason, handler).toMatch(
        /inside a try whose except catches AssertionError \(line \d+\)/,
      );
    }
    // a handler that lets AssertionError through converts, the check inside the try kept
    const narrow = guarded('except ValueError');
    expect(narrow).toMatchObject({ ok: true, checks: 2 });
    expect(narrow.body!.join('\n')).toMatch(/try:\n {4}n = int\(run\.stdout\)\n {4}assert n == 42/);
    // a check in the handler itself is not inside the try's body
    const inHandler = analyse(`${CAPTURE}
try:
    n = int(mystdout.getvalue())
except Exception:
    print("not a number")
    exit(1)
if n != 42:
    exit(1)
`);
    expect(inHandler).toMatchObject({ ok: true, checks: 2 });
  });

  it('refuses a wrapper printing into the captured output (its expected output has that line)', () => {
    const r = analyse(`from io import StringIO
import sys

old_stdout = sys.stdout
sys.stdout = mystdout = StringIO()

#INJECT-b585472fa
print("END")

sys.stdout = old_stdout

if mystdout.getvalue() != "42\\nEND\\n":
    print("Solution output isn't correct")
    exit(1)
`);
    expect(r).toMatchObject({ ok: false });
    expect(r.reason).toMatch(/prints into the captured output \(line \d+/);
    const nested = analyse(`${CAPTURE.replace('sys.stdout = old_stdout\n', '')}
if True:
    print("END")
sys.stdout = old_stdout
if mystdout.getvalue() != "42\\nEND\\n":
    exit(1)
`);
    expect(nested.reason).toMatch(/prints into the captured output/);
    // after the restore a print goes to the real output: dropped, as before
    const after = analyse(`${CAPTURE}
print("Checking")
if mystdout.getvalue() != "42\\n":
    exit(1)
`);
    expect(after).toMatchObject({ ok: true, checks: 1 });
  });
});

describe.skipIf(!haveSample && !IN_CI)('convert-wrapper on the senjun sample', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lms-convert-wrapper-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const copy = join(tmp, 'python');

  it('converts 17 of the 50 wrappers (15 to tests_hidden.py, 2 output tasks to their answer)', () => {
    const { conversions, errors } = convertCourse(SENJUN_SAMPLE_DIR);
    expect(errors).toEqual([]);
    expect(conversions).toHaveLength(50);
    const kinds = (k: string) =>
      conversions.filter((c) => c.outcome.kind === k).map((c) => c.taskId);
    expect(kinds('tests')).toHaveLength(15);
    expect(kinds('answer')).toEqual([
      'python_chapter_0070_task_0040',
      'python_chapter_0070_task_0060',
    ]);
    expect(kinds('not-convertible')).toHaveLength(33);
    const reason = (id: string) => {
      const o = conversions.find((c) => c.taskId === id)!.outcome;
      return o.kind === 'not-convertible' ? o.reason : o.kind;
    };
    expect(reason('python_chapter_0050_task_0010')).toMatch(/get_words_count/);
    expect(reason('python_chapter_0010_task_0010')).toMatch(/locals\(\), err_service_unavailable/);
    const report = formatConversions(conversions, false);
    expect(report).toContain(
      '17 of 50 wrapper_tests convert (15 to tests_hidden.py, 2 output tasks need only their answer); 33 cannot be converted',
    );
    expect(report.join('\n')).toMatch(/docs\/check-format\.md#converting-a-wrapper_test/);

    // --write: tests_hidden.py in place of each converted wrapper_test
    cpSync(SENJUN_SAMPLE_DIR, copy, { recursive: true });
    const written = convertCourse(copy);
    for (const c of written.conversions) writeConversion(c);
    const dir = join(copy, 'python_chapter_0010', 'tasks', 'python_chapter_0010_task_0020');
    expect(existsSync(join(dir, 'wrapper_test'))).toBe(false);
    expect(readFileSync(join(dir, 'tests_hidden.py'), 'utf8')).toMatch(
      /assert run\.stdout == 'Returned HTTP code 200\\n', "Solution output isn't correct"/,
    );
    // the converted course compiles; only the unconverted tasks keep a legacy check
    const { course, errors: compileErrors } = compileCourse(copy);
    expect(compileErrors).toEqual([]);
    const tasks = course!.chapters.flatMap((c) => c.tasks);
    expect(tasks.filter((t) => hasLegacyCheck(t))).toHaveLength(33);
    // the output tasks: their answer is what the wrapper accepted
    for (const c of conversions.filter((c) => c.outcome.kind === 'answer')) {
      const task = tasks.find((t) => t.id === c.taskId)!;
      expect(task.checks).toEqual({ public: null, hidden: null, wrapperTest: null });
      expect(
        c.outcome.kind === 'answer' && typedOutputMatches(c.outcome.literal, task.answer),
      ).toBe(true);
    }
  });

  it.runIf(GRADER_BIN || IN_CI)(
    'the real grader: converted checks judge every answer, starter and wrong program as the wrapper did; tampering fails them',
    { timeout: 600_000 },
    async () => {
      expect(GRADER_BIN, 'lms-grader is not linked (npm ci)').not.toBeNull();
      if (!existsSync(copy)) throw new Error('the conversion test above did not run');
      const original = compileCourse(SENJUN_SAMPLE_DIR).chapters.flatMap((c) => c.tasks);
      const converted = compileCourse(copy).course!.chapters.flatMap((c) => c.tasks);
      const pairs = converted
        .filter((t) => t.checks.hidden !== null)
        .map((t) => ({ after: t, before: original.find((o) => o.id === t.id)! }));
      expect(pairs).toHaveLength(15);
      // prints nothing and ends at once with a pass: inside a wrapper the check never runs
      const tamper = 'import os\nos._exit(0)\n';
      const runner = graderCliRunner(GRADER_BIN!, { env: { GRADER_UID_BASE: '64950' } });
      try {
        const rows = await pool(
          4,
          pairs.map(({ before, after }) => async () => {
            const verdict = async (task: typeof before, code: string) =>
              (await runner.checkTask!(task, code)).status;
            return {
              id: after.id,
              readsOutput: after.checks.hidden!.includes('run.stdout'),
              answer: [await verdict(before, before.answer), await verdict(after, after.answer)],
              starter: [await verdict(before, before.starter), await verdict(after, after.starter)],
              tamper: [await verdict(before, tamper), await verdict(after, tamper)],
              // wrong programs: the reference answer with its output off by one, a line missing
              offByOne: [
                await verdict(before, mutant(before.answer, OFF_BY_ONE)),
                await verdict(after, mutant(after.answer, OFF_BY_ONE)),
              ],
              missingLine: [
                await verdict(before, mutant(before.answer, MISSING_LINE)),
                await verdict(after, mutant(after.answer, MISSING_LINE)),
              ],
            };
          }),
        );
        const explain = JSON.stringify(rows, null, 1);
        for (const row of rows) {
          // the same verdict on the reference answer and on the starter
          expect(row.answer[1], `${row.id} answer\n${explain}`).toBe(row.answer[0]);
          expect(row.starter[0], `${row.id} starter`).not.toBe('passed');
          expect(row.starter[1], `${row.id} starter`).not.toBe('passed');
          // the wrapper falls for it; the converted check does not where it reads the output
          // (a check of the code alone, e.g. "no line over 18 characters", is as weak as it was)
          expect(row.tamper[0], `${row.id} tamper`).toBe('passed');
          if (row.readsOutput) expect(row.tamper[1], `${row.id} tamper`).toBe('failed');
          // a wrong program fails the converted check wherever it reads the output, as it
          // fails the wrapper (a check of the code alone cannot see the output: as it was)
          for (const wrong of [row.offByOne, row.missingLine]) {
            if (!row.readsOutput || row.answer[0] !== 'passed') continue;
            expect(wrong[0], `${row.id} wrong program, wrapper\n${explain}`).toBe('failed');
            expect(wrong[1], `${row.id} wrong program, converted\n${explain}`).toBe('failed');
          }
        }
        // every answer passes but the one the sample gets wrong (it fails its wrapper too)
        expect(rows.filter((r) => r.answer[1] !== 'passed').map((r) => r.id)).toEqual([
          'python_chapter_0010_task_0040',
        ]);
      } finally {
        await runner.close?.();
      }
    },
  );
});
