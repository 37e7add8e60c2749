import { describe, expect, it } from 'vitest';
import { QUICK_CHECK_MESSAGE_CHARS, QUICK_CHECK_MESSAGE_CODE_CHARS } from '../src/limits.ts';
import { renderGradingMessage } from '../src/messages.ts';
import type { TestResult } from '../src/protocol.ts';
import { driverTestResults, limitMessage, statusOfLimit, verdictOf } from '../src/verdict.ts';

const limits = { wallSeconds: 10, cpuSeconds: 5, memoryMb: 256 };
const test = (name: string, status: TestResult['status'], message: string | null = null) =>
  ({ name, status, message, durationMs: 1, origin: 'public' }) as TestResult;

describe('verdictOf', () => {
  it('puts a limit first, even over failing tests', () => {
    const v = verdictOf({ limitHit: 'wall', limits, tests: [test('a', 'failed', 'x')] });
    expect(v).toEqual({
      status: 'timeout',
      message: 'Программа не завершилась за 10 с и была остановлена',
      messageCode: { code: 'limit_wall', params: { seconds: 10 } },
      limitHit: 'wall',
    });
    expect(renderGradingMessage(v.messageCode, 'en')).toBe(
      'The program did not finish within 10 s and was stopped',
    );
  });

  it('maps each limit to its status', () => {
    expect(statusOfLimit('cpu')).toBe('timeout');
    expect(statusOfLimit('memory')).toBe('memory');
    expect(statusOfLimit('output')).toBe('output_limit');
    expect(statusOfLimit('processes')).toBeNull();
    expect(limitMessage('output', limits, 2048)).toContain('больше 2 КБ');
  });

  it('reports a program that does not parse before checks that do not load', () => {
    const v = verdictOf({
      limitHit: null,
      limits,
      syntaxError: 'line 1',
      loadError: 'boom',
      tests: [],
    });
    expect(v.status).toBe('error');
    expect(v.message).toBe('Программа не запускается: line 1');
    expect(v.messageCode).toEqual({ code: 'syntax_error', params: { error: 'line 1' } });
    const withLine = verdictOf({
      limitHit: null,
      limits,
      syntaxError: 'SyntaxError: invalid syntax',
      syntaxErrorLine: 3,
      tests: [],
    });
    expect(withLine.message).toBe(
      'Программа не запускается: SyntaxError: invalid syntax (строка 3)',
    );
    expect(renderGradingMessage(withLine.messageCode, 'en')).toBe(
      'The program does not run: SyntaxError: invalid syntax (line 3)',
    );
    expect(verdictOf({ limitHit: null, limits, loadError: 'boom', tests: [] }).message).toBe(
      'Ошибка в проверках задачи: boom',
    );
  });

  it('is an error when there are no tests at all', () => {
    const v = verdictOf({ limitHit: null, limits, tests: [] });
    expect(v.status).toBe('error');
    expect(v.messageCode.code).toBe('no_tests');
  });

  it('names the first test that did not pass', () => {
    const v = verdictOf({
      limitHit: null,
      limits,
      tests: [test('ok', 'passed'), test('sleep', 'failed', 'no time.sleep()'), test('c', 'error')],
    });
    expect(v).toEqual({
      status: 'failed',
      message: 'sleep: no time.sleep()',
      messageCode: { code: 'test_failed', params: { test: 'sleep', detail: 'no time.sleep()' } },
      limitHit: null,
    });
    // the test's own message is course content: the same words in an English interface
    expect(renderGradingMessage(v.messageCode, 'en')).toBe('sleep: no time.sleep()');
  });

  it("a failing test's platform message is nested, so it renders in the reader's language", () => {
    const [silent] = driverTestResults([
      { name: 'quiet', status: 'failed', message: null, durationMs: 1, origin: 'public' },
    ]);
    expect(silent).toMatchObject({
      message: 'Проверка не пройдена',
      messageCode: { code: 'assertion_failed', params: {} },
    });
    const v = verdictOf({ limitHit: null, limits, tests: [silent!] });
    expect(v.message).toBe('quiet: Проверка не пройдена');
    expect(renderGradingMessage(v.messageCode, 'en')).toBe('quiet: Check failed');
    const crashed = verdictOf({ limitHit: null, limits, tests: [test('c', 'error')] });
    expect(crashed.message).toBe('c: не пройдено');
    expect(renderGradingMessage(crashed.messageCode, 'en')).toBe('c: not passed');
  });

  it('passes with every test passed, saying so when the type check was skipped', () => {
    const v = verdictOf({ limitHit: null, limits, tests: [test('ok', 'passed')] });
    expect(v).toEqual({
      status: 'passed',
      message: 'Все проверки пройдены',
      messageCode: { code: 'all_passed', params: {} },
      limitHit: null,
    });
    const skipped = verdictOf({
      limitHit: null,
      limits,
      tests: [test('ok', 'passed')],
      typecheckSkipped: true,
    });
    expect(skipped.message).toBe(
      'Все проверки пройдены (проверка типов пропущена: mypy не установлен на сервере)',
    );
    expect(skipped.messageCode.code).toBe('all_passed_typecheck_skipped');
  });
});

describe('long messages', () => {
  it('are cut so that a quick check of any program can be stored (message, code as JSON)', () => {
    const long = 'y'.repeat(10_000);
    const [t] = driverTestResults([
      { name: 'n'.repeat(150), status: 'failed', message: long, durationMs: 1, origin: 'public' },
    ]);
    expect(t!.message!.length).toBeLessThanOrEqual(QUICK_CHECK_MESSAGE_CHARS);
    expect(t!.message!.endsWith('…')).toBe(true);
    const v = verdictOf({ limitHit: null, limits, tests: [t!] });
    expect(v.status).toBe('failed');
    expect(v.message.length).toBeLessThanOrEqual(QUICK_CHECK_MESSAGE_CHARS);
    expect(JSON.stringify(v.messageCode).length).toBeLessThanOrEqual(
      QUICK_CHECK_MESSAGE_CODE_CHARS,
    );
  });
});
