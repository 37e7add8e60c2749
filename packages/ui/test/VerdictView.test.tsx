import {
  ATTEMPT_STATUSES,
  codedMessage,
  driverTestResults,
  limitHitSchema,
  verdictOf,
} from '@lms/grading';
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { uiMessages } from '../src/messages.ts';
import { limitText, type VerdictResult, VerdictView, verdictText } from '../src/VerdictView.tsx';
import { seriousViolations } from './axe.ts';

afterEach(cleanup);

const failed: VerdictResult = {
  status: 'failed',
  message: null,
  stage: 'final',
  engine: 'cpython-bwrap',
  pythonVersion: '3.11.2',
  durationMs: 1234,
  tests: [
    { name: 'test_prints_42', status: 'passed', message: null },
    {
      name: 'test_no_sleep',
      status: 'failed',
      message: 'Не используйте time.sleep: он блокирует цикл событий',
    },
    { name: 'test_crash', status: 'error', message: 'boom' },
  ],
};

describe('VerdictView', () => {
  it('shows the verdict in words, the per-test list and which engine ran it', async () => {
    const { container } = render(<VerdictView result={failed} />);
    const status = screen.getByRole('status');
    expect(status.textContent).toContain('Тесты не пройдены');
    expect(status.textContent).toContain('Пройдено тестов: 1 из 3');
    expect(status.getAttribute('aria-live')).toBe('polite');
    // an icon is there, but the text carries the meaning
    expect(status.querySelector('svg')?.getAttribute('aria-hidden')).toBe('true');
    const items = screen.getAllByRole('listitem');
    expect(items).toHaveLength(3);
    expect(within(items[1]!).getByText('не пройден')).toBeTruthy();
    expect(items[1]!.textContent).toContain('Не используйте time.sleep');
    expect(within(items[2]!).getByText('ошибка')).toBeTruthy();
    expect(container.textContent).toContain('Выполнено: CPython 3.11 · песочница · 1,23 с');
    expect(container.textContent).toContain('Проверка на сервере');
    expect(container.textContent).not.toContain('Предварительная');
    expect(await seriousViolations(container)).toEqual([]);
  });

  it('labels a quick check as advisory and shows Pyodide', () => {
    const { container } = render(
      <VerdictView
        result={{
          status: 'passed',
          stage: 'quick',
          engine: 'pyodide',
          pythonVersion: '3.13.2',
          durationMs: 240,
          tests: [{ name: 't', status: 'passed' }],
        }}
        messages={uiMessages.en}
      />,
    );
    expect(screen.getByRole('status').textContent).toContain('Accepted');
    expect(container.textContent).toContain('Quick check');
    expect(container.textContent).toContain('Only the server check after submitting counts.');
    expect(container.textContent).toContain('Ran on Pyodide · Python 3.13 · 240 ms');
  });

  it('says which limit was hit in plain words', () => {
    render(
      <VerdictView
        result={{
          status: 'timeout',
          stage: 'final',
          limitHit: 'wall',
          limits: { wallSeconds: 10, cpuSeconds: 5, memoryMb: 256 },
          tests: [],
          unsafe: true,
          engine: 'cpython-unsafe',
          pythonVersion: '3.11.2',
        }}
      />,
    );
    expect(screen.getByRole('status').textContent).toContain('Превышено время');
    expect(screen.getByText('Программа работала дольше разрешённого времени (10 с).')).toBeTruthy();
    expect(screen.getByText('Запуск без песочницы (режим разработки)')).toBeTruthy();
    expect(screen.getByText(/CPython 3\.11 · без песочницы/)).toBeTruthy();
  });

  it('follows the live states queued → running → verdict in one live region', () => {
    const { rerender } = render(<VerdictView result={{ status: 'queued', stage: 'final' }} />);
    const status = screen.getByRole('status');
    expect(status.textContent).toBe('В очереди на проверку…');
    expect(screen.getByRole('region').getAttribute('aria-busy')).toBe('true');
    rerender(<VerdictView result={{ status: 'running', stage: 'final' }} />);
    expect(screen.getByRole('status')).toBe(status);
    expect(status.textContent).toBe('Проверяется…');
    rerender(
      <VerdictView
        result={{ ...failed, status: 'passed', tests: [{ name: 'a', status: 'passed' }] }}
      />,
    );
    expect(screen.getByRole('status')).toBe(status);
    expect(status.textContent).toContain('Решение принято');
    expect(screen.getByRole('region').getAttribute('aria-busy')).toBeNull();
  });

  it('has a text for every status and limit', () => {
    for (const locale of ['ru', 'en'] as const) {
      const m = uiMessages[locale];
      // every state the contract knows, so a status added there needs a text here
      const texts = ATTEMPT_STATUSES.map((s) => verdictText(s, m));
      expect(new Set(texts).size).toBe(ATTEMPT_STATUSES.length);
      for (const limit of limitHitSchema.options) {
        const text = limitText(limit, { wallSeconds: 10, cpuSeconds: 5, memoryMb: 256 }, m)!;
        expect(text).not.toMatch(/[{}]/);
      }
      expect(limitText('gpu', null, m)).toContain('gpu');
      expect(limitText(null, null, m)).toBeNull();
    }
    expect(limitText('memory', { memoryMb: 256 }, uiMessages.en)).toBe(
      'The program used more memory than allowed (256 MB).',
    );
  });

  it("in English shows the platform's messages in English and a test's own message as written", () => {
    // a result as the Russian-speaking grader sends it: `message` in Russian, plus its code
    const tests = driverTestResults([
      {
        name: 'no sleep',
        status: 'failed',
        message: 'Не используйте time.sleep',
        durationMs: 1,
        origin: 'public',
      },
      { name: 'quiet', status: 'failed', message: null, durationMs: 1, origin: 'public' },
    ]);
    const limits = { wallSeconds: 10, cpuSeconds: 5, memoryMb: 256 };
    const verdict = verdictOf({ limitHit: null, limits, tests });
    const result: VerdictResult = {
      status: verdict.status,
      message: verdict.message,
      messageCode: verdict.messageCode,
      tests,
      stage: 'quick',
    };
    expect(result.message).toBe('no sleep: Не используйте time.sleep');
    const { container, rerender } = render(
      <VerdictView result={result} messages={uiMessages.en} />,
    );
    const items = screen.getAllByRole('listitem');
    // the test's own message is course content: as written
    expect(items[0]!.textContent).toContain('Не используйте time.sleep');
    // the platform's default for an assertion without text: in English
    expect(items[1]!.textContent).toContain('Check failed');
    expect(items[1]!.textContent).not.toContain('Проверка не пройдена');
    expect(container.textContent).toContain('no sleep: Не используйте time.sleep');

    const timeout = {
      status: 'timeout' as const,
      stage: 'final' as const,
      ...codedMessage('limit_wall', { seconds: 10 }),
    };
    rerender(<VerdictView result={timeout} messages={uiMessages.en} />);
    expect(screen.getByText('The program did not finish within 10 s and was stopped')).toBeTruthy();
    expect(container.textContent).not.toContain('Программа');
    // the same result in Russian; and an old stored row without a code shows its message
    rerender(<VerdictView result={timeout} messages={uiMessages.ru} />);
    expect(screen.getByText('Программа не завершилась за 10 с и была остановлена')).toBeTruthy();
    rerender(
      <VerdictView
        result={{ status: 'error', stage: 'final', message: 'Сбой сервера проверки: x' }}
        messages={uiMessages.en}
      />,
    );
    expect(screen.getByText('Сбой сервера проверки: x')).toBeTruthy();
  });

  it('shows the message, the type checker output and the traceback behind a disclosure', () => {
    const { container } = render(
      <VerdictView
        result={{
          status: 'error',
          stage: 'final',
          message: 'SyntaxError в строке 3',
          traceback: 'Traceback (most recent call last):\n  File "main.py"',
          typecheck: { passed: false, output: 'main.py:1: error: Incompatible types' },
          tests: [],
        }}
      />,
    );
    expect(screen.getByText('SyntaxError в строке 3')).toBeTruthy();
    expect(container.textContent).toContain('Incompatible types');
    const details = container.querySelector('details')!;
    expect(details.open).toBe(false);
    expect(details.querySelector('summary')?.textContent).toBe('Подробности (трассировка)');
  });
});
