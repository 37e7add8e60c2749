/** The tests side: lms_checks through the tests driver, and src/wrapper.ts's program and record. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildWrapperProgram } from '../src/wrapper.ts';
import { baseRecord, runProgram, runTests, runTestsDriver, useTempDir } from './python.ts';

const dir = useTempDir();

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
      dir,
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
    const out = runTests(
      dir,
      { ...baseRecord, source: 'def (' },
      'import nonexistent_module_xyz\n',
    );
    expect(out.loadError).toContain('tests_public.py: ModuleNotFoundError');
    expect(out.syntaxError).toMatch(/^SyntaxError/);
  });
});

describe('wrapper_test', () => {
  it('exit() and quit() exist as under plain python3 (the runner runs with -S)', () => {
    expect(runProgram(dir, 'print("a")\nexit(3)\nprint("b")').status).toBe(3);
    const quit = runProgram(dir, 'quit()\nprint("b")');
    expect(quit).toMatchObject({ status: 0, stdout: '', stderr: '' });
  });

  it('injects code and its string literal', () => {
    const wrapper =
      'import sys\n    #INJECT-b585472fa\nsrc = #INJECT-ESCAPED-b585472fa\nprint(len(src))\n';
    const code = 'x = "q\\"uote"\nprint(x)';
    const program = buildWrapperProgram(wrapper, code);
    const r = runProgram(dir, program);
    expect(r.stdout).toBe(`q"uote\n${code.length}\n`);
  });

  it("inside senjun's triple-quoted string, the text is exactly the code (quotes, backslashes, NUL)", () => {
    // the form every senjun wrapper_test uses
    const wrapper =
      'user_code = """\n#INJECT-ESCAPED-b585472fa\n"""\nimport json, sys\nsys.stdout.write(json.dumps(user_code[1:-1]))\n';
    const codes = [
      'print("a\\nb")  # a backslash escape in the code',
      's = """triple"""\nt = \'\'\'other\'\'\'\nu = "\\\\"',
      'x = 1 \\\ny = 2',
      '"""',
      'ends with a backslash \\',
      'nul \u0000 inside',
    ];
    for (const code of codes) {
      const r = runProgram(dir, buildWrapperProgram(wrapper, code));
      expect(r.stderr, code).toBe('');
      expect(JSON.parse(r.stdout), code).toBe(code);
    }
  });

  it('inside a raw triple-quoted string (r""") the code stands as written', () => {
    const wrapper =
      's = r"""\n#INJECT-ESCAPED-b585472fa\n""".strip()\nimport json, sys\nsys.stdout.write(json.dumps(s))\n';
    for (const code of ['o t a', 'it\'s \\d+ and "quotes"']) {
      const r = runProgram(dir, buildWrapperProgram(wrapper, code));
      expect(JSON.parse(r.stdout), code).toBe(code);
    }
  });

  it('no string form lets the code out: raw, f-, single-quote strings; a """ in a comment before', () => {
    const reads = (opening: string, closing: string) =>
      `import json, sys\n# a comment with """ in it\nx = 'a """ b'\ns = ${opening}\n#INJECT-ESCAPED-b585472fa\n${closing}\nsys.stdout.write(json.dumps(s[1:-1]))\nsys.exit(0 if s[1:-1] else 3)\n`;
    const attempts = [
      "'''\nexit(0)\nx='''",
      '"""\nexit(0)\nx="""',
      '{exit(0)}',
      '0 or exit(0)',
      'a\rb\\',
    ];
    for (const [opening, closing] of [
      ['"""', '"""'],
      ["r'''", "'''"],
      ['f"""', '"""'],
      ['rf"""', '"""'],
    ]) {
      for (const code of attempts) {
        const r = runProgram(dir, buildWrapperProgram(reads(opening!, closing!), code));
        expect(r.stderr, `${opening} ${JSON.stringify(code)}`).toBe('');
        expect(JSON.parse(r.stdout), `${opening} ${JSON.stringify(code)}`).toBe(code);
      }
    }
  });

  it("senjun's console-output check: the typed text compared after strip()", () => {
    const wrapper =
      'text = """\n#INJECT-ESCAPED-b585472fa\n"""\n\nif text.strip() != "10":\n    exit(1)';
    expect(runProgram(dir, buildWrapperProgram(wrapper, '10\n')).status).toBe(0);
    expect(runProgram(dir, buildWrapperProgram(wrapper, '11')).status).toBe(1);
  });
});

describe('record as a Python literal', () => {
  it('round-trips every string the program may print, through ast.literal_eval', async () => {
    const { pythonLiteral } = await import('../src/wrapper.ts');
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
    const message = runTestsDriver(file, pub, '-').tests[0]!.message!;
    expect(message).toBe(
      String.raw`['line\n"quoted" \\ back\x00nul\u2028sep\ttab😀\ud800', None, 1e-07, True]`,
    );
  });
});
