# Task 0020: make the two tasks run concurrently: no blocking time.sleep, ~3 s instead of 5.
from lms_checks import test


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
