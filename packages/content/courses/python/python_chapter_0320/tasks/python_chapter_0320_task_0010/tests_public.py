# Task 0010: "tick" about once a second, "exists!" once senjun.py appears, then stop.
# Public tests: what the program prints and that it ends cleanly.
from lms_checks import test

ALLOWED = {"tick", "exists!"}


@test("Программа завершается без ошибок")
def finishes_cleanly(run):
    assert not run.timed_out, (
        "Программа не завершилась вовремя. После вывода exists! она должна закончить работу: "
        "дождитесь задачи проверки файла в main() и не ждите бесконечную задачу tick."
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
