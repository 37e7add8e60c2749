"""The Pyodide engine's side of the harness, imported by the browser's Web Worker.

It runs a student's program as `__main__` with lms_runner's driver (`exec_as_main`,
`exception_outcome`), adding CPython's semantics where Pyodide differs (blocking
time.sleep, asyncio.run cancelling leftover tasks, a threading.Timer on the event loop),
the time limit and the output cap, and puts the interpreter back into its post-start-up
state after every run.

Why one module of over 400 lines: reset_state puts every other module back to its
start-up state after each run, so what must outlive that (the baseline itself, `_emit`
that JS sets after capture_baseline, the loop close_last_loop closes) has to live in this
module; tracebacks hide this one file's frames (`_HIDDEN_FILES`); and the engine loads it
as the single runtime module `lms_pyodide` of HARNESS_SOURCES. Its parts, in order:
output streams, event loop and asyncio.run, Timer and sleep, the top-level asyncio.run
rewrite, interpreter state, the run drivers.

Called from JS (apps/grader/src/browser/engine.ts): python_version, capture_baseline,
run_jspi (with stack switching) or start_awaited + close_last_loop (without), on_deadline,
run_checks; `_emit` is the JS function that streams output to the page.

Needs Pyodide's `js` and `pyodide` modules; the harness's tests import it in CPython with
stand-ins for them.
"""

import ast
import asyncio
import builtins
import functools
import io
import os
import shutil
import signal
import sys
import threading
import time
# in the start-up state for lms_runner, which imports it on the first traceback (a module
# first imported during a run is dropped after it)
import traceback  # noqa: F401

import js
from pyodide.ffi import can_run_sync, create_once_callable, run_sync
from pyodide.webloop import WebLoop, _orig_sleep

import lms_checks
import lms_runner

FILENAME = lms_runner.PROGRAM_FILENAME
# frames left out of the program's tracebacks after its first one: ours (asyncio.run,
# sys.stdout.write, Timer)
_HIDDEN_FILES = (__file__,)
WORK_DIR = "/home/pyodide/work"
# emptied of what a run left there (the tests point both elsewhere before capture_baseline)
SCRATCH_DIRS = ("/tmp", "/home/pyodide")

_emit = None            # JS function (stream, text) -> None: streams output to the page
_run = None             # the current _RunState
_baseline = None        # interpreter state after start-up, restored after every run


class OutputLimit(KeyboardInterrupt):
    """Raised into the program when it writes more than the output cap."""


class Deadline(KeyboardInterrupt):
    """Raised into the program when the time limit passed while it was awaiting."""


class _RunState:
    def __init__(self, source, cap_bytes, loop):
        self.source = source
        self.loop = loop
        self.stdout = _Stream(self, "stdout", cap_bytes)
        self.stderr = _Stream(self, "stderr", cap_bytes)
        self.limit_hit = None  # "output" | "wall"
        self.timers = set()
        self.main_tasks = set()

    def hit_limit(self, kind):
        """The first limit hit ("output" | "wall") decides what every later write of the
        program raises (it keeps running if it catches the interrupt)."""
        if self.limit_hit is None:
            self.limit_hit = kind
            self.stdout.refuse = self.stderr.refuse = OutputLimit if kind == "output" else Deadline

    def write_stderr(self, text):
        """What the driver itself prints (a traceback): dropped once a limit was hit."""
        try:
            self.stderr.write(text)
        except KeyboardInterrupt:
            pass


