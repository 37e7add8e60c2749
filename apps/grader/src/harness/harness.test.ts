import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GENERATED_PATH, HARNESS_DIR, renderSourcesModule } from './generate-sources.ts';
import { parseGradeRequest, testsDriverOutputSchema } from './protocol.ts';
import { HARNESS_SOURCES } from './sources.ts';
import { buildWrapperProgram } from './wrapper.ts';

const PYTHON = '/usr/bin/python3';
const RUNNER = join(HARNESS_DIR, 'lms_runner.py');
const dir = mkdtempSync(join(tmpdir(), 'lms-harness-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runProgram(code: string) {
  const file = join(dir, 'main.py');
  writeFileSync(file, code);
  const r = spawnSync(PYTHON, ['-I', '-S', '-B', '-X', 'utf8', RUNNER, 'program', file], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

function runTests(record: object, pub: string | null, hidden: string | null = null) {
  const files = [join(dir, 'record.json'), join(dir, 'pub.py'), join(dir, 'hid.py')];
  writeFileSync(files[0]!, JSON.stringify(record));
  if (pub !== null) writeFileSync(files[1]!, pub);
  if (hidden !== null) writeFileSync(files[2]!, hidden);
  const out = execFileSync(
    PYTHON,
    [
      '-I',
      '-S',
      '-B',
      '-X',
      'utf8',
      RUNNER,
      'tests',
      files[0]!,
      pub === null ? '-' : files[1]!,
      hidden === null ? '-' : files[2]!,
    ],
    { encoding: 'utf8' },
  );
  return testsDriverOutputSchema.parse(JSON.parse(out));
}

const baseRecord = {
  stdout: '',
  stderr: '',
  exit_code: 0,
  elapsed: 1,
  timed_out: false,
  traceback: null,
  source: '',
};

describe('program driver', () => {
  it('runs the program as __main__ with exit codes as CPython', () => {
    expect(runProgram('print(__name__)').stdout).toBe('__main__\n');
    expect(runProgram('import sys\nsys.exit(3)').status).toBe(3);
    expect(runProgram('import sys\nsys.exit("bye")')).toMatchObject({ status: 1, stderr: 'bye\n' });
    expect(runProgram('pass').status).toBe(0);
  });

  it('prints a traceback without harness frames', () => {
    const r = runProgram('def f():\n    raise ValueError("boom")\nf()\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Traceback \(most recent call last\):\n {2}File "main.py", line 3/);
    expect(r.stderr).not.toContain('lms_runner');
    expect(r.stderr).toMatch(/ValueError: boom\n$/);
  });

  it('reports a syntax error with the student line', () => {
    const r = runProgram('x = (\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('x = (');
    expect(r.stderr).toContain('SyntaxError');
  });
});

describe('tests driver (lms_checks)', () => {
  const checks = `from lms_checks import test
print("noise from the tests must not reach the JSON")
@test("tick twice")
def a(run):
    assert run.lines.count("tick") >= 2, "мало tick"
@test("no time.sleep")
def b(run):
    assert not run.calls("time.sleep"), "time.sleep"
@test("helpers")
def c(run):
    assert run.calls("asyncio.sleep") and run.imports("asyncio") and "f" in run.functions()
    assert run.exit_code == 0 and not run.timed_out and run.traceback is None
@test("crashes")
def d(run):
    {}["x"]
`;
  it('runs tests in order with statuses, messages and alias-aware helpers', () => {
    const record = {
      ...baseRecord,
      stdout: 'tick  \ntick\nexists!\n\n',
      source:
        'import time as t\nfrom asyncio import sleep\nt.sleep(1)\nasync def f(): await sleep(1)\n',
    };
    const out = runTests(
      record,
      checks,
      '@__import__("lms_checks").test("hidden one")\ndef h(run): pass\n',
    );
    expect(out.tests.map((t) => [t.name, t.status, t.message, t.origin])).toEqual([
      ['tick twice', 'passed', null, 'public'],
      ['no time.sleep', 'failed', 'time.sleep', 'public'],
      ['helpers', 'passed', null, 'public'],
      ['crashes', 'error', "KeyError: 'x'", 'public'],
      ['hidden one', 'passed', null, 'hidden'],
    ]);
    expect(out.loadError).toBeNull();
    expect(out.syntaxError).toBeNull();
    expect(out.pythonVersion).toMatch(/^3\.\d+\.\d+$/);
  });

  it('reports a broken checks file and an unparsable program', () => {
    const out = runTests({ ...baseRecord, source: 'def (' }, 'import nonexistent_module_xyz\n');
    expect(out.loadError).toContain('tests_public.py: ModuleNotFoundError');
    expect(out.syntaxError).toMatch(/^SyntaxError/);
  });
});

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

describe('inlined sources', () => {
  it('sources.gen.ts is current (rerun generate-sources.ts)', () => {
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(renderSourcesModule());
    expect(HARNESS_SOURCES['lms_checks.py']).toBe(
      readFileSync(join(HARNESS_DIR, 'lms_checks.py'), 'utf8'),
    );
  });
});

describe('wrapper_test', () => {
  it('injects code and its string literal', () => {
    const wrapper =
      'import sys\n    #INJECT-b585472fa\nsrc = #INJECT-ESCAPED-b585472fa\nprint(len(src))\n';
    const code = 'x = "q\\"uote"\nprint(x)';
    const program = buildWrapperProgram(wrapper, code);
    const r = runProgram(program);
    expect(r.stdout).toBe(`q"uote\n${code.length}\n`);
  });
});

describe('record as a Python literal', () => {
  it('round-trips every string the program may print, through ast.literal_eval', async () => {
    const { pythonLiteral } = await import('../server/grade.ts');
    const record = {
      ...baseRecord,
      stdout: 'line\n"quoted" \\ back\u0000nul\u2028sep\ttab\u{1F600}\ud800',
      exit_code: null,
      elapsed: 1e-7,
      timed_out: true,
    };
    const file = join(dir, 'record.py');
    writeFileSync(file, pythonLiteral(record));
    const pub = join(dir, 'echo.py');
    writeFileSync(
      pub,
      'from lms_checks import test\n@test("echo")\ndef e(run):\n    assert False, repr([run.stdout, run.exit_code, run.elapsed, run.timed_out])\n',
    );
    const out = execFileSync(
      PYTHON,
      ['-I', '-S', '-B', '-X', 'utf8', RUNNER, 'tests', file, pub, '-'],
      { encoding: 'utf8' },
    );
    const message = testsDriverOutputSchema.parse(JSON.parse(out)).tests[0]!.message!;
    expect(message).toBe(
      String.raw`['line\n"quoted" \\ back\x00nul\u2028sep\ttab😀\ud800', None, 1e-07, True]`,
    );
  });
});
