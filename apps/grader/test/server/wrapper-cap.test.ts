/**
 * Issue 11, finding 12 and review finding A: a legacy wrapper_test runs the student's code inside
 * it, so the code can print the check, re-encoded in any way (repr, a prefix on each line, an
 * exception's message). A student sees none of the wrapper run's output as printed: only lines
 * that are a plain literal the wrapper's own source prints, and the class of a builtin exception
 * the run ended in; otherwise the platform's `wrapper_failed`. The attempt's stdout, stderr and
 * traceback of a wrapper-only task are empty. Its author (the doctor, `flags.authorView`) sees
 * the full output.
 */
import { gradingMessages, WRAPPER_MESSAGE_MAX_CHARS } from '@lms/grading';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wrapperMessageLines, wrapperOutputForStudent } from '../../src/server/grade.ts';
import type { GradeService } from '../../src/server/service.ts';
import { createService, describeSandbox, request } from './helpers.ts';

// senjun's shape: the program's print captured, then compared with a hidden literal
const wrapper = `from io import StringIO
import sys

old_stdout = sys.stdout
sys.stdout = mystdout = StringIO()

#INJECT-b585472fa

sys.stdout = old_stdout

# print("commented out: never a message")
if mystdout.getvalue() != "HIDDEN-EXPECTED-OUTPUT\\n":
    print("Solution output isn't correct")
    exit(1)
`;

const checks = { public: null, hidden: null, wrapperTest: wrapper };
const WRAPPER_FAILED = gradingMessages.ru.wrapper_failed;
const noSource = (text: string | null | undefined) => {
  const t = text ?? '';
  for (const marker of ['HIDDEN', 'EXPECTED', 'mystdout', 'getvalue', 'StringIO', 'File "'])
    expect(t).not.toContain(marker);
  // the hidden literal in any encoding the code could pick: hex, reversed, every other char
  expect(t).not.toContain(Buffer.from('HIDDEN').toString('hex'));
  expect(t).not.toContain('NEDDIH');
};
const run = (stdout: string, stderr = '', traceback: string | null = null) => ({
  stdout,
  stderr,
  traceback,
});

