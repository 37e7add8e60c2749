import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AttemptHistory } from '../src/AttemptHistory.tsx';
import { CodeDiff } from '../src/CodeDiff.tsx';
import { BarChart, Sparkline, sparklinePoints } from '../src/charts.tsx';
import { cn } from '../src/cn.ts';
import { engineLabel, formatDuration } from '../src/format.ts';
import { format, uiMessages } from '../src/messages.ts';
import { ChapterProgressList, ProgressBar } from '../src/Progress.tsx';
import { Badge, Button, formatShortcut, Kbd } from '../src/primitives.tsx';
import { seriousViolations } from './axe.ts';

afterEach(cleanup);

describe('ProgressBar', () => {
  it('exposes role, name and values', () => {
    render(<ProgressBar value={2} max={5} label="Глава 1" showValue />);
    const bar = screen.getByRole('progressbar', { name: 'Глава 1' });
    expect(bar.getAttribute('aria-valuenow')).toBe('2');
    expect(bar.getAttribute('aria-valuemin')).toBe('0');
    expect(bar.getAttribute('aria-valuemax')).toBe('5');
    expect(bar.getAttribute('aria-valuetext')).toBe('2 из 5');
    expect((bar.firstElementChild as HTMLElement).style.width).toBe('40%');
    expect(screen.getByText('2 из 5')).toBeTruthy();
  });

  it('clamps out-of-range values and survives max 0', () => {
    render(<ProgressBar value={9} max={3} label="a" />);
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('3');
    cleanup();
    render(<ProgressBar value={1} max={0} label="b" />);
    const bar = screen.getByRole('progressbar');
    expect(bar.getAttribute('aria-valuenow')).toBe('0');
    expect((bar.firstElementChild as HTMLElement).style.width).toBe('0%');
  });
});

describe('ChapterProgressList', () => {
  it('lists chapters with links, task counts, done and continue markers', async () => {
    const { container } = render(
      <ChapterProgressList
        chapters={[
          { id: 'c1', number: 310, title: 'Генераторы', href: '/c/1', solved: 2, total: 2 },
          {
            id: 'c2',
            number: 320,
            title: 'Asyncio',
            href: '/c/2',
            solved: 1,
            total: 2,
            current: true,
          },
          { id: 'c3', title: 'Без задач', href: '/c/3', solved: 0, total: 0 },
        ]}
      />,
    );
    const list = screen.getByRole('list', { name: 'Главы' });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(3);
    expect(within(items[0]!).getByRole('link').getAttribute('href')).toBe('/c/1');
    expect(items[0]!.textContent).toContain('Пройдена');
    expect(items[1]!.textContent).not.toContain('Пройдена');
    expect(items[1]!.textContent).toContain('Продолжить здесь');
    expect(items[1]!.textContent).toContain('Задачи: 1 из 2');
    expect(within(items[1]!).getByRole('progressbar', { name: 'Прогресс: Asyncio' })).toBeTruthy();
    expect(within(items[2]!).queryByRole('progressbar')).toBeNull();
    expect(await seriousViolations(container)).toEqual([]);
  });
});

