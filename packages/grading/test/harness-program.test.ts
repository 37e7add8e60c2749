/** The program driver (lms_runner.py program): a student's program run as CPython runs it. */
import { describe, expect, it } from 'vitest';
import { runProgram, useTempDir } from './python.ts';

const dir = useTempDir();

describe('program driver', () => {
  it('runs the program as __main__ with exit codes as CPython', () => {
    expect(runProgram(dir, 'print(__name__)').stdout).toBe('__main__\n');
    expect(runProgram(dir, 'import sys\nsys.exit(3)').status).toBe(3);
    expect(runProgram(dir, 'import sys\nsys.exit("bye")')).toMatchObject({
      status: 1,
      stderr: 'bye\n',
    });
    expect(runProgram(dir, 'pass').status).toBe(0);
  });

  it('prints a traceback without harness frames', () => {
    const r = runProgram(dir, 'def f():\n    raise ValueError("boom")\nf()\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Traceback \(most recent call last\):\n {2}File "main.py", line 3/);
    expect(r.stderr).not.toContain('lms_runner');
    expect(r.stderr).toMatch(/ValueError: boom\n$/);
  });

  it('reports a syntax error with the student line', () => {
    const r = runProgram(dir, 'x = (\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('x = (');
    expect(r.stderr).toContain('SyntaxError');
  });
});
