# Task 0020: make the two tasks run concurrently: no blocking time.sleep, ~3 s instead of 5.
# Tests never run the student's code (they see the record of its run and its source), so
# blocking is read from the source too: time.sleep anywhere, a while loop in a coroutine that
# never awaits (busy waiting). The output is checked for interleaving only (task B starts
# before task A is done); the exact lines are hidden.
import ast

from lms_checks import test

_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _ready_made(text):
    """A result line written into the code instead of computed ("Task A: Computing 0+1",
    "Sum = 3"): a marker followed by a number. (No `re`: the tests' process stays cheap.)"""
    for marker in ("Computing", "Sum ="):
        at = text.find(marker)
        if at >= 0 and text[at + len(marker) :].lstrip()[:1].isdigit():
            return True
    return False


def _own_nodes(roots):
    """The nodes of `roots` and below, without the bodies of functions and classes defined there."""
    stack = [node for node in roots if not isinstance(node, _NESTED)]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(child for child in ast.iter_child_nodes(node) if not isinstance(child, _NESTED))


@test("Нет блокирующего вызова time.sleep")
def no_blocking_sleep(run):
    assert run.ast is not None, "Код не удалось разобрать: проверьте синтаксис."
    calls = run.calls("time.sleep")
    if calls:
        raise AssertionError(
            f"В строке {calls[0].lineno} остался вызов time.sleep(): он блокирует весь цикл событий, "
            "и задачи выполняются по очереди. Замените его на await asyncio.sleep(...)."
        )


@test("Программа завершается без ошибок")
def finishes_cleanly(run):
    assert not run.timed_out, "Программа не завершилась вовремя."
    assert run.traceback is None, "Программа завершилась с ошибкой:\n" + (run.traceback or "")
    assert run.exit_code == 0, f"Программа завершилась с кодом {run.exit_code}, а должна с кодом 0."


@test("Задачи выполняются конкурентно: около 3 секунд, а не 5")
def runs_about_three_seconds(run):
    assert run.elapsed < 4.5, (
        f"Программа работала {run.elapsed:.1f} с. Если задачи выполняются по очереди, выходит 5 с; "
        "конкурентно — около 3 с. Корутина sleep() должна отдавать управление циклу событий."
    )
    assert run.elapsed >= 2.5, (
        f"Программа работала всего {run.elapsed:.1f} с, а каждая итерация должна ждать 1 секунду. "
        "Не убирайте паузу, а сделайте её неблокирующей: await asyncio.sleep(1)."
    )


@test("Ожидание не блокирует цикл событий")
def no_busy_waiting(run):
    assert run.ast is not None, "Код не удалось разобрать: проверьте синтаксис."
    for fn in ast.walk(run.ast):
        if not isinstance(fn, ast.AsyncFunctionDef):
            continue
        for loop in _own_nodes(fn.body):
            if not isinstance(loop, ast.While):
                continue
            if not any(isinstance(n, (ast.Await, ast.AsyncFor, ast.AsyncWith)) for n in _own_nodes([loop])):
                raise AssertionError(
                    f"В строке {loop.lineno} в корутине {fn.name}() цикл while, в котором нет await. "
                    "Пока такой цикл крутится, корутина не отдаёт управление, и цикл событий стоит: "
                    "другая задача ждёт его конца (это то же, что блокирующий time.sleep). "
                    "Ждите через await asyncio.sleep(1)."
                )


@test("Задачи A и B работают одновременно")
def tasks_interleave(run):
    a_done = [i for i, line in enumerate(run.lines) if line.startswith("Task A: Sum")]
    b = [i for i, line in enumerate(run.lines) if line.startswith("Task B")]
    if not a_done:
        return  # A never finished: the other tests say why
    assert b, (
        "Программа должна печатать строки обеих задач, Task A и Task B, как исходная: "
        "не меняйте вывод, исправьте только паузы."
    )
    assert b[0] < a_done[0], (
        "Задача B начала печатать только после того, как задача A закончила: задачи выполняются "
        "по очереди, а не конкурентно. Запустите обе корутины как задачи (asyncio.create_task или "
        "asyncio.gather), ждите их вместе, а паузу делайте через await asyncio.sleep(1)."
    )


@test("Вывод вычисляется, а не записан в коде готовым")
def output_is_computed(run):
    assert run.ast is not None, "Код не удалось разобрать: проверьте синтаксис."
    for node in ast.walk(run.ast):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _ready_made(node.value):
            raise AssertionError(
                f"В строке {node.lineno} готовая строка вывода {node.value!r}. Программа должна "
                "вычислять суммы в корутине sum() и печатать их через f-строку, как исходная: строки "
                "должны чередоваться потому, что задачи выполняются конкурентно, а не потому, что "
                "print записаны в нужном порядке."
            )