class _Stream(io.TextIOBase):
    """sys.stdout / sys.stderr of a run: unbuffered, every write goes to the page at once.
    It keeps at most `cap_bytes` (UTF-8): a write past the cap keeps what fits and stops
    the program; once a limit was hit, every write raises `refuse` into the program."""

    def __init__(self, state, stream, cap_bytes):
        self._state = state
        self._stream = stream
        # _emit is set by JS before the run starts
        self._to_page = None if _emit is None else functools.partial(_emit, stream)
        self.name = "<" + stream + ">"
        self.cap_bytes = cap_bytes
        self.parts = []
        self.size = 0
        self.truncated = False
        self.refuse = None

    @property
    def encoding(self):
        return "utf-8"

    @property
    def errors(self):
        return "strict"

    def writable(self):
        return True

    def readable(self):
        return False

    def isatty(self):
        return False

    def fileno(self):
        raise io.UnsupportedOperation("fileno")

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not " + type(text).__name__)
        if self.refuse is not None:
            raise self.refuse()
        data = text.encode("utf-8", "surrogatepass")
        room = self.cap_bytes - self.size
        if len(data) > room:
            kept = data[: max(room, 0)].decode("utf-8", "ignore")
            self._keep(kept, len(kept.encode("utf-8", "surrogatepass")))
            self.truncated = True
            self._state.hit_limit("output")
            _stop_program(self._state)
            raise OutputLimit("the program wrote more than %d bytes to %s" % (self.cap_bytes, self._stream))
        self._keep(text, len(data))
        return len(text)

    def _keep(self, text, size):
        if not text:
            return
        self.parts.append(text)
        self.size += size
        if self._to_page is not None:
            self._to_page(text)

    def flush(self):
        pass

    def getvalue(self):
        return "".join(self.parts)


class _NoInput(io.TextIOBase):
    def readable(self):
        return True

    def readline(self, size=-1):
        return ""

    def read(self, size=-1):
        return ""


class RunLoop(WebLoop):
    """One event loop per run. It remembers what it scheduled so that nothing of a finished
    run fires later (Pyodide's shared WebLoop would keep running leftover tasks)."""

    def __init__(self):
        super().__init__()
        self._lms_handles = set()
        self._lms_closed = False
        # A task ended by KeyboardInterrupt/SystemExit keeps it as its exception, which is
        # where the driver picks it up; without these it would also be thrown into JS.
        self._keyboard_interrupt_handler = lambda: None
        self._system_exit_handler = lambda code: None

    def call_later(self, delay, callback, *args, context=None):
        if self._lms_closed:
            handle = asyncio.Handle(callback, args, self, context=context)
            handle.cancel()
            return handle
        box = []

        def fire(*fire_args):
            if box:
                self._lms_handles.discard(box[0])
            return callback(*fire_args)

        handle = super().call_later(delay, fire, *args, context=context)
        box.append(handle)
        self._lms_handles.add(handle)
        return handle

    def lms_close(self):
        self._lms_closed = True
        for handle in list(self._lms_handles):
            handle.cancel()
        self._lms_handles.clear()


def _pending_tasks(loop, keep=()):
    return [t for t in asyncio.all_tasks(loop) if not t.done() and t not in keep]


def _cancel_tasks(loop, keep=()):
    tasks = _pending_tasks(loop, keep)
    for task in tasks:
        task.cancel()
    return tasks


def _report_task_errors(loop, tasks):
    for task in tasks:
        if task.cancelled():
            continue
        exc = task.exception()
        if exc is not None:
            loop.call_exception_handler(
                {"message": "unhandled exception during asyncio.run() shutdown", "exception": exc, "task": task}
            )


def _asyncio_run(main, *, debug=None, loop_factory=None):
    """asyncio.run as CPython does it: run main, then cancel what is left and let it finish."""
    if not asyncio.iscoroutine(main):
        raise ValueError("a coroutine was expected, got {!r}".format(main))
    loop = _run.loop
    if not can_run_sync():
        main.close()
        raise RuntimeError(
            "asyncio.run() inside a function needs WebAssembly stack switching (JSPI), "
            "which this browser lacks; call asyncio.run() at the top level of the program"
        )
    task = loop.create_task(_main_then_cancel(main))
    _run.main_tasks.add(task)
    try:
        _wait_sync(loop, task)
        return task.result()
    finally:
        _run.main_tasks.discard(task)
        if not task.done():
            task.cancel()
        leftovers = _cancel_tasks(loop, _run.main_tasks)
        if leftovers:
            try:
                run_sync(asyncio.gather(*leftovers, return_exceptions=True))
            except BaseException:
                pass
            _report_task_errors(loop, leftovers)
        try:
            run_sync(loop.create_task(loop.shutdown_asyncgens()))
        except BaseException:
            pass


