/**
 * Issue 11, finding 12: a legacy wrapper_test runs the student's code inside it, so the code can
 * print the check. What the student sees of a wrapper's output is capped (the last
 * WRAPPER_MESSAGE_MAX_LINES lines / WRAPPER_MESSAGE_MAX_CHARS characters), a traceback keeps only
 * its exception line, and lines of the wrapper's own source are left out.
 */
import { WRAPPER_MESSAGE_MAX_CHARS, WRAPPER_MESSAGE_MAX_LINES } from '@lms/grading';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wrapperOutputForStudent } from '../../src/server/grade.ts';
import type { GradeService } from '../../src/server/service.ts';
import { createService, describeSandbox, request } from './helpers.ts';

// senjun's shape: the program's print captured, then compared with a hidden literal
const wrapper = `from io import StringIO
import sys

old_stdout = sys.stdout
sys.stdout = mystdout = StringIO()

#INJECT-b585472fa

sys.stdout = old_stdout

if mystdout.getvalue() != "HIDDEN-EXPECTED-OUTPUT\\n":
    print("Solution output isn't correct")
    exit(1)
`;

const checks = { public: null, hidden: null, wrapperTest: wrapper };
const noSource = (text: string) => {
  expect(text).not.toContain('HIDDEN-EXPECTED-OUTPUT');
  expect(text).not.toContain('mystdout');
  expect(text).not.toMatch(/File "/);
};

describe('wrapperOutputForStudent', () => {
  it('keeps the last lines, says how many were cut, and stays under the character cap', () => {
    const out = Array.from({ length: 500 }, (_, i) => `line ${i + 1}`).join('\n');
    const shown = wrapperOutputForStudent(out, wrapper);
    const lines = shown.split('\n');
    expect(lines[0]).toBe(`… (${500 - WRAPPER_MESSAGE_MAX_LINES} lines cut)`);
    expect(lines.slice(1)).toHaveLength(WRAPPER_MESSAGE_MAX_LINES);
    expect(lines.at(-1)).toBe('line 500');
    const long = wrapperOutputForStudent('x'.repeat(100_000), wrapper);
    expect(long.length).toBeLessThanOrEqual(WRAPPER_MESSAGE_MAX_CHARS);
    const wide = Array.from({ length: 30 }, () => 'y'.repeat(500)).join('\n');
    const wideShown = wrapperOutputForStudent(wide, wrapper);
    expect(wideShown).toMatch(/^… \(\d+ lines cut\)\n/);
    expect(wideShown.length).toBeLessThanOrEqual(WRAPPER_MESSAGE_MAX_CHARS + 30);
    // a short message is what the wrapper printed, untouched
    expect(wrapperOutputForStudent("Solution output isn't correct\n", wrapper)).toBe(
      "Solution output isn't correct",
    );
  });

  it('keeps only the exception line of a traceback and drops lines of the wrapper source', () => {
    const traceback = [
      'Checking…',
      'Traceback (most recent call last):',
      '  File "main.py", line 11, in <module>',
      '    if mystdout.getvalue() != "HIDDEN-EXPECTED-OUTPUT\\n":',
      '       ^^^^^^^^',
      "NameError: name 'mystdout' is not defined",
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      'Traceback (most recent call last):',
      '  File "main.py", line 3, in f',
      '    return g()',
      'ValueError: bad',
    ].join('\n');
    expect(wrapperOutputForStudent(traceback, wrapper)).toBe(
      "… (10 lines cut)\nChecking…\nNameError: name 'mystdout' is not defined\nValueError: bad",
    );
    const syntax =
      '  File "main.py", line 7\n    x = (\n        ^\nSyntaxError: \'(\' was never closed';
    expect(wrapperOutputForStudent(syntax, wrapper)).toBe(
      "… (3 lines cut)\nSyntaxError: '(' was never closed",
    );
    // the wrapper printed by the code inside it: every line of its source is left out
    const printed = wrapperOutputForStudent(wrapper, wrapper);
    noSource(printed);
  });
});

describeSandbox('a failing wrapper_test as the student sees it', () => {
  let service: GradeService;
  beforeAll(async () => {
    service = await createService({ GRADER_UID_BASE: '64900', GRADER_MAX_RUNS: '4' });
  });
  afterAll(() => service?.close());

  it('a wrapper printing 500 lines: the last 20, "… (N lines cut)"', async () => {
    const code =
      'import sys\nfor i in range(500):\n    print("line", i + 1, file=sys.__stdout__)\n';
    const r = await service.grade(request({ code, checks }));
    expect(r.status).toBe('failed');
    const message = r.tests[0]!.message!;
    const lines = message.split('\n');
    expect(lines[0]).toBe('… (481 lines cut)'); // 500 lines and the wrapper's own 1
    expect(lines).toHaveLength(1 + WRAPPER_MESSAGE_MAX_LINES);
    expect(lines.at(-1)).toBe("Solution output isn't correct");
    expect(lines.at(-2)).toBe('line 500');
    expect(message.length).toBeLessThanOrEqual(WRAPPER_MESSAGE_MAX_CHARS + 30);
    // the run the student sees is the wrapper's: its output capped alike
    expect(r.stdout.split('\n')).toHaveLength(1 + WRAPPER_MESSAGE_MAX_LINES);
  });

  it('a traceback: only its exception line, no frame or line of the wrapper', async () => {
    const r = await service.grade(request({ code: 'print(undefined_name)\n', checks }));
    expect(r.status).toBe('failed');
    const message = r.tests[0]!.message!;
    expect(message).toMatch(/NameError: name 'undefined_name' is not defined$/);
    noSource(message);
    noSource(r.stderr);
    expect(r.traceback).toMatch(/^(… \(\d+ lines cut\)\n)?NameError: name 'undefined_name'/);
    noSource(r.traceback ?? '');
  });

  it('code that prints the wrapper (open(__file__)) and fails shows none of its lines', async () => {
    const code =
      'import os, sys\nos.write(1, open(__file__).read().encode())\nos.write(2, open(__file__).read().encode())\nsys.exit(1)\n';
    const r = await service.grade(request({ code, checks }));
    expect(r.status).toBe('failed');
    noSource(r.tests[0]!.message ?? '');
    noSource(r.stdout);
    noSource(r.stderr);
  });
});
