/** The doctor's reader-style comparison (src/doctor/reader.ts, compare.ts): each rule, and its limits. */
import { describe, expect, it } from 'vitest';
import { compareOutput, compareRun } from '../src/doctor/compare.ts';
import { allowancesOf, splitTraceback } from '../src/doctor/reader.ts';

const run = (stdout: string, stderr = '', exitCode: number | null = 0) => ({
  stdout,
  stderr,
  exitCode,
});
const rulesOf = (v: ReturnType<typeof compareRun>) => (v.verdict === 'loose' ? v.rules : v.verdict);

describe('reader rules that need no permission from the code', () => {
  it('object addresses', () => {
    const v = compareOutput(
      '<__main__.A object at 0x7f67b1a8f590>',
      '<__main__.A object at 0x7fda1d0d4310>',
    );
    expect(rulesOf(v as never)).toEqual(['object addresses']);
    // only the address may differ
    expect(
      compareOutput(
        '<__main__.A object at 0x7f67b1a8f590>',
        '<__main__.B object at 0x7fda1d0d4310>',
      ).verdict,
    ).toBe('mismatch');
  });

  it('set order, and only for sets', () => {
    expect(
      rulesOf(
        compareOutput("{'FastAPI', 'Flask', 'Django'}", "{'Django', 'FastAPI', 'Flask'}") as never,
      ),
    ).toEqual(['set order']);
    expect(compareOutput("{'a', 'b'}", "{'a', 'c'}").verdict).toBe('mismatch');
    // a list's order is the program's
    expect(compareOutput("['a', 'b']", "['b', 'a']").verdict).toBe('mismatch');
    // a dict keeps insertion order
    expect(compareOutput("{'a': 1, 'b': 2}", "{'b': 2, 'a': 1}").verdict).toBe('mismatch');
  });

  it('a tab the program prints matches the spaces the text shows, nothing else about blanks', () => {
    expect(rulesOf(compareOutput('MSG 1     id 0 / 2', 'MSG 1\t id 0 / 2') as never)).toEqual([
      'tabs',
    ]);
    // alignment made of spaces is the program's: a misaligned table is a real mismatch
    expect(compareOutput('name      age', 'name age').verdict).toBe('mismatch');
    expect(compareOutput('  x', 'x').verdict).toBe('mismatch');
    expect(compareOutput('a b', 'ab').verdict).toBe('mismatch');
  });

  it('object addresses only in a repr, not any hex number; sets of numbers keep their order', () => {
    expect(compareOutput('0xff0000', '0xfe0000').verdict).toBe('mismatch');
    expect(compareOutput('{3, 1, 2}', '{1, 2, 3}').verdict).toBe('mismatch');
    expect(compareOutput('{b, a}', '{a, b}').verdict).toBe('mismatch');
  });

  it('elision: a "..." line stands for any number of lines', () => {
    const v = compareOutput('start\n...\nend', 'start\n1\n2\n3\nend');
    expect(rulesOf(v as never)).toEqual(['elision']);
    expect(compareOutput('start\n...\nend', 'start\n1\n2').verdict).toBe('mismatch');
    // a program that prints "..." itself matches exactly
    expect(compareOutput('a\n...\nb', 'a\n...\nb')).toEqual({ verdict: 'exact' });
  });
});

