import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { compareOutput } from '../src/compareOutput.ts';
import { uiMessages } from '../src/messages.ts';
import { OutputConsole } from '../src/OutputConsole.tsx';
import { seriousViolations } from './axe.ts';

afterEach(cleanup);

describe('compareOutput', () => {
  it('matches ignoring trailing spaces, \\r and trailing blank lines', () => {
    const same = compareOutput('100\n42\nmain ended\n', '100\n42\nmain ended');
    expect(same.matches).toBe(true);
    expect(same.firstMismatch).toBeNull();
  });

  it('marks differing, missing and extra lines', () => {
    const r = compareOutput('1\nX\n', '1\n2\n3\n');
    expect(r.lines.map((l) => l.match)).toEqual(['match', 'differs', 'missing']);
    expect(r.firstMismatch).toBe(2);
    expect(r.matches).toBe(false);
    expect(compareOutput('1\n2\n3', '1\n2').lines.map((l) => l.match)).toEqual([
      'match',
      'match',
      'extra',
    ]);
  });

  it('treats lines not yet printed as pending while running', () => {
    const r = compareOutput('10', '100\n42', false);
    expect(r.lines.map((l) => l.match)).toEqual(['pending', 'pending']);
    expect(r.firstMismatch).toBeNull();
    expect(r.matches).toBe(false);
  });
});

describe('OutputConsole', () => {
  it('streams stdout and stderr into a polite log, stderr styled apart', () => {
    const { rerender } = render(
      <OutputConsole chunks={[]} status="running" engine="pyodide" pythonVersion="3.13.1" />,
    );
    const log = screen.getByRole('log');
    expect(log.getAttribute('aria-live')).toBe('polite');
    expect(screen.getByRole('status').textContent).toContain('Выполняется…');
    expect(screen.getByRole('status').textContent).toContain('Pyodide · Python 3.13');
    rerender(
      <OutputConsole
        chunks={[
          { stream: 'stdout', text: 'hello\n' },
          { stream: 'stderr', text: 'Traceback...\n' },
        ]}
        status="error"
        exitCode={1}
        elapsedMs={87}
        engine="pyodide"
        pythonVersion="3.13.1"
      />,
    );
    expect(screen.getByRole('log')).toBe(log);
    expect(log.textContent).toBe('hello\nTraceback...\n');
    const stderr = log.querySelector('[data-stream="stderr"]')!;
    expect(stderr.textContent).toBe('Traceback...\n');
    expect(stderr.className).toContain('text-red');
    expect(screen.getByRole('status').textContent).toContain('Код выхода 1 · 87 мс');
  });

  it('merges neighbouring chunks of one stream into one span', () => {
    render(
      <OutputConsole
        chunks={[
          { stream: 'stdout', text: 'a' },
          { stream: 'stdout', text: 'b' },
          { stream: 'stderr', text: 'E' },
          { stream: 'stdout', text: 'c' },
        ]}
        status="done"
      />,
    );
    const spans = [...screen.getByRole('log').querySelectorAll('[data-stream]')];
    expect(spans.map((s) => `${s.getAttribute('data-stream')}:${s.textContent}`)).toEqual([
      'stdout:ab',
      'stderr:E',
      'stdout:c',
    ]);
  });

  it('shows the truncation marker', () => {
    render(
      <OutputConsole
        chunks={[{ stream: 'stdout', text: 'x' }]}
        status="done"
        exitCode={0}
        truncated
        messages={uiMessages.en}
      />,
    );
    expect(screen.getByRole('log').textContent).toContain('Output truncated');
  });

  it('shows the expected output beside the actual with per-line marks', async () => {
    const { container } = render(
      <OutputConsole
        chunks={[{ stream: 'stdout', text: '100\n41\n' }]}
        status="done"
        exitCode={0}
        elapsedMs={1500}
        expectedOutput={'100\n42\nmain ended\n'}
        engine="cpython-bwrap"
        pythonVersion="3.11.2"
      />,
    );
    const expected = screen.getByRole('list', { name: 'Ожидаемый вывод' });
    const items = expected.querySelectorAll('li');
    expect([...items].map((li) => li.dataset.match)).toEqual(['match', 'differs', 'missing']);
    expect(items[1]!.textContent).toBe('✗отличается: 42');
    expect(screen.getByTestId('output-comparison').textContent).toBe(
      'Вывод отличается от ожидаемого, начиная со строки 2.',
    );
    expect(screen.getByRole('status').textContent).toContain('CPython 3.11 · песочница');
    expect(screen.getByRole('status').textContent).toContain('1,5 с');
    expect(await seriousViolations(container)).toEqual([]);
  });

  it('says when the output matches', () => {
    render(
      <OutputConsole
        chunks={[
          { stream: 'stdout', text: '100\n' },
          { stream: 'stdout', text: '42\nmain ended\n' },
        ]}
        status="done"
        exitCode={0}
        expectedOutput={'100\n42\nmain ended'}
        messages={uiMessages.en}
      />,
    );
    expect(screen.getByTestId('output-comparison').textContent).toBe(
      'The output matches the expected output.',
    );
  });

  it('shows expected lines unmarked before the first run', () => {
    render(<OutputConsole chunks={[]} expectedOutput={'a\nb'} headingLevel={4} />);
    expect(screen.getByRole('heading', { level: 4, name: 'Вывод' })).toBeTruthy();
    expect(screen.getByRole('status').textContent).toContain('Не запускалось');
    const items = screen.getByRole('list').querySelectorAll('li');
    expect(items).toHaveLength(2);
    expect(items[0]!.dataset.match).toBeUndefined();
    expect(screen.queryByTestId('output-comparison')).toBeNull();
  });
});