async def _main_then_cancel(main):
    """main(), then at once (in main's last step) cancel what it left running: CPython's
    asyncio.run stops the loop right there, while getting back to asyncio.run here takes
    a few event-loop hops in which a leftover task could still print."""
    try:
        return await main
    finally:
        loop = _run.loop
        for task in _pending_tasks(loop, _run.main_tasks | {_current_task(loop)}):
            task.cancel()


def _wait_sync(loop, task):
    """Suspend until task is done without letting its exception cross into JS and back
    (Pyodide formats the traceback on the way: hundreds of ms)."""
    if task.done():
        return
    settled = loop.create_future()

    def settle(_):
        if not settled.done():
            settled.set_result(None)

    task.add_done_callback(settle)
    run_sync(settled)


async def _asyncio_run_awaited(main, *, debug=None, loop_factory=None):
    """What a top-level asyncio.run(main()) becomes without JSPI: the driver awaits it."""
    if not asyncio.iscoroutine(main):
        raise ValueError("a coroutine was expected, got {!r}".format(main))
    loop = _run.loop
    task = loop.create_task(_main_then_cancel(main))
    _run.main_tasks.add(task)
    try:
        return await task
    finally:
        _run.main_tasks.discard(task)
        if not task.done():
            task.cancel()
        leftovers = _cancel_tasks(loop, _run.main_tasks | {asyncio.current_task()})
        if leftovers:
            await asyncio.gather(*leftovers, return_exceptions=True)
            _report_task_errors(loop, leftovers)
        await loop.shutdown_asyncgens()


class _Flag:
    def __init__(self):
        self._set = False

    def is_set(self):
        return self._set

    def set(self):
        self._set = True

    def clear(self):
        self._set = False

    def wait(self, timeout=None):
        return self._set


_timer_count = 0


class Timer:
    """threading.Timer for Pyodide, which cannot start threads: the call is scheduled with
    setTimeout on the page's event loop and runs when the program yields (await, or after it)."""

    def __init__(self, interval, function, args=None, kwargs=None):
        global _timer_count
        _timer_count += 1
        self.interval = interval
        self.function = function
        self.args = list(args) if args is not None else []
        self.kwargs = dict(kwargs) if kwargs is not None else {}
        self.finished = _Flag()
        self.name = "Thread-%d (Timer)" % _timer_count
        self.daemon = False
        self._started = False
        self._done = False
        self._timeout_id = None
        self._state = None

    def start(self):
        if self._started:
            raise RuntimeError("threads can only be started once")
        self._started = True
        self._state = _run
        if _run is not None:
            _run.timers.add(self)
        delay = max(0.0, float(self.interval)) * 1000
        self._timeout_id = js.setTimeout(create_once_callable(self._fire, _may_syncify=True), delay)

    def cancel(self):
        self.finished.set()
        self._finish()

    def _finish(self):
        if self._timeout_id is not None:
            js.clearTimeout(self._timeout_id)
            self._timeout_id = None
        self._done = True
        if self._state is not None:
            self._state.timers.discard(self)

    def _fire(self):
        self._timeout_id = None
        if self.finished.is_set() or self._state is not _run:
            self._finish()
            return
        try:
            self.function(*self.args, **self.kwargs)
        except SystemExit:
            pass
        except KeyboardInterrupt:
            pass  # a limit was hit: the driver reports it
        except BaseException as exc:
            sys.stderr.write("Exception in thread %s:\n" % self.name)
            sys.stderr.write(_traceback_text(exc))
        finally:
            self.finished.set()
            self._finish()

    def is_alive(self):
        return self._started and not self._done

    def join(self, timeout=None):
        if not self._started:
            raise RuntimeError("cannot join thread before it is started")
        if not can_run_sync():
            raise RuntimeError("Timer.join() needs WebAssembly stack switching (JSPI), which this browser lacks")
        end = None if timeout is None else time.monotonic() + timeout
        while self.is_alive() and (end is None or time.monotonic() < end):
            run_sync(_js_sleep(10))

    @property
    def ident(self):
        return None

    def getName(self):
        return self.name

    def isDaemon(self):
        return self.daemon

    def setDaemon(self, daemonic):
        self.daemon = daemonic


