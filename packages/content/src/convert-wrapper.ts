/**
 * `lms-content convert-wrapper`: a legacy wrapper_test rewritten as tests_hidden.py in our check
 * format (docs/check-format.md, "Converting a wrapper_test"). The wrapper runs the student's code
 * inside it, so the code can read the check or end it with a pass; our tests run in their own
 * process on the record of the run (its output and source) and are out of the program's reach.
 *
 * A general conversion is impossible: most wrappers call the program's functions or read its
 * variables, and tests only see what the program printed and its source. So the wrapper is
 * read as Python (its `ast`, by the embedded script below, run with the doctor's python3) and
 * converted only when every check after the program reads nothing but the captured output
 * (`mystdout.getvalue()` → `run.stdout`) and the code as text (`#INJECT-ESCAPED-…` →
 * `run.source`): `if <cond>: print(<msg>); exit(1)` becomes `assert not <cond>, <msg>`. For any
 * other wrapper it says which names it reads and why that cannot be converted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileCourse } from './course.ts';
import { typedOutputMatches } from './output.ts';
import type { Task } from './schema.ts';

/** What became of one task's wrapper_test. */
export type ConversionOutcome =
  /** tests_hidden.py in our format replaces the wrapper_test */
  | { kind: 'tests'; testsHidden: string; checks: number }
  /** an output task whose wrapper compares the typed text with its answer: the answer alone does */
  | { kind: 'answer'; literal: string }
  | { kind: 'not-convertible'; reason: string }
  /** left alone: the task has tests in our format already */
  | { kind: 'skipped'; reason: string };

export interface WrapperConversion {
  taskId: string;
  chapterId: string;
  /** the task's directory, absolute */
  taskDir: string;
  outcome: ConversionOutcome;
}

/** The recipe for what the converter cannot do, as the CLI and the docs name it. */
export const RECIPE = 'docs/check-format.md#converting-a-wrapper_test';

interface ScriptResult {
  id: string;
  ok: boolean;
  reason?: string;
  imports?: string[];
  body?: string[];
  checks?: number;
  stdout?: boolean;
  source?: boolean;
  literal?: string | null;
}

/**
 * Reads wrappers with Python's own parser (one process for all of them): for each, the checks
 * after the program as statements of a test function, or why it cannot be converted.
 */