describe('rules that apply only where the code shows the cause', () => {
  it('decimal tolerance only where the code measures time (or doctor.json sets one)', () => {
    expect(compareOutput('0.3', '0.30000000000000004').verdict).toBe('mismatch');
    expect(compareOutput('Total: 2.68', 'Total: 2.67').verdict).toBe('mismatch');
    const timed = allowancesOf('import time\nstart = time.perf_counter()');
    expect(timed.timing).toBe(true);
    expect(
      rulesOf(compareRun('done in 5.0016 s', run('done in 5.0421 s'), { allowances: timed })),
    ).toEqual(['decimal tolerance']);
  });

  it('no clock for date arithmetic, no random for a seeded generator, no reordering for asyncio', () => {
    const dates = allowancesOf(
      'from datetime import date, timedelta\nprint(date(2024, 1, 31) + timedelta(days=1))',
    );
    expect(dates.clock).toBe(false);
    expect(compareRun('2024-02-01', run('2024-03-01'), { allowances: dates }).verdict).toBe(
      'mismatch',
    );
    const seeded = allowancesOf('import random\nrandom.seed(1)\nprint(random.randint(1, 9))');
    expect(seeded.random).toBe(false);
    const tasks = allowancesOf('import asyncio\nasync def main():\n    await a()\n    await b()');
    expect(tasks.concurrent).toBe(false);
    expect(compareRun('B\nA', run('A\nB'), { allowances: tasks }).verdict).toBe('mismatch');
    // month names are whole words: "Decimal" is not December
    const clock = allowancesOf('from datetime import datetime\nprint(datetime.now())');
    expect(compareRun('Decimal 2', run('Decimal 3'), { allowances: clock }).verdict).toBe(
      'mismatch',
    );
  });

  it('reads which sources of variation the code has', () => {
    expect(allowancesOf('from datetime import datetime\nprint(datetime.now())')).toMatchObject({
      clock: true,
      ids: false,
      random: false,
      concurrent: false,
    });
    expect(allowancesOf('print(id(x), hash("a"))').ids).toBe(true);
    expect(allowancesOf('import random\nprint(random.randint(1, 6))').random).toBe(true);
    expect(allowancesOf('from multiprocessing import Process').concurrent).toBe(true);
    expect(allowancesOf('print(5)')).toEqual({
      clock: false,
      ids: false,
      random: false,
      concurrent: false,
      timing: false,
    });
  });

  it('clock: dates, times and weekdays when the code reads the clock', () => {
    const code = 'import datetime\nprint("Today:", datetime.date.today())';
    const v = compareRun(
      'Today: 2024-06-27, day of week: Thursday',
      run('Today: 2026-12-02, day of week: Wednesday'),
      { allowances: allowancesOf(code) },
    );
    expect(rulesOf(v)).toEqual(['clock']);
    // the same difference from code that does not read the clock is a real one
    expect(
      compareRun('Due: 2024-06-27', run('Due: 2024-06-28'), {
        allowances: allowancesOf('print("Due: 2024-06-28")'),
      }).verdict,
    ).toBe('mismatch');
  });

  it('ids and hashes only when the code calls id() or hash()', () => {
    expect(
      rulesOf(
        compareRun('id: 140225567618320', run('id: 140628261044432'), {
          allowances: allowancesOf('print("id:", id(x))'),
        }),
      ),
    ).toEqual(['ids and hashes']);
    expect(compareRun('total: 140225567618320', run('total: 140628261044432')).verdict).toBe(
      'mismatch',
    );
  });

  it('random values only when the code uses random', () => {
    const allowances = allowancesOf('import random\nprint("rolled", random.randint(1, 6))');
    expect(rulesOf(compareRun('rolled 4', run('rolled 2'), { allowances }))).toEqual([
      'random values',
    ]);
    expect(compareRun('rolled 4', run('got 2'), { allowances }).verdict).toBe('mismatch');
    expect(compareRun('5 tasks', run('6 tasks')).verdict).toBe('mismatch');
  });

  it('concurrent order only when the code runs things concurrently', () => {
    const allowances = allowancesOf('from threading import Thread');
    expect(rulesOf(compareRun('a\nb\nc', run('b\na\nc'), { allowances }))).toEqual([
      'concurrent order',
    ]);
    expect(compareRun('a\nb\nc', run('b\na\nc')).verdict).toBe('mismatch');
  });
});

describe('tracebacks', () => {
  const shown = [
    'before',
    'Traceback (most recent call last):',
    '  File "example.py", line 5, in <module>',
    '    d[4]',
    'KeyError: 4',
  ].join('\n');

  it('splits what was printed from the exception', () => {
    expect(splitTraceback(shown.split('\n'))).toEqual({
      printed: ['before'],
      exception: 'KeyError: 4',
    });
    expect(splitTraceback(['ZeroDivisionError: division by zero'])).toEqual({
      printed: [],
      exception: 'ZeroDivisionError: division by zero',
    });
    expect(splitTraceback(['Exception: my raise!'])?.exception).toBe('Exception: my raise!');
    expect(splitTraceback(['all good'])).toBeNull();
  });

  it("matches the printed lines and the exception; the frames' file names and carets may differ", () => {
    const stderr =
      'Traceback (most recent call last):\n  File "main.py", line 5, in <module>\n    d[4]\n    ~^^^\nKeyError: 4\n';
    expect(rulesOf(compareRun(shown, run('before\n', stderr, 1)))).toEqual(['traceback']);
    // another exception, or other printed lines, or no exception at all: real mismatches
    expect(compareRun(shown, run('before\n', 'Traceback...\nKeyError: 5\n', 1)).verdict).toBe(
      'mismatch',
    );
    expect(compareRun(shown, run('after\n', stderr, 1)).verdict).toBe('mismatch');
    const normal = compareRun(shown, run('before\n'));
    expect(normal).toMatchObject({
      verdict: 'mismatch',
      why: expect.stringMatching(/shows the exception "KeyError: 4", the run ended normally/),
    });
  });

  it('ignores the suggestion newer Pythons add to a NameError', () => {
    const v = compareRun(
      "NameError: name 'val' is not defined. Did you mean: 'vals'?",
      run('', "Traceback...\nNameError: name 'val' is not defined\n", 1),
    );
    expect(rulesOf(v)).toEqual(['traceback']);
  });
});
