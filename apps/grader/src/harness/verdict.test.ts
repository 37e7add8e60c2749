import { describe, expect, it } from 'vitest';
import type { TestResult } from './protocol.ts';
import { limitMessage, statusOfLimit, verdictOf } from './verdict.ts';

const limits = { wallSeconds: 10, cpuSeconds: 5, memoryMb: 256 };
const test = (name: string, status: TestResult['status'], message: string | null = null) =>
  ({ name, status, message, durationMs: 1, origin: 'public' }) as TestResult;

describe('verdictOf', () => {
  it('puts a limit first, even over failing tests', () => {
    const v = verdictOf({ limitHit: 'wall', limits, tests: [test('a', 'failed', 'x')] });
    expect(v).toEqual({
      status: 'timeout',
      message: 'Программа не завершилась за 10 с и была остановлена',
      limitHit: 'wall',
    });
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
    expect(verdictOf({ limitHit: null, limits, loadError: 'boom', tests: [] }).message).toBe(
      'Ошибка в проверках задачи: boom',
    );
  });

  it('is an error when there are no tests at all', () => {
    expect(verdictOf({ limitHit: null, limits, tests: [] }).status).toBe('error');
  });

  it('names the first test that did not pass', () => {
    const v = verdictOf({
      limitHit: null,
      limits,
      tests: [test('ok', 'passed'), test('sleep', 'failed', 'no time.sleep()'), test('c', 'error')],
    });
    expect(v).toEqual({ status: 'failed', message: 'sleep: no time.sleep()', limitHit: null });
  });

  it('passes with every test passed, with a note when given', () => {
    const v = verdictOf({
      limitHit: null,
      limits,
      tests: [test('ok', 'passed')],
      passedNote: ' (n)',
    });
    expect(v).toEqual({ status: 'passed', message: 'Все проверки пройдены (n)', limitHit: null });
  });
});