describe('wrapperOutputForStudent', () => {
  it('the wrapper messages are the plain literals it prints, nothing else of its source', () => {
    const lines = wrapperMessageLines(`import sys
print("plain")
print('single', end="")
print(f"formatted {x}")
print("concatenated " + x)
print("percent %d" % x)
print("format {}".format(x))
print("two", x)
sys.stdout.write("written\\n")
sys.stderr.write("to stderr")
exit("bye")
sys.exit('sys bye')
x.print("method")
# print("commented")
print("multi\\nline")
print("escaped \\"quote\\" \\u00e9")
if out != "compared":
    pass
`);
    expect([...lines].sort()).toEqual(
      [
        'plain',
        'single',
        'written',
        'to stderr',
        'bye',
        'sys bye',
        'multi',
        'line',
        'escaped "quote" é',
      ].sort(),
    );
  });

  it('shows only the wrapper’s own literal messages and a builtin exception’s class', () => {
    // a plain literal message is shown, trimmed, once
    expect(
      wrapperOutputForStudent(
        run("Solution output isn't correct\n  Solution output isn't correct \n"),
        wrapper,
      ),
    ).toBe("Solution output isn't correct");
    // anything else the run printed is not
    expect(wrapperOutputForStudent(run('line 1\nline 2\n'), wrapper)).toBe('');
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i}`).join('\n');
    expect(wrapperOutputForStudent(run(lines, 'x'.repeat(100_000)), wrapper)).toBe('');
    // a traceback: the exception's class, not its message nor its frames
    const traceback = [
      'Traceback (most recent call last):',
      '  File "main.py", line 11, in <module>',
      '    if mystdout.getvalue() != "HIDDEN-EXPECTED-OUTPUT\\n":',
      "NameError: name 'mystdout' is not defined",
    ].join('\n');
    const shown = wrapperOutputForStudent(run('', traceback, traceback), wrapper);
    expect(shown).toBe('NameError');
    // a class the code made up could be named anything: not shown
    const madeUp = 'Traceback (most recent call last):\nHIDDEN_EXPECTED: x';
    expect(wrapperOutputForStudent(run('', madeUp, madeUp), wrapper)).toBe('');
    // the wrapper's source printed: its lines are code, not its messages
    expect(wrapperOutputForStudent(run(wrapper, wrapper), wrapper)).toBe('');
    expect(
      wrapperOutputForStudent(run('', '', 'Traceback…\nValueError'), wrapper).length,
    ).toBeLessThanOrEqual(WRAPPER_MESSAGE_MAX_CHARS);
  });
});

describeSandbox('a wrapper_test as the student sees it', () => {
  let service: GradeService;
  beforeAll(async () => {
    service = await createService({ GRADER_UID_BASE: '64900', GRADER_MAX_RUNS: '4' });
  });
  afterAll(() => service?.close());

  const grade = (code: string, authorView = false) =>
    service.grade(request({ code, checks, flags: { runStaticTypeChecker: false, authorView } }));
  const hidden = (r: Awaited<ReturnType<typeof grade>>) => {
    noSource(r.tests[0]!.message);
    noSource(r.message);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    expect(r.traceback).toBeNull();
  };

  it('a wrapper printing its literal message: that message, nothing the code printed', async () => {
    const code = 'import sys\nfor i in range(500):\n    print("line", i, file=sys.__stdout__)\n';
    const r = await grade(code);
    expect(r.status).toBe('failed');
    expect(r.tests[0]!.message).toBe("Solution output isn't correct");
    expect(r.tests[0]!.messageCode).toBeUndefined();
    hidden(r);
  });

  it('bypass: the wrapper source printed as repr (and as it is), then failing', async () => {
    const code =
      'import os, sys\nsrc = open(__file__).read()\nprint(repr(src), file=sys.__stdout__)\nos.write(1, src.encode())\nos.write(2, src.encode())\nsys.exit(1)\n';
    const r = await grade(code);
    expect(r.status).toBe('failed');
    expect(r.tests[0]!.message).toBe(WRAPPER_FAILED);
    expect(r.tests[0]!.messageCode).toEqual({ code: 'wrapper_failed', params: {} });
    hidden(r);
  });

  it('bypass: every line of the source with a prefix, on both streams', async () => {
    const code =
      'import sys\nfor l in open(__file__).read().splitlines():\n    print("> " + l, file=sys.__stdout__)\n    print(l[::-1], file=sys.__stderr__)\n    print(l.encode().hex(), file=sys.__stderr__)\n';
    const r = await grade(code);
    expect(r.status).toBe('failed');
    // the wrapper still ran its check and printed its own message
    expect(r.tests[0]!.message).toBe("Solution output isn't correct");
    hidden(r);
  });

  it('bypass: the source in an exception’s message: only the class is shown', async () => {
    const r = await grade('raise ValueError(repr(open(__file__).read()))\n');
    expect(r.status).toBe('failed');
    expect(r.tests[0]!.message).toBe('ValueError');
    hidden(r);
    const named = await grade('print(undefined_name)\n');
    expect(named.tests[0]!.message).toBe('NameError');
    hidden(named);
    // a class made up by the code: its name could hold anything
    const madeUp = await grade(
      'raise type(open(__file__).read()[-80:].replace("\\n", " "), (Exception,), {})()\n',
    );
    expect(madeUp.status).toBe('failed');
    expect(madeUp.tests[0]!.message).toBe(WRAPPER_FAILED);
    hidden(madeUp);
  });

  it('a passing run printing the source: the attempt shows none of it', async () => {
    const code =
      'import os, sys\nsrc = open(__file__).read()\nos.write(1, src.encode())\nprint(repr(src), file=sys.__stderr__)\nprint("HIDDEN-EXPECTED-OUTPUT")\n';
    const r = await grade(code);
    expect(r.status).toBe('passed');
    expect(r.tests[0]!.message).toBeNull();
    hidden(r);
  });

  it('its author (flags.authorView) sees the full output, with the traceback', async () => {
    const r = await grade('print(undefined_name)\n', true);
    expect(r.status).toBe('failed');
    expect(r.tests[0]!.message).toMatch(/^Traceback \(most recent call last\):/m);
    expect(r.tests[0]!.message).toMatch(/NameError: name 'undefined_name' is not defined$/);
    expect(r.traceback).toMatch(/NameError: name 'undefined_name'/);
  });
});
