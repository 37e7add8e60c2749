"""The module a task's tests import (contract: docs/check-format.md).

    from lms_checks import test

    @test("Prints tick")
    def ticks(run):
        assert "tick" in run.lines, "No tick"

It also runs the tests against the record of one run of the student's program
(`run_tests`). Pure stdlib, Python 3.11+; the same file runs in CPython on the server and
in Pyodide in the browser. It never executes the student's code: the program ran before,
in another process (server) or another module namespace (browser).
"""

import ast
import io
import sys
import time
import types

__all__ = ["test", "Run", "run_tests"]

# Tests registered by the checks file being loaded: (name, function).
_registry = []


def test(name):
    """Register a test; `name` is what the student sees. Tests run in definition order."""
    if not isinstance(name, str) or not name.strip():
        raise TypeError("@test needs a non-empty name: @test(\"What it checks\")")

    def register(fn):
        _registry.append((name, fn))
        return fn

    return register


def _split_lines(text):
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and lines[-1] == "":
        lines.pop()
    return lines


_UNPARSED = object()


class Run:
    """The record of one run of the student's program, as the tests see it."""

    def __init__(self, record):
        self.stdout = record.get("stdout", "")
        self.stderr = record.get("stderr", "")
        self.lines = _split_lines(self.stdout)
        self.exit_code = record.get("exit_code")
        self.elapsed = float(record.get("elapsed", 0.0))
        self.timed_out = bool(record.get("timed_out", False))
        self.traceback = record.get("traceback")
        self.source = record.get("source", "")
        self._ast = _UNPARSED

    @property
    def ast(self):
        """The program's ast.Module, or None when it does not parse (parsed on first use)."""
        if self._ast is _UNPARSED:
            try:
                self._ast = ast.parse(self.source)
            except (SyntaxError, ValueError):
                self._ast = None
        return self._ast

    def __repr__(self):
        return "Run(exit_code=%r, elapsed=%.3f, timed_out=%r, lines=%r)" % (
            self.exit_code,
            self.elapsed,
            self.timed_out,
            self.lines[:5],
        )

    def _aliases(self):
        """Local name -> dotted name it stands for, from the module's imports."""
        aliases = {}
        if self.ast is None:
            return aliases
        for node in ast.walk(self.ast):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        aliases[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        aliases[top] = top
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    if alias.name != "*":
                        aliases[alias.asname or alias.name] = node.module + "." + alias.name
        return aliases

    @staticmethod
    def _dotted(expr):
        parts = []
        while isinstance(expr, ast.Attribute):
            parts.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return None
        parts.append(expr.id)
        return list(reversed(parts))

    def calls(self, dotted_name):
        """Calls to `dotted_name` (e.g. "time.sleep"), through any import alias."""
        if self.ast is None:
            return []
        aliases = self._aliases()
        found = []
        for node in ast.walk(self.ast):
            if not isinstance(node, ast.Call):
                continue
            parts = self._dotted(node.func)
            if not parts:
                continue
            head = aliases.get(parts[0], parts[0])
            if ".".join([head] + parts[1:]) == dotted_name:
                found.append(node)
        return found

    def imports(self, module):
        """True when the program imports `module` (or something inside it)."""
        if self.ast is None:
            return False
        for node in ast.walk(self.ast):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [node.module + "." + a.name for a in node.names]
            for name in names:
                if name == module or name.startswith(module + "."):
                    return True
        return False

    def functions(self):
        """Every function defined in the program, by name (the first definition wins)."""
        found = {}
        if self.ast is None:
            return found
        for node in ast.walk(self.ast):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.setdefault(node.name, node)
        return found


def _describe(exc):
    text = str(exc)
    name = type(exc).__name__
    return name + ": " + text if text else name


def _load_checks(source, origin):
    """Execute a checks file as its own module; return its registered tests."""
    del _registry[:]
    module = types.ModuleType("tests_" + origin)
    module.__file__ = "tests_" + origin + ".py"
    code = compile(source, module.__file__, "exec")
    exec(code, module.__dict__)
    tests = list(_registry)
    del _registry[:]
    return tests


def run_tests(record, public=None, hidden=None):
    """Run the checks against `record` (dict: stdout, stderr, exit_code, elapsed,
    timed_out, traceback, source). Returns a JSON-ready dict:
    {tests: [{name, status, message, durationMs, origin}], loadError, syntaxError,
    syntaxErrorLine, pythonVersion}; a failed assertion without text has message None.
    Anything the tests print goes to a buffer, not to the caller's stdout."""
    results = []
    load_error = None
    saved = sys.stdout
    sys.stdout = io.StringIO()
    try:
        for origin, source in (("public", public), ("hidden", hidden)):
            if not source:
                continue
            try:
                tests = _load_checks(source, origin)
            except BaseException as exc:  # a bug in the task's checks, not the student's
                load_error = "tests_%s.py: %s" % (origin, _describe(exc))
                break
            for name, fn in tests:
                run = Run(record)
                started = time.perf_counter()
                try:
                    fn(run)
                    status, message = "passed", None
                except AssertionError as exc:
                    status = "failed"
                    # no text: None, and the platform's words are added by the caller
                    message = str(exc) or None
                except BaseException as exc:
                    status, message = "error", _describe(exc)
                results.append(
                    {
                        "name": name,
                        "status": status,
                        "message": message,
                        "durationMs": round((time.perf_counter() - started) * 1000, 3),
                        "origin": origin,
                    }
                )
    finally:
        sys.stdout = saved
    syntax_error = None
    syntax_error_line = None
    try:
        ast.parse(record.get("source", ""))
    except SyntaxError as exc:
        syntax_error = "SyntaxError: %s" % (exc.msg,)
        syntax_error_line = exc.lineno
    except ValueError as exc:
        syntax_error = _describe(exc)
    return {
        "tests": results,
        "loadError": load_error,
        "syntaxError": syntax_error,
        "syntaxErrorLine": syntax_error_line,
        "pythonVersion": "%d.%d.%d" % sys.version_info[:3],
    }