export function analyseWrappers(
  jobs: Array<{ id: string; wrapper: string; kind: Task['kind'] }>,
  python = '/usr/bin/python3',
): Map<string, ScriptResult> {
  if (jobs.length === 0) return new Map();
  const r = spawnSync(python, ['-I', '-c', CONVERT_PY], {
    input: JSON.stringify(jobs),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (r.error) throw new Error(`${python} could not run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${python} failed reading the wrappers: ${r.stderr.trim()}`);
  const results = JSON.parse(r.stdout) as ScriptResult[];
  return new Map(results.map((x) => [x.id, x]));
}

const FINISHES_CLEANLY = `@test("Программа завершается без ошибок")
def finishes_cleanly(run):
    assert run.traceback is None, "Программа завершилась с ошибкой:\\n" + (run.traceback or "")
    assert run.exit_code == 0, f"Программа завершилась с кодом {run.exit_code}, а должна с кодом 0."
`;

/** tests_hidden.py for a converted wrapper: the program must end cleanly, then the wrapper's checks. */
export function testsFile(result: ScriptResult, taskId: string): string {
  const name =
    result.stdout && result.source
      ? 'Вывод и код решения'
      : result.stdout
        ? 'Вывод программы'
        : 'Код решения';
  const body = (result.body ?? [])
    .flatMap((s) => s.split('\n'))
    .map((l) => `    ${l}`)
    .join('\n');
  return [
    `# ${taskId}: converted from its wrapper_test by \`lms-content convert-wrapper\``,
    '# (docs/check-format.md, "Converting a wrapper_test"): the same checks, on the record of the',
    "# program's run (its output and source) instead of inside the program, where it could tamper",
    '# with them.',
    'from lms_checks import test',
    ...(result.imports ?? []),
    '',
    '',
    FINISHES_CLEANLY,
    '',
    `@test(${JSON.stringify(name)})`,
    'def wrapper_checks(run):',
    body,
    '',
  ].join('\n');
}

/** The outcome for one task from what the script said of its wrapper. */
function outcomeOf(task: Task, result: ScriptResult | undefined): ConversionOutcome {
  if (!result) return { kind: 'not-convertible', reason: 'the converter did not answer for it' };
  if (!result.ok) return { kind: 'not-convertible', reason: result.reason ?? 'unknown' };
  if (task.kind === 'output') {
    // the typed text is data in the wrapper: only a comparison with the answer can go
    if (typeof result.literal !== 'string') {
      return {
        kind: 'not-convertible',
        reason:
          'an output task whose wrapper does more than compare the typed text with a literal: ' +
          'keep it (it reads the text as data, so it is not a legacy check)',
      };
    }
    if (!typedOutputMatches(result.literal, task.answer)) {
      return {
        kind: 'not-convertible',
        reason: `an output task whose wrapper accepts ${JSON.stringify(result.literal)} but whose answer is ${JSON.stringify(task.answer)}: make them agree first`,
      };
    }
    return { kind: 'answer', literal: result.literal };
  }
  return {
    kind: 'tests',
    testsHidden: testsFile(result, task.id),
    checks: result.checks ?? 0,
  };
}

/** Every wrapper_test of a course (or of one task), converted where it can be; nothing written. */
export function convertCourse(
  courseDir: string,
  options: { task?: string; python?: string } = {},
): { conversions: WrapperConversion[]; errors: string[] } {
  const { chapters, errors } = compileCourse(courseDir);
  const tasks = chapters
    .flatMap((c) => c.tasks)
    .filter((t) => t.checks.wrapperTest !== null && (!options.task || t.id === options.task));
  const messages = errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`);
  if (options.task && tasks.length === 0) {
    const known = chapters.some((c) => c.tasks.some((t) => t.id === options.task));
    messages.push(
      known
        ? `${options.task} has no wrapper_test`
        : `--task ${options.task}: no task of the course has this id`,
    );
  }
  const convertible = tasks.filter((t) => !t.checks.public && !t.checks.hidden);
  const results = analyseWrappers(
    convertible.map((t) => ({ id: t.id, wrapper: t.checks.wrapperTest!, kind: t.kind })),
    options.python,
  );
  const conversions = tasks.map((task) => ({
    taskId: task.id,
    chapterId: task.chapterId,
    taskDir: join(courseDir, task.chapterId, 'tasks', task.id),
    outcome:
      task.checks.public || task.checks.hidden
        ? {
            kind: 'skipped' as const,
            reason:
              'it has tests in our format already (tests_public.py/tests_hidden.py): fold the ' +
              "wrapper's checks into them by hand",
          }
        : outcomeOf(task, results.get(task.id)),
  }));
  return { conversions, errors: messages };
}

/**
 * Writes a conversion: tests_hidden.py in place of the wrapper_test (which is removed: version
 * control keeps it), or, for an output task its answer checks, only the removal. Returns what
 * changed, as paths relative to the task directory.
 */
export function writeConversion(c: WrapperConversion): string[] {
  const changed: string[] = [];
  if (c.outcome.kind !== 'tests' && c.outcome.kind !== 'answer') return changed;
  if (c.outcome.kind === 'tests') {
    const file = join(c.taskDir, 'tests_hidden.py');
    if (existsSync(file)) throw new Error(`${file} exists already: not overwritten`);
    writeFileSync(file, c.outcome.testsHidden);
    changed.push('tests_hidden.py written');
  }
  rmSync(join(c.taskDir, 'wrapper_test'), { force: true });
  changed.push('wrapper_test removed');
  return changed;
}

/** The report: one line per task, then the counts. */
export function formatConversions(conversions: WrapperConversion[], written: boolean): string[] {
  const out: string[] = [];
  for (const c of conversions) {
    const o = c.outcome;
    if (o.kind === 'tests')
      out.push(
        `✓ ${c.taskId}: tests_hidden.py (${o.checks} ${o.checks === 1 ? 'check' : 'checks'})`,
      );
    else if (o.kind === 'answer')
      out.push(
        `✓ ${c.taskId}: output task; its answer ${JSON.stringify(o.literal)} is compared as the wrapper did: the wrapper_test can go`,
      );
    else if (o.kind === 'skipped') out.push(`- ${c.taskId}: skipped: ${o.reason}`);
    else out.push(`✗ ${c.taskId}: ${o.reason}`);
  }
  const count = (k: ConversionOutcome['kind']) =>
    conversions.filter((c) => c.outcome.kind === k).length;
  const converted = count('tests') + count('answer');
  out.push('');
  out.push(
    `${converted} of ${conversions.length} wrapper_tests convert (${count('tests')} to tests_hidden.py, ` +
      `${count('answer')} output tasks need only their answer); ${count('not-convertible')} cannot be converted` +
      (count('skipped') ? `, ${count('skipped')} skipped` : ''),
  );
  if (count('not-convertible') > 0)
    out.push(`for those, see ${RECIPE} (how to write their checks by hand)`);
  out.push(
    written
      ? 'written; run `lms-content check <courseDir>` to see the new checks pass the answers and fail the starters'
      : 'nothing written (dry run): --write writes tests_hidden.py and removes the wrapper_test',
  );
  return out;
}

/** The Python that reads a wrapper (stdin: JSON jobs; stdout: JSON results). */
const CONVERT_PY = String.raw`import ast
import builtins
import json
import re
import symtable
import sys

INJECT = "#INJECT-b585472fa"
ESCAPED = "#INJECT-ESCAPED-b585472fa"
# builtins a test may not call: they reach the process, not the record of the run
DENIED = {"locals", "globals", "vars", "eval", "exec", "compile", "open", "__import__",
          "input", "breakpoint", "help", "exit", "quit", "dir"}
ALLOWED = set(dir(builtins)) - DENIED
CAPTURE_MODULES = {"sys", "io", "StringIO", "inspect", "signature"}
PROGRAM_NAMES = "the program's variables"


class NotConvertible(Exception):
    pass


def is_exit_call(node):
    """exit(...), quit(...), sys.exit(...): the wrapper's verdict."""
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    if isinstance(f, ast.Name) and f.id in ("exit", "quit"):
        return True
    return (isinstance(f, ast.Attribute) and f.attr == "exit"
            and isinstance(f.value, ast.Name) and f.value.id == "sys")


def exit_fails(call):
    """True when the call ends the wrapper with a failure (a non-zero code or a message)."""
    if call.keywords or len(call.args) > 1:
        raise NotConvertible("calls exit() with arguments the converter does not know (line %d)" % call.lineno)
    if not call.args:
        return False
    arg = call.args[0]
    if isinstance(arg, ast.Constant):
        return arg.value not in (0, None, False)
    return True


def message_of(prints, exit_call):
    parts = []
    for p in prints:
        if p.keywords:
            raise NotConvertible("prints with print(..., %s=...) (line %d)" % (p.keywords[0].arg, p.lineno))
        if len(p.args) == 1:
            a = p.args[0]
            if isinstance(a, ast.JoinedStr) or (isinstance(a, ast.Constant) and isinstance(a.value, str)):
                parts.append(a)
            else:
                parts.append(ast.Call(ast.Name("str", ast.Load()), [a], []))
        else:
            parts.append(ast.Call(
                ast.Attribute(ast.Constant(" "), "join", ast.Load()),
                [ast.Call(ast.Name("map", ast.Load()), [ast.Name("str", ast.Load()), ast.Tuple(p.args, ast.Load())], [])],
                [],
            ))
    if exit_call.args and not (isinstance(exit_call.args[0], ast.Constant) and isinstance(exit_call.args[0].value, int)):
        parts.append(ast.Call(ast.Name("str", ast.Load()), [exit_call.args[0]], []))
    if not parts:
        return None
    msg = parts[0]
    for p in parts[1:]:
        msg = ast.BinOp(ast.BinOp(msg, ast.Add(), ast.Constant("\n")), ast.Add(), p)
    return msg


INVERT = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In,
          ast.Is: ast.IsNot, ast.IsNot: ast.Is}
INVERT_ORDER = {ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE, ast.LtE: ast.Gt}


def is_int(node):
    return isinstance(node, ast.Constant) and type(node.value) is int


def negate(cond):
    """not cond, written the way a person would (a != b -> a == b, De Morgan)."""
    if isinstance(cond, ast.UnaryOp) and isinstance(cond.op, ast.Not):
        return cond.operand
    if isinstance(cond, ast.Compare) and len(cond.ops) == 1:
        op = type(cond.ops[0])
        if op in INVERT:
            return ast.Compare(cond.left, [INVERT[op]()], cond.comparators)
        if op in INVERT_ORDER and (is_int(cond.left) or is_int(cond.comparators[0])):
            return ast.Compare(cond.left, [INVERT_ORDER[op]()], cond.comparators)
    if isinstance(cond, ast.BoolOp):
        parts = [negate(v) for v in cond.values]
        if not any(isinstance(p, ast.UnaryOp) and isinstance(p.op, ast.Not) for p in parts):
            return ast.BoolOp(ast.And() if isinstance(cond.op, ast.Or) else ast.Or(), parts)
    return ast.UnaryOp(ast.Not(), cond)


CATCHES_ASSERT = {"Exception", "BaseException", "AssertionError"}


def catches_assertion(handlers):
    """True when one of a try's handlers would catch the AssertionError of a converted check
    (a bare except, Exception, BaseException, AssertionError, or a class the converter cannot
    name). In the wrapper, exit(1) raised SystemExit, which except Exception let through."""
    for h in handlers:
        if h.type is None:
            return True
        types = h.type.elts if isinstance(h.type, ast.Tuple) else [h.type]
        for t in types:
            name = t.attr if isinstance(t, ast.Attribute) else t.id if isinstance(t, ast.Name) else None
            if name is None or name in CATCHES_ASSERT:
                return True
    return False


class Rewriter:
    def __init__(self, capture, saved):
        self.capture = capture  # the StringIO the program's print went to (mystdout)
        self.saved = saved  # the name of the saved real stdout (old_stdout)
        self.checks = 0
        # the program's output still goes to the capture (before sys.stdout = old_stdout)
        self.capturing = capture is not None
        # for each enclosing try body: whether its handlers catch an AssertionError
        self.guarded = []

    def check(self, node):
        """One more converted check (an assert) at node: refused where a try would swallow it."""
        if any(self.guarded):
            raise NotConvertible(
                "has a check inside a try whose except catches AssertionError (line %d): as an "
                "assert it would be caught and pass; rewrite the try (except ValueError, …) first"
                % node.lineno)
        self.checks += 1

    def getvalue(self, node):
        """mystdout.getvalue() -> run.stdout"""
        return (isinstance(node, ast.Call) and not node.args and not node.keywords
                and isinstance(node.func, ast.Attribute) and node.func.attr == "getvalue"
                and isinstance(node.func.value, ast.Name) and node.func.value.id == self.capture)

    def expr(self, node):
        rewriter = self

        class T(ast.NodeTransformer):
            def visit_Call(self, n):
                if rewriter.getvalue(n):
                    return ast.copy_location(ast.Attribute(ast.Name("run", ast.Load()), "stdout", ast.Load()), n)
                return self.generic_visit(n)

        return T().visit(node)

    def block(self, stmts):
        out = []
        for s in stmts:
            out.extend(self.stmt(s))
        return out

    def stmt(self, s):
        # sys.stdout = old_stdout: the program's output is in the record already
        if (isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Attribute)
                and isinstance(s.targets[0].value, ast.Name) and s.targets[0].value.id == "sys"):
            if s.targets[0].attr == "stdout" and isinstance(s.value, ast.Name) and s.value.id == self.saved:
                self.capturing = False
                return []
            raise NotConvertible(
                "captures the output of a call into the program (sys.%s = …, line %d): tests see "
                "the program's run, they cannot call what it defines" % (s.targets[0].attr, s.lineno))
        if isinstance(s, ast.If):
            body = s.body
            prints = [b for b in body[:-1] if isinstance(b, ast.Expr) and isinstance(b.value, ast.Call)
                      and isinstance(b.value.func, ast.Name) and b.value.func.id == "print"]
            last = body[-1]
            if (not s.orelse and len(prints) == len(body) - 1 and isinstance(last, ast.Expr)
                    and is_exit_call(last.value)):
                if not exit_fails(last.value):
                    raise NotConvertible("ends with a pass (exit(0)) on a condition (line %d)" % last.lineno)
                self.check(s)
                msg = message_of([p.value for p in prints], last.value)
                return [ast.copy_location(
                    ast.Assert(self.expr(negate(s.test)), self.expr(msg) if msg else None), s)]
            s.test = self.expr(s.test)
            s.body = self.block(s.body) or [ast.Pass()]
            s.orelse = self.block(s.orelse)
            return [s]
        if isinstance(s, (ast.For, ast.While)):
            if isinstance(s, ast.For):
                s.iter = self.expr(s.iter)
            else:
                s.test = self.expr(s.test)
            s.body = self.block(s.body) or [ast.Pass()]
            s.orelse = self.block(s.orelse)
            return [s]
        if isinstance(s, ast.Try) or type(s).__name__ == "TryStar":
            self.guarded.append(catches_assertion(s.handlers))
            try:
                s.body = self.block(s.body) or [ast.Pass()]
            finally:
                self.guarded.pop()
            for h in s.handlers:
                h.body = self.block(h.body) or [ast.Pass()]
            s.orelse = self.block(s.orelse)
            s.finalbody = self.block(s.finalbody)
            return [s]
        if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call):
            if isinstance(s.value.func, ast.Name) and s.value.func.id == "print":
                if self.capturing:
                    raise NotConvertible(
                        "prints into the captured output (line %d, before sys.stdout is restored): "
                        "the output it expects is not the program's alone" % s.lineno)
                return []  # what the wrapper printed on success: nobody sees it
            if is_exit_call(s.value):
                if exit_fails(s.value):
                    self.check(s)
                    return [ast.copy_location(ast.Assert(ast.Constant(False), message_of([], s.value)), s)]
                raise NotConvertible("ends with a pass (exit(0)) before its last check (line %d)" % s.lineno)
        if isinstance(s, (ast.Global, ast.Nonlocal)):
            raise NotConvertible("declares %s (line %d)" % (type(s).__name__.lower(), s.lineno))
        return [self.expr(s)]


