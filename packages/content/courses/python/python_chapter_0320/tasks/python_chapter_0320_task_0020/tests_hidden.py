# Task 0020, hidden: the exact output of the reference. With concurrent tasks the lines
# interleave deterministically (A's timer is always scheduled just before B's).
from lms_checks import test

EXPECTED = [
    "Task A: Computing 0+1",
    "Task B: Computing 0+1",
    "Task A: Computing 1+2",
    "Task B: Computing 1+2",
    "Task A: Sum = 3",
    "Task B: Computing 3+3",
    "Task B: Sum = 6",
]


@test("Вывод совпадает с ожидаемым")
def same_output(run):
    if sorted(run.lines) == sorted(EXPECTED) and run.lines != EXPECTED:
        raise AssertionError(
            "Строки верные, но идут в другом порядке: задачи A и B выполняются не поочерёдно. "
            "Ожидается, что после каждой паузы продолжают работу обе задачи."
        )
    for i, (got, want) in enumerate(zip(run.lines, EXPECTED), start=1):
        assert got == want, f"Строка {i}: ожидалось {want!r}, а выведено {got!r}."
    assert len(run.lines) == len(EXPECTED), (
        f"Ожидалось {len(EXPECTED)} строк вывода, а выведено {len(run.lines)}. "
        "Не меняйте то, что печатает программа: исправьте только паузы."
    )