describe('CodeDiff', () => {
  it('shows a unified diff with gutters and words for screen readers', async () => {
    const { container } = render(
      <CodeDiff
        before={'import time\ntime.sleep(1)\nprint(42)\n'}
        after={'import asyncio\nprint(42)\n'}
        title="Попытка 1 → 2"
      />,
    );
    expect(container.querySelector('figcaption')?.textContent).toContain('Попытка 1 → 2');
    expect(container.querySelector('figcaption')?.textContent).toContain(
      'Добавлено строк: 1, удалено: 2',
    );
    const rows = [...container.querySelectorAll('tbody tr')] as HTMLElement[];
    expect(rows.map((r) => r.dataset.op)).toEqual(['delete', 'delete', 'insert', 'equal']);
    expect(rows[0]!.textContent).toBe('1−удаленоimport time');
    expect(rows[2]!.textContent).toBe('1+добавленоimport asyncio');
    expect(rows[3]!.textContent).toBe('32 без измененийprint(42)');
    expect(screen.getByRole('region', { name: /Попытка 1 → 2/ }).tabIndex).toBe(0);
    expect(await seriousViolations(container)).toEqual([]);
  });

  it('says when nothing changed', () => {
    render(<CodeDiff before="a" after={'a\n'} messages={uiMessages.en} />);
    expect(screen.getByText('The code did not change.')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
  });
});

describe('AttemptHistory', () => {
  const attempts = [
    { id: 'a3', createdAt: '2026-11-24T21:40:00Z', status: 'running' as const },
    {
      id: 'a2',
      createdAt: '2026-11-24T21:30:00Z',
      status: 'passed' as const,
      testsPassed: 3,
      testsTotal: 3,
    },
    {
      id: 'a1',
      createdAt: new Date('2026-11-24T21:20:00Z'),
      status: 'failed' as const,
      testsPassed: 1,
      testsTotal: 3,
    },
  ];

  it('lists attempts newest first with verdict words and selects one', async () => {
    const onSelect = vi.fn();
    const { container } = render(
      <AttemptHistory
        attempts={attempts}
        selectedId="a2"
        onSelect={onSelect}
        formatDate={(d) => d.toISOString().slice(11, 16)}
      />,
    );
    const buttons = screen.getAllByRole('button');
    expect(buttons.map((b) => b.textContent)).toEqual([
      'Попытка 3Проверяется…21:40',
      'Попытка 2Решение принято· тесты 3/321:30',
      'Попытка 1Тесты не пройдены· тесты 1/321:20',
    ]);
    expect(buttons[1]!.getAttribute('aria-current')).toBe('true');
    expect(buttons[0]!.getAttribute('aria-current')).toBeNull();
    fireEvent.click(buttons[2]!);
    expect(onSelect).toHaveBeenCalledWith('a1');
    expect(container.querySelector('time')?.getAttribute('dateTime')).toBe(
      '2026-11-24T21:40:00.000Z',
    );
    expect(await seriousViolations(container)).toEqual([]);
  });

  it('is a plain list without onSelect, and says when empty', () => {
    render(<AttemptHistory attempts={attempts} />);
    expect(screen.queryByRole('button')).toBeNull();
    cleanup();
    render(<AttemptHistory attempts={[]} messages={uiMessages.en} />);
    expect(screen.getByText('No attempts yet.')).toBeTruthy();
  });
});

describe('charts', () => {
  it('BarChart draws one bar per datum scaled to the max and describes the data', () => {
    const { container } = render(
      <BarChart
        title="Решили задачу"
        data={[
          { label: 'task_0010', value: 10 },
          { label: 'task_0020', value: 5 },
        ]}
      />,
    );
    const svg = screen.getByRole('img', { name: 'Решили задачу' });
    const rects = svg.querySelectorAll('rect');
    expect(rects).toHaveLength(2);
    expect(Number(rects[0]!.getAttribute('width'))).toBeCloseTo(
      2 * Number(rects[1]!.getAttribute('width')),
    );
    expect(container.querySelector('desc')?.textContent).toBe('task_0010: 10; task_0020: 5');
  });

  it('BarChart says when there is no data', () => {
    const { container } = render(<BarChart title="x" data={[]} messages={uiMessages.en} />);
    expect(container.querySelector('desc')?.textContent).toBe('No data');
  });

  it('Sparkline scales points and names the values', () => {
    expect(sparklinePoints([0, 10], 102, 12)).toEqual([
      [1, 11],
      [101, 1],
    ]);
    expect(sparklinePoints([3, 3, 3], 10, 10).every(([, y]) => y === 5)).toBe(true);
    expect(sparklinePoints([], 10, 10)).toEqual([]);
    render(<Sparkline values={[1, 2, 3]} label="Попытки" />);
    const img = screen.getByRole('img', { name: 'Попытки: 1, 2, 3' });
    expect(img.querySelector('polyline')?.getAttribute('points')?.split(' ')).toHaveLength(3);
  });
});

describe('primitives and helpers', () => {
  it('Button shows its shortcut in the tooltip and aria-keyshortcuts', () => {
    const onClick = vi.fn();
    render(
      <Button shortcut="Mod-Enter" onClick={onClick}>
        Запустить
      </Button>,
    );
    const button = screen.getByRole('button', { name: 'Запустить' });
    expect(button.getAttribute('title')).toBe('Запустить (Ctrl+Enter)');
    expect(button.getAttribute('aria-keyshortcuts')).toBe('Control+Enter');
    expect(button.getAttribute('type')).toBe('button');
    fireEvent.click(button);
    expect(onClick).toHaveBeenCalledOnce();
  });

  it('formats shortcuts for PC and Mac', () => {
    expect(formatShortcut('Shift-Mod-Enter')).toBe('Shift+Ctrl+Enter');
    expect(formatShortcut('Mod-Alt-Enter', true)).toBe('⌘⌥↵');
    expect(formatShortcut('Mod-s')).toBe('Ctrl+S');
    const { container } = render(<Kbd shortcut="Mod-Enter" />);
    expect([...container.querySelectorAll('kbd kbd')].map((k) => k.textContent)).toEqual([
      'Ctrl',
      'Enter',
    ]);
  });

  it('Badge and cn', () => {
    render(<Badge tone="success">ok</Badge>);
    expect(screen.getByText('ok').className).toContain('emerald');
    expect(cn('a', false, null, undefined, ['b', ['c', '']], 0, 'd ')).toBe('a b c 0 d');
  });

  it('format, durations and engine labels', () => {
    expect(format('{a} and {b}', { a: 1 })).toBe('1 and {b}');
    expect(formatDuration(87, uiMessages.en)).toBe('87 ms');
    expect(formatDuration(1234, uiMessages.ru)).toBe('1,23 с');
    expect(formatDuration(65_000, uiMessages.en)).toBe('65 s');
    expect(engineLabel('pyodide', '3.13.2', uiMessages.en)).toBe('Pyodide · Python 3.13');
    expect(engineLabel('cpython-bwrap', '3.11.2', uiMessages.en)).toBe('CPython 3.11 · sandbox');
    expect(engineLabel('cpython-bwrap', '3.11.2', uiMessages.en, true)).toBe(
      'CPython 3.11 · no sandbox',
    );
    expect(engineLabel('output-compare', 'n/a', uiMessages.en)).toBe('output compared as text');
    expect(engineLabel(null, null, uiMessages.en)).toBe('');
  });

  it('ru and en message sets have the same keys and placeholders', () => {
    const ru = uiMessages.ru as unknown as Record<string, string>;
    const en = uiMessages.en as unknown as Record<string, string>;
    expect(Object.keys(en).sort()).toEqual(Object.keys(ru).sort());
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((x) => x[1]).sort();
    for (const key of Object.keys(ru)) expect(names(en[key]!), key).toEqual(names(ru[key]!));
  });
});