def split(wrapper, kind):
    lines = wrapper.split("\n")
    at = [i for i, l in enumerate(lines) if INJECT in l]
    if not at and kind == "output":
        return "", wrapper, 0
    if kind == "output":
        raise NotConvertible("runs the typed answer as code (%s)" % INJECT)
    if not at:
        raise NotConvertible("does not run the program (no %s line)" % INJECT)
    if len(at) > 1:
        raise NotConvertible("runs the program %d times" % len(at))
    i = at[0]
    if lines[i].strip() != INJECT or lines[i] != lines[i].lstrip():
        raise NotConvertible("runs the program inside other code (line %d)" % (i + 1))
    return "\n".join(lines[:i]), "\n".join(lines[i + 1:]), i + 1


def escaped_to_source(tail):
    """NAME = \"\"\"<newline>#INJECT-ESCAPED…<newline>\"\"\" -> NAME = "\n" + run.source + "\n"."""
    block = re.compile(r'^([A-Za-z_]\w*)[ \t]*=[ \t]*[rR]?("""|\'\'\')\n' + ESCAPED + r'\n\2[ \t]*$', re.M)
    tail = block.sub(r'\1 = "\\n" + run.source + "\\n"', tail)
    whole = re.compile(r'^([A-Za-z_]\w*)[ \t]*=[ \t]*' + ESCAPED + r'[ \t]*$', re.M)
    tail = whole.sub(r"\1 = run.source", tail)
    if ESCAPED in tail:
        raise NotConvertible("uses %s in a way the converter does not know" % ESCAPED)
    return tail