_monotonic = time.monotonic


def _blocking_sleep(seconds):
    """time.sleep that blocks like CPython's (Pyodide's yields to the event loop under JSPI)
    and wakes every 50 ms so an interrupt (the time limit) can stop it."""
    if not isinstance(seconds, (int, float)) or seconds <= 0:
        return _orig_sleep(seconds)
    end = _monotonic() + seconds
    while True:
        left = end - _monotonic()
        if left <= 0:
            return
        _orig_sleep(min(left, 0.05))


def _js_sleep(ms):
    return js.Promise.new(create_once_callable(lambda resolve, reject: js.setTimeout(resolve, ms)))


class _TopLevelAsyncioRun(ast.NodeTransformer):
    """Without JSPI: asyncio.run(x) at module level becomes await _lms_arun(x)."""

    def __init__(self, names):
        self.names = names  # local names that mean asyncio.run / asyncio module

    def _is_asyncio_run(self, func):
        if isinstance(func, ast.Attribute) and func.attr == "run" and isinstance(func.value, ast.Name):
            return func.value.id in self.names["module"]
        return isinstance(func, ast.Name) and func.id in self.names["run"]

    def visit_FunctionDef(self, node):
        return node

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_Lambda = visit_FunctionDef
    visit_ClassDef = visit_FunctionDef

    def visit_Call(self, node):
        self.generic_visit(node)
        if self._is_asyncio_run(node.func):
            call = ast.Call(func=ast.Name(id="__lms_arun__", ctx=ast.Load()), args=node.args, keywords=node.keywords)
            return ast.copy_location(ast.Await(value=ast.copy_location(call, node)), node)
        return node


def _asyncio_names(tree):
    names = {"module": set(), "run": set()}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "asyncio":
                    names["module"].add(alias.asname or "asyncio")
        elif isinstance(node, ast.ImportFrom) and node.module == "asyncio" and node.level == 0:
            for alias in node.names:
                if alias.name == "run":
                    names["run"].add(alias.asname or "run")
    return names


def compile_for_top_level_await(source):
    tree = ast.parse(source, FILENAME)
    tree = _TopLevelAsyncioRun(_asyncio_names(tree)).visit(tree)
    ast.fix_missing_locations(tree)
    return compile(tree, FILENAME, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)


# --- interpreter state -------------------------------------------------------------

def _snapshot_modules():
    return {name: (mod, dict(mod.__dict__)) for name, mod in sys.modules.items() if hasattr(mod, "__dict__")}


def capture_baseline():
    """Called once after start-up: what every run starts from."""
    global _baseline
    shutil.rmtree(WORK_DIR, ignore_errors=True)
    _baseline = {
        "modules": _snapshot_modules(),
        "builtins": dict(builtins.__dict__),
        "sys_path": list(sys.path),
        "environ": dict(os.environ),
        "recursion": sys.getrecursionlimit(),
        "scratch": {d: set(os.listdir(d)) for d in SCRATCH_DIRS if os.path.isdir(d)},
        "policy_loop": asyncio.get_event_loop_policy().get_event_loop(),
    }


