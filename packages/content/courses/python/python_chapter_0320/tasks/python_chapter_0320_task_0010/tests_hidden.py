# Task 0010, hidden tests: timing. The Timer creates senjun.py 2 s after start, so a correct
# program runs a little over 2 s and prints tick at t = 0, 1, 2 (2 or 3 times). That tick
# comes at least twice while the program waits is public (tests_public.py).
from lms_checks import test


@test("tick печатается примерно раз в секунду, пока файла нет")
def ticks_once_a_second(run):
    # at least twice before exists! is a public test (ticks_while_waiting)
    ticks = run.lines.count("tick")
    assert ticks <= int(run.elapsed) + 2, (
        f"tick выведено {ticks} раз за {run.elapsed:.1f} с — слишком часто. "
        "Между выводами нужна пауза в секунду: await asyncio.sleep(1)."
    )


@test("Программа завершается вскоре после появления файла")
def ends_soon_after_file(run):
    assert run.elapsed < 4.0, (
        f"Программа работала {run.elapsed:.1f} с, хотя файл появляется через 2 с. "
        "Завершайте программу сразу после вывода exists!, не дожидаясь задачи tick."
    )
    assert run.elapsed >= 1.8, (
        f"Программа завершилась через {run.elapsed:.1f} с, ещё до появления файла. "
        "Дождитесь, пока os.path.exists('senjun.py') вернёт True."
    )