def preamble_of(text):
    """The preamble's imports to keep, and the names of its stdout capture."""
    try:
        tree = ast.parse(text)
    except SyntaxError as e:
        raise NotConvertible("its code before the program does not parse: %s" % e.msg)
    imports, capture, saved = [], None, None
    for s in tree.body:
        if isinstance(s, (ast.Import, ast.ImportFrom)):
            names = {(a.asname or a.name).split(".")[0] for a in s.names}
            if not names <= CAPTURE_MODULES:
                imports.append(s)
            continue
        if (isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)
                and isinstance(s.value, ast.Attribute) and s.value.attr == "stdout"):
            saved = s.targets[0].id
            continue
        if (isinstance(s, ast.Assign) and isinstance(s.value, ast.Call) and not s.value.args
                and ast.unparse(s.value.func) in ("StringIO", "io.StringIO")):
            targets = [ast.unparse(t) for t in s.targets]
            if "sys.stdout" in targets:
                names = [t for t in targets if t != "sys.stdout"]
                capture = names[0] if names else None
                continue
        raise NotConvertible("runs code of its own before the program (line %d: %s)"
                             % (s.lineno, ast.unparse(s)[:60]))
    return imports, capture, saved


def free_names(src):
    table = symtable.symtable(src, "<tests>", "exec")
    found = set()

    def walk(t):
        if t.get_type() != "module":
            for sym in t.get_symbols():
                if sym.is_referenced() and sym.is_global():
                    found.add(sym.get_name())
        for c in t.get_children():
            walk(c)

    walk(table)
    return found


