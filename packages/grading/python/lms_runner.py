"""The grader's driver: runs a student's program as `__main__`, and runs a task's tests
against the record of that run. Pure stdlib, Python 3.11+; the same file runs in CPython
(server) and Pyodide (browser).

Server (two separate sandboxed processes, so the program cannot touch the tests):
    python3 -I -S -B -X utf8 lms_runner.py program /box/main.py
        the program writes to the real stdout/stderr; an uncaught exception is printed
        to stderr as CPython would, minus this driver's frames; exit code as CPython's.
    python3 -I -S -B -X utf8 lms_runner.py tests record.json [tests_public.py|-] [tests_hidden.py|-]
        prints one JSON object (lms_checks.run_tests) on stdout.

Browser (in-process): lms_pyodide.py runs the program with `exec_as_main` (or, without
JSPI, with the pieces of it: `compile_error_outcome`, `fresh_main_module`,
`exception_outcome`), then `lms_checks.run_tests(record, public)`.
Every line here is compiled at each sandboxed program's start (a script has no .pyc):
what only the browser needs lives in lms_pyodide.py.
"""

import os
import sys
import types

# linecache and traceback are imported only when a traceback is printed: they pull in
# tokenize and re, which would add to every run's start-up time.

PROGRAM_FILENAME = "main.py"
_driver_module = None


def compile_program(source, filename=PROGRAM_FILENAME):
    """Compile the student's code. Raises SyntaxError (format it with format_compile_error).
    Does not register the source with linecache (that costs an import of tokenize and re on
    every run): call register_source before formatting a traceback."""
    return compile(source, filename, "exec", dont_inherit=True)


def register_source(source, filename=PROGRAM_FILENAME):
    """Make the source's lines available to traceback (whatever is on disk under that name)."""
    import linecache

    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)


def format_compile_error(exc, source, filename=PROGRAM_FILENAME):
    """A SyntaxError/ValueError from compile_program, as CPython prints it, with the line
    taken from `source` (CPython reads it from the file named `filename` on disk, which may
    be another file or none)."""
    import traceback

    register_source(source, filename)
    if isinstance(exc, SyntaxError) and exc.lineno:
        lines = source.splitlines()
        if 0 < exc.lineno <= len(lines):
            exc.text = lines[exc.lineno - 1] + "\n"
    return "".join(traceback.format_exception_only(type(exc), exc))


def fresh_main_module(filename=PROGRAM_FILENAME):
    """A new `__main__` module, installed in sys.modules, as `python main.py` would have."""
    module = types.ModuleType("__main__")
    module.__file__ = filename
    module.__builtins__ = __builtins__
    sys.modules["__main__"] = module
    return module


def clean_traceback(exc, filename=PROGRAM_FILENAME, hidden_files=()):
    """The exception formatted as CPython prints it, without the harness's frames: the
    frames before the first one in the student's file are dropped, and so are those of
    `hidden_files` (a driver's replacement of asyncio.run, say) after it."""
    import traceback

    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    if not hidden_files:
        return "".join(traceback.format_exception(type(exc), exc, tb))
    te = traceback.TracebackException(type(exc), exc, tb)
    te.stack = traceback.StackSummary.from_list([f for f in te.stack if f.filename not in hidden_files])
    return "".join(te.format())


def exit_code_of(system_exit, write_stderr):
    """The process exit code CPython gives `raise SystemExit(code)`."""
    code = system_exit.code
    if code is None:
        return 0
    if isinstance(code, bool):
        return int(code)
    if isinstance(code, int):
        return code & 0xFF if code >= 0 else (256 + code) & 0xFF
    write_stderr(str(code) + "\n")
    return 1


def compile_error_outcome(exc, source, write_stderr, filename=PROGRAM_FILENAME):
    """(exit code, traceback text) of a program that does not compile; writes what CPython
    prints to `write_stderr`."""
    text = format_compile_error(exc, source, filename)
    write_stderr(text)
    return 1, text


def exception_outcome(exc, source, write_stderr, filename=PROGRAM_FILENAME, hidden_files=()):
    """(exit code, traceback text or None) of the exception that ended the program;
    writes what CPython prints for it to `write_stderr`."""
    if isinstance(exc, SystemExit):
        return exit_code_of(exc, write_stderr), None
    # KeyboardInterrupt included: CPython prints it too
    register_source(source, filename)
    text = clean_traceback(exc, filename, hidden_files)
    write_stderr(text)
    return 1, text


class _Quitter:
    """`exit` and `quit` as the site module defines them."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"Use {self.name}() or Ctrl-D (i.e. EOF) to exit"

    def __call__(self, code=None):
        try:
            sys.stdin.close()
        except Exception:
            pass
        raise SystemExit(code)


def install_site_builtins():
    """`exit()` and `quit()`, which `python3 main.py` has: the site module adds them, and the
    grader runs without it (-S, to start faster). Programs and senjun's wrapper_tests call them."""
    import builtins

    for name in ("exit", "quit"):
        if not hasattr(builtins, name):
            setattr(builtins, name, _Quitter(name))