def _restore_dict(target, saved):
    for key in [k for k in target if k not in saved]:
        try:
            del target[key]
        except (KeyError, TypeError):
            pass
    for key, value in saved.items():
        if target.get(key, _restore_dict) is not value:
            try:
                target[key] = value
            except TypeError:
                pass


def _clear_dir(path, keep):
    for name in os.listdir(path):
        if name in keep:
            continue
        full = os.path.join(path, name)
        try:
            if os.path.isdir(full) and not os.path.islink(full):
                shutil.rmtree(full, ignore_errors=True)
            else:
                os.unlink(full)
        except OSError:
            pass


def reset_state():
    """Back to the post-start-up interpreter: modules, builtins, sys, files, event loop."""
    base = _baseline
    saved_modules = base["modules"]
    for name in [n for n in sys.modules if n not in saved_modules]:
        del sys.modules[name]
    for name, (mod, saved) in saved_modules.items():
        if name == __name__:
            continue
        sys.modules[name] = mod
        if mod.__dict__ is not saved:
            _restore_dict(mod.__dict__, saved)
    _restore_dict(builtins.__dict__, base["builtins"])
    sys.path[:] = base["sys_path"]
    os.environ.clear()
    os.environ.update(base["environ"])
    sys.setrecursionlimit(base["recursion"])
    os.chdir("/")
    for directory, keep in base["scratch"].items():
        if os.path.isdir(directory):
            _clear_dir(directory, keep)
    asyncio.get_event_loop_policy().set_event_loop(base["policy_loop"])


def _prepare(source, cap_bytes):
    global _run
    reset_state()
    shutil.rmtree(WORK_DIR, ignore_errors=True)
    os.makedirs(WORK_DIR)
    os.chdir(WORK_DIR)
    loop = RunLoop()
    asyncio.get_event_loop_policy().set_event_loop(loop)
    _run = _RunState(source, cap_bytes, loop)
    sys.stdout = _run.stdout
    sys.stderr = _run.stderr
    sys.stdin = _NoInput()
    sys.argv = [FILENAME]
    sys.path.insert(0, WORK_DIR)
    # CPython's behaviour where Pyodide's differs (see PYODIDE-NOTES.md):
    time.sleep = _blocking_sleep      # Pyodide's sleep yields to the event loop under JSPI
    asyncio.run = _asyncio_run        # Pyodide's leaves the program's other tasks running
    asyncio.runners.run = _asyncio_run
    threading.Timer = Timer           # no threads in Pyodide
    signal.signal(signal.SIGALRM, _alarm)
    return _run


def _current_task(loop):
    try:
        return asyncio.current_task(loop)
    except RuntimeError:
        return None


def _stop_program(state):
    for task in _pending_tasks(state.loop, {_current_task(state.loop)}):
        task.cancel()
    for timer in list(state.timers):
        timer.cancel()


def on_deadline():
    """The worker's timer fired while Python was idle (awaiting): stop the program."""
    state = _run
    if state is None:
        return
    state.hit_limit("wall")
    _stop_program(state)


def _alarm(signum, frame):
    # The page writes SIGALRM into the interrupt buffer when the time limit passed while
    # Python was busy (a loop that never awaits).
    if _run is not None:
        _run.hit_limit("wall")
    raise Deadline("time limit exceeded")


_last_loop = None


def close_last_loop():
    """After JS saw the awaited driver task finish: nothing of that run may fire later."""
    global _last_loop
    if _last_loop is not None:
        _last_loop.lms_close()
        _last_loop = None


