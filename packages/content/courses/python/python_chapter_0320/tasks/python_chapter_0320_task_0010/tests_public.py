# Task 0010: "tick" about once a second, "exists!" once senjun.py appears, then stop.
# Public tests: what the program prints, that it ends cleanly, that tick keeps coming while
# the program waits, and that the waiting itself never blocks the event loop.
#
# Tests never run the student's code (decision 0001: they only see the record of its run and
# its source), so "does not block the loop" is read from the source: time.sleep in code that
# runs on the event loop (a coroutine, or a plain function a coroutine calls), a while loop in
# a coroutine that never awaits (busy waiting). A fully blocking wait is also seen in the
# output: tick stops until the file appears.
import ast

from lms_checks import test

ALLOWED = {"tick", "exists!"}
# what looking at a file is called (os.path.exists/isfile/..., Path.exists/is_file, os.stat...)
FILE_CHECKS = {"exists", "isfile", "is_file", "lexists", "access", "stat", "lstat", "listdir", "scandir",
               "iterdir", "glob"}
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _own_nodes(roots):
    """The nodes of `roots` and below, without the bodies of functions and classes defined there."""
    stack = [node for node in roots if not isinstance(node, _NESTED)]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(child for child in ast.iter_child_nodes(node) if not isinstance(child, _NESTED))


def _on_loop(tree):
    """Functions whose code runs on the event loop: every coroutine (async def), and the plain
    functions they call by name, and those they call, and so on."""
    defs = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defs.setdefault(node.name, []).append(node)
    found = [node for node in ast.walk(tree) if isinstance(node, ast.AsyncFunctionDef)]
    seen = {id(node) for node in found}
    queue = list(found)
    while queue:
        fn = queue.pop()
        for node in _own_nodes(fn.body):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                for target in defs.get(node.func.id, []):
                    if isinstance(target, ast.FunctionDef) and id(target) not in seen:
                        seen.add(id(target))
                        found.append(target)
                        queue.append(target)
    return found


def _where(fn):
    kind = "корутина" if isinstance(fn, ast.AsyncFunctionDef) else "функция"
    return "%s %s()" % (kind, fn.name)


@test("Программа завершается без ошибок")
def finishes_cleanly(run):
    assert not run.timed_out, (
        "Программа не завершилась вовремя. После вывода exists! она должна закончить работу: "
        "дождитесь задачи проверки файла в main() и не ждите бесконечную задачу tick. "
        "Если программа так и не вывела exists!, проверьте, не блокирует ли ожидание файла цикл событий."
    )
    assert run.traceback is None, "Программа завершилась с ошибкой:\n" + (run.traceback or "")
    assert run.exit_code == 0, f"Программа завершилась с кодом {run.exit_code}, а должна с кодом 0."


@test("Выводит только строки tick и exists!")
def only_expected_lines(run):
    extra = [line for line in run.lines if line.strip() and line not in ALLOWED]
    assert not extra, (
        f"Лишний вывод: {extra[0]!r}. Программа должна печатать только tick и exists! "
        "(каждое на своей строке, без кавычек и пробелов)."
    )


@test("exists! выводится ровно один раз, и программа сразу завершается")
def exists_once_then_ends(run):
    count = run.lines.count("exists!")
    assert count > 0, "Программа так и не вывела exists!. Проверяйте os.path.exists('senjun.py') в цикле."
    assert count == 1, (
        f"exists! выведено {count} раз, а нужно ровно один: после появления файла программа должна завершиться."
    )
    after = run.lines[run.lines.index("exists!") + 1 :]
    # A tick that fired in the same step of the event loop may still get printed; more may not.
    assert len(after) <= 1, (
        f"После exists! программа напечатала ещё {len(after)} строк(и). "
        "Как только файл появился, программа должна завершиться, а не продолжать печатать tick."
    )


@test("tick печатается, пока программа ждёт файл")
def ticks_while_waiting(run):
    if "exists!" not in run.lines:
        return  # said by the test above
    before = run.lines[: run.lines.index("exists!")].count("tick")
    assert before >= 2, (
        f"До exists! tick выведено {before} раз(а), а файл появляется только через 2 секунды: "
        "за это время tick должно появиться хотя бы дважды (сразу и через секунду). "
        "Если tick замолкает, пока программа ждёт файл, значит ожидание блокирует цикл событий "
        "и задача tick не получает управления. Ждите файл так, чтобы корутина отдавала управление: "
        "await asyncio.sleep(...) между проверками."
    )


@test("Ожидание файла не блокирует цикл событий")
def waiting_does_not_block(run):
    assert run.ast is not None, "Код не удалось разобрать: проверьте синтаксис."
    on_loop = _on_loop(run.ast)
    sleeps = {id(call): call for call in run.calls("time.sleep")}
    for fn in on_loop:
        for node in _own_nodes(fn.body):
            if id(node) in sleeps:
                raise AssertionError(
                    f"В строке {node.lineno} {_where(fn)} вызывает time.sleep(). Этот код выполняется "
                    "в цикле событий, а time.sleep() останавливает весь поток: пока он спит, цикл событий "
                    "стоит, и ни tick, ни другие корутины не выполняются — конкурентности нет. "
                    "В корутине ждите через await asyncio.sleep(...): она отдаёт управление циклу событий."
                )
    for fn in on_loop:
        if not isinstance(fn, ast.AsyncFunctionDef):
            continue
        for loop in _own_nodes(fn.body):
            if not isinstance(loop, ast.While):
                continue
            if not any(isinstance(n, (ast.Await, ast.AsyncFor, ast.AsyncWith)) for n in _own_nodes([loop])):
                raise AssertionError(
                    f"В строке {loop.lineno} в корутине {fn.name}() цикл while, в котором нет await. "
                    "Пока такой цикл крутится, корутина не отдаёт управление, и цикл событий стоит: "
                    "tick и другие задачи ждут его конца (это то же, что блокирующий time.sleep). "
                    "Добавьте в цикл await asyncio.sleep(...), чтобы между проверками работали другие задачи."
                )


@test("Программа проверяет, появился ли файл")
def looks_at_the_file(run):
    assert run.ast is not None, "Код не удалось разобрать: проверьте синтаксис."
    # the Timer's own function writes the file: opening it there is not looking for it
    timer_callbacks = set()
    for call in run.calls("threading.Timer"):
        callback = call.args[1] if len(call.args) > 1 else None
        for keyword in call.keywords:
            if keyword.arg == "function":
                callback = keyword.value
        if isinstance(callback, ast.Name):
            timer_callbacks.add(callback.id)
    skipped = set()
    for node in ast.walk(run.ast):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in timer_callbacks:
            skipped.update(id(n) for n in ast.walk(node))
    for node in ast.walk(run.ast):
        if id(node) in skipped:
            continue
        name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
        if name in FILE_CHECKS or name == "open":
            return
    raise AssertionError(
        "Программа нигде не проверяет, есть ли файл senjun.py, а угадывает, когда он появится. "
        "Время появления файла заранее неизвестно: exists! нужно выводить, когда "
        "os.path.exists('senjun.py') вернёт True."
    )