def convert(wrapper, kind):
    pre, tail, line = split(wrapper, kind)
    imports, capture, saved = preamble_of(pre)
    tail = escaped_to_source(tail)
    try:
        tree = ast.parse(tail)
    except SyntaxError as e:
        raise NotConvertible("its checks do not parse: %s" % e.msg)
    rw = Rewriter(capture, saved)
    body = rw.block(tree.body)
    if rw.checks == 0:
        raise NotConvertible("has no check the converter recognises (if …: print(…); exit(1))")
    fn = ast.FunctionDef("wrapper_checks", ast.arguments([], [ast.arg("run")], None, [], [], None, []),
                         body, [], None, None)
    module = ast.Module(imports + [fn], [])
    ast.fix_missing_locations(module)
    src = ast.unparse(module)
    kept = {(a.asname or a.name).split(".")[0] for s in imports for a in s.names}
    free = free_names(src) - ALLOWED - kept - {"run"}
    if capture and capture in free:
        raise NotConvertible("reads the captured output other than by %s.getvalue()" % capture)
    free.discard(capture)
    looked = sorted(free & {"locals", "globals", "vars", "dir"})
    streams = sorted(free & (CAPTURE_MODULES | {"exit", "quit"}))
    denied = sorted(free & DENIED - set(looked) - {"exit", "quit"})
    program = sorted(free - DENIED - CAPTURE_MODULES)
    why = []
    reads = ["%s()" % n for n in looked] + program + streams
    if reads:
        why.append("reads what the program defines (%s): tests see only its output and source"
                   % ", ".join(reads))
    if denied:
        why.append("calls %s()" % ", ".join(denied))
    if why:
        raise NotConvertible("; ".join(why))
    uses = set()
    for n in ast.walk(fn):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "run":
            uses.add(n.attr)
    # a typed answer compared with a literal (an output task): text.strip() == "10"
    literal = None
    if len(body) == 2 and isinstance(body[0], ast.Assign) and isinstance(body[1], ast.Assert):
        t = body[1].test
        if (isinstance(t, ast.Compare) and len(t.ops) == 1 and isinstance(t.ops[0], ast.Eq)
                and isinstance(t.comparators[0], ast.Constant) and isinstance(t.comparators[0].value, str)
                and uses == {"source"}):
            literal = t.comparators[0].value
    return {
        "imports": [ast.unparse(s) for s in imports],
        "body": [ast.unparse(s) for s in body],
        "checks": rw.checks,
        "stdout": "stdout" in uses,
        "source": "source" in uses,
        "literal": literal,
    }


def main():
    jobs = json.load(sys.stdin)
    out = []
    for job in jobs:
        try:
            out.append({"id": job["id"], "ok": True, **convert(job["wrapper"], job["kind"])})
        except NotConvertible as e:
            out.append({"id": job["id"], "ok": False, "reason": str(e)})
        except Exception as e:  # noqa: BLE001 - a wrapper the converter trips on is reported, not fatal
            out.append({"id": job["id"], "ok": False, "reason": "the converter failed on it: %s: %s" % (type(e).__name__, e)})
    json.dump(out, sys.stdout)


main()
`;