def _finish(state, started, exit_code, tb, mode, close_loop=True):
    global _run, _last_loop
    loop = state.loop
    for task in _cancel_tasks(loop, {_current_task(loop)}):
        task._log_destroy_pending = False
    for timer in list(state.timers):
        timer.cancel()
    if close_loop:
        loop.lms_close()
    else:
        _last_loop = loop
    elapsed = time.perf_counter() - started
    record = {
        "stdout": state.stdout.getvalue(),
        "stderr": state.stderr.getvalue(),
        "exit_code": exit_code,
        "elapsed": elapsed,
        "timed_out": state.limit_hit == "wall",
        "traceback": tb,
        "stdout_truncated": state.stdout.truncated,
        "stderr_truncated": state.stderr.truncated,
        "limit_hit": state.limit_hit,
        "mode": mode,
    }
    _run = None
    sys.stdout, sys.stderr, sys.stdin = sys.__stdout__, sys.__stderr__, sys.__stdin__
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    reset_state()
    return record


def _outcome(state, exc):
    """(exit_code, traceback) for an exception that ended the program."""
    if state.limit_hit is not None and isinstance(exc, (KeyboardInterrupt, asyncio.CancelledError)):
        return None, None
    # exception_outcome registers the source with linecache again: asyncio may have cleared it
    return lms_runner.exception_outcome(exc, state.source, state.write_stderr, FILENAME, _HIDDEN_FILES)


def _traceback_text(exc):
    """lms_runner.clean_traceback, also without the harness's frames after the program's."""
    if _run is not None and _run.source is not None:
        lms_runner.register_source(_run.source, FILENAME)
    return lms_runner.clean_traceback(exc, FILENAME, _HIDDEN_FILES)


def _wait_timers_sync(state):
    # CPython waits for non-daemon threads (a started Timer) before the program ends.
    while any(not t.daemon and t.is_alive() for t in state.timers) and state.limit_hit is None:
        run_sync(_js_sleep(5))


async def _wait_timers_async(state):
    while any(not t.daemon and t.is_alive() for t in state.timers) and state.limit_hit is None:
        await asyncio.sleep(0.005)


def run_jspi(source, cap_bytes):
    """Run the program; called with stack switching (callPromising), so asyncio.run and
    Timer.join can wait. Returns the run record (dict)."""
    state = _prepare(source, cap_bytes)
    started = time.perf_counter()
    exit_code, tb = 0, None
    try:
        exit_code, tb = lms_runner.exec_as_main(
            source,
            state.write_stderr,
            FILENAME,
            after_exec=lambda: _wait_timers_sync(state),
            outcome=lambda exc: _outcome(state, exc),
        )
    finally:
        record = _finish(state, started, exit_code, tb, "jspi")
    return record


async def run_awaited(source, cap_bytes):
    """Run the program without JSPI: top-level asyncio.run(...) becomes an await."""
    state = _run  # prepared by start_awaited
    started = time.perf_counter()
    exit_code, tb = 0, None
    try:
        try:
            lms_runner.register_source(source, FILENAME)
            code = compile_for_top_level_await(source)
        except (SyntaxError, ValueError) as exc:
            exit_code, tb = lms_runner.compile_error_outcome(exc, source, state.write_stderr, FILENAME)
        else:
            module = lms_runner.fresh_main_module(FILENAME)
            module.__dict__["__lms_arun__"] = _asyncio_run_awaited
            try:
                result = eval(code, module.__dict__)
                if asyncio.iscoroutine(result):
                    await result
                await _wait_timers_async(state)
            except BaseException as exc:
                exit_code, tb = _outcome(state, exc)
    finally:
        record = _finish(state, started, exit_code, tb, "top-level-await", close_loop=False)
    return record


def start_awaited(source, cap_bytes):
    """Schedules run_awaited on the run's own loop; JS awaits the returned task."""
    state = _prepare(source, cap_bytes)
    driver = state.loop.create_task(run_awaited(source, cap_bytes))
    state.main_tasks.add(driver)  # never one of the program's leftovers
    return driver


def run_checks(record_json, source, public):
    import json
    record = json.loads(record_json)
    record["source"] = source
    return lms_checks.run_tests(record, public, None)


def python_version():
    return "%d.%d.%d" % sys.version_info[:3]