def exec_as_main(
    source, write_stderr, filename=PROGRAM_FILENAME, before_exec=None, after_exec=None, outcome=None
):
    """Run `source` as `__main__`. Returns (exit_code, traceback_text_or_None).
    `before_exec` is called right before the student's code starts (after it compiled),
    `after_exec` when it ended without an exception (still as part of the program: what it
    raises is the program's); `outcome(exc)` replaces `exception_outcome` for an exception
    that ended the program."""
    try:
        code = compile_program(source, filename)
    except (SyntaxError, ValueError) as exc:
        return compile_error_outcome(exc, source, write_stderr, filename)
    install_site_builtins()
    module = fresh_main_module(filename)
    if before_exec is not None:
        before_exec()
    try:
        exec(code, module.__dict__)
        if after_exec is not None:
            after_exec()
    except BaseException as exc:
        if outcome is not None:
            return outcome(exc)
        return exception_outcome(exc, source, write_stderr, filename)
    return 0, None


def _read(path):
    if path == "-":
        return None
    with open(path, encoding="utf-8") as f:
        return f.read()


def _main_program(path, start_fd=None):
    global _driver_module
    _driver_module = sys.modules.get("__main__")  # keep this module alive once replaced
    source = _read(path)
    # sys.path[0] is the program's directory, as for `python3 main.py`.
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    sys.argv = [PROGRAM_FILENAME]
    # Line-buffered like a terminal, so what the program printed survives a kill on timeout
    # (and matches what the browser streams).
    try:
        sys.stdout.reconfigure(line_buffering=True)
    except Exception:
        pass
    def started():
        # Tells the grader the student's code starts now (its clock for run.elapsed), then
        # closes the channel so the program cannot write on it.
        if start_fd is not None:
            try:
                os.write(start_fd, b"s")
                os.close(start_fd)
            except OSError:
                pass

    exit_code, _ = exec_as_main(source, sys.stderr.write, before_exec=started)
    _exit_like_cpython(exit_code)


def _write_unraisable(obj, exc):
    """What CPython prints for an exception it cannot raise (PyErr_WriteUnraisable), without
    this driver's frame."""
    import traceback

    tb = exc.__traceback__.tb_next if exc.__traceback__ is not None else None
    try:
        sys.stderr.write("Exception ignored in: %r\n" % (obj,))
        sys.stderr.write("".join(traceback.format_exception(type(exc), exc, tb)))
    except Exception:
        pass


def _exit_like_cpython(exit_code):
    """End the process as CPython's shutdown (Py_FinalizeEx) would, for what a program can
    see: wait for its non-daemon threads, run its atexit callbacks, flush sys.stdout and
    sys.stderr (exit status 120 if that fails), let its `__main__` go (the module leaves
    sys.modules and the garbage collector runs the finalizers of its objects while their
    globals are still there, as CPython's does), flush the original streams; then skip the
    teardown of every other module, which costs more CPU than many programs (18 ms after
    `import asyncio`, a quarter of such a run). Not reproduced: __del__ of objects that
    only other modules hold at exit."""
    threading = sys.modules.get("threading")
    if threading is not None:
        try:
            threading._shutdown()
        except BaseException as exc:
            _write_unraisable(threading, exc)
    import atexit
    import gc

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None and not getattr(stream, "closed", False):
                stream.flush()
        except BaseException as exc:
            _write_unraisable(stream, exc)
            exit_code = 120
    main = sys.modules.get("__main__")
    if main is not None and main is not _driver_module:
        del sys.modules["__main__"]
    main = None
    gc.collect()
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except BaseException:  # replaced, closed or broken: nothing more to tell anyone
            pass
    os._exit(exit_code)


_JSON_ESCAPES = {i: "\\u%04x" % i for i in range(0x20)}
_JSON_ESCAPES.update({0x22: '\\"', 0x5C: "\\\\", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"})
_JSON_ESCAPES.update({i: "\\u%04x" % i for i in range(0xD800, 0xE000)})  # lone surrogates


def to_json(value):
    """JSON text of plain data (None, bool, int, float, str, list, dict), without importing
    `json` (which pulls in `re`: a noticeable part of a short process's start-up)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value == value and value not in (float("inf"), float("-inf")) else "null"
    if isinstance(value, str):
        return '"' + value.translate(_JSON_ESCAPES) + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(to_json(str(k)) + ":" + to_json(v) for k, v in value.items()) + "}"
    return to_json(str(value))


def _read_record(path):
    """The record: a Python literal (`record.py`, written by the grader, read with
    ast.literal_eval, cheaper than `json`) or JSON (`*.json`)."""
    text = _read(path)
    if path.endswith(".json"):
        import json

        return json.loads(text)
    import ast

    return ast.literal_eval(text)


def _main_tests(record_path, public_path, hidden_path):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import lms_checks

    record = _read_record(record_path)
    result = lms_checks.run_tests(record, _read(public_path), _read(hidden_path))
    sys.stdout.write(to_json(result))
    sys.stdout.flush()
    # nothing of ours needs the interpreter's teardown (a task's tests leave no atexit work)
    os._exit(0)


def main(argv):
    if len(argv) == 2 and argv[0] == "program":
        _main_program(argv[1])
    elif len(argv) == 4 and argv[0] == "program" and argv[1] == "--start-fd":
        _main_program(argv[3], int(argv[2]))
    elif len(argv) in (2, 3, 4) and argv[0] == "tests":
        padded = list(argv[1:]) + ["-"] * (4 - len(argv))
        _main_tests(*padded)
    else:
        sys.stderr.write(
            "usage: lms_runner.py program [--start-fd N] <main.py>\n"
            "       lms_runner.py tests <record.json> [tests_public.py|-] [tests_hidden.py|-]\n"
        )
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
