import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  formatMessage,
  GRADING_LOCALES,
  type GradingLocale,
  type GradingMessageCode,
  type GradingMessageParams,
  type GradingWords,
  gradingMessage,
  gradingMessageCodeSchema,
  gradingMessageSchema,
  gradingMessages,
  parseGradingMessage,
  renderGradingMessage,
} from '../src/messages.ts';
import { gradeResultSchema, testResultSchema } from '../src/protocol.ts';

/** Parameters for every code: `satisfies` fails typecheck when a code has none here. */
const samples = {
  limit_wall: { seconds: 10 },
  limit_cpu: { seconds: 5 },
  limit_memory: { mb: 256 },
  limit_output: { kb: 64 },
  limit_processes: {},
  limit_disk: {},
  syntax_error: { error: 'ValueError: null bytes' },
  syntax_error_line: { error: 'SyntaxError: invalid syntax', line: 3 },
  checks_load_error: { error: 'tests_public.py: NameError' },
  no_tests: {},
  no_checks_for_stage: {},
  checks_crashed_limit: { limit: 'memory' },
  checks_crashed_exit: { code: 2 },
  checks_crashed: { output: 'Traceback …' },
  test_failed: { test: 'prints 42', detail: 'expected 42' },
  test_not_passed: { test: 'prints 42' },
  assertion_failed: {},
  exit_code: { code: 3 },
  wrapper_failed: {},
  all_passed: {},
  all_passed_typecheck_skipped: {},
  typecheck_failed: {},
  program_exit_code: { code: 1 },
  run_stopped: {},
  grader_failure: { error: 'bwrap: no permission' },
  grader_incident: { incident: 'a1b2c3d4e5f6' },
  grader_unavailable: {},
  output_mismatch: {},
} satisfies Record<GradingMessageCode, GradingMessageParams>;

const placeholders = (template: string) =>
  [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('grading message codes', () => {
  it('every code has words in every language (checked by the type as well)', () => {
    expectTypeOf(gradingMessages).toEqualTypeOf<Record<GradingLocale, GradingWords>>();
    expectTypeOf<keyof typeof samples>().toEqualTypeOf<GradingMessageCode>();
    for (const locale of GRADING_LOCALES) {
      expect(Object.keys(gradingMessages[locale]).sort()).toEqual(
        [...gradingMessageCodeSchema.options].sort(),
      );
    }
  });

  it('every code renders in both languages with its parameters, and the languages differ', () => {
    for (const code of gradingMessageCodeSchema.options) {
      const params: GradingMessageParams = samples[code];
      const ru = renderGradingMessage(gradingMessage(code, params), 'ru');
      const en = renderGradingMessage(gradingMessage(code, params), 'en');
      for (const text of [ru, en]) {
        expect(text, `${code}: ${text}`).not.toMatch(/\{\w+\}/);
        for (const value of Object.values(params)) expect(text, code).toContain(String(value));
      }
      // the same placeholders in both languages, each one a parameter the code is given
      expect(placeholders(gradingMessages.en[code]), code).toEqual(
        placeholders(gradingMessages.ru[code]),
      );
      expect(placeholders(gradingMessages.ru[code]), code).toEqual(Object.keys(params).sort());
      if (code !== 'test_failed') expect(en, code).not.toBe(ru);
      expect(en, code).not.toMatch(/[А-яЁё]/);
    }
  });

  it('renders concrete messages in each language', () => {
    const wall = gradingMessage('limit_wall', { seconds: 10 });
    expect(renderGradingMessage(wall, 'ru')).toBe(
      'Программа не завершилась за 10 с и была остановлена',
    );
    expect(renderGradingMessage(wall, 'en')).toBe(
      'The program did not finish within 10 s and was stopped',
    );
    const exit = gradingMessage('program_exit_code', { code: 1 });
    expect(renderGradingMessage(exit, 'en')).toBe('The program exited with code 1');
  });

  it('a nested platform message fills {detail} in the same language', () => {
    const summary = gradingMessage(
      'test_failed',
      { test: 'wrapper_test' },
      gradingMessage('exit_code', { code: 3 }),
    );
    expect(renderGradingMessage(summary, 'ru')).toBe('wrapper_test: код выхода 3');
    expect(renderGradingMessage(summary, 'en')).toBe('wrapper_test: exit code 3');
    const wrapper = gradingMessage(
      'test_failed',
      { test: 'wrapper_test' },
      gradingMessage('wrapper_failed'),
    );
    expect(renderGradingMessage(wrapper, 'ru')).toBe('wrapper_test: Проверка не пройдена.');
    expect(renderGradingMessage(wrapper, 'en')).toBe('wrapper_test: The check did not pass.');
  });

  it('formatMessage fills what it is given and leaves unknown placeholders visible', () => {
    expect(formatMessage('{a} and {b}', { a: 1 })).toBe('1 and {b}');
    expect(formatMessage('{constructor}', {})).toBe('{constructor}');
  });

  it('the schema takes codes with parameters and refuses unknown codes', () => {
    expect(gradingMessageSchema.parse({ code: 'no_tests' })).toEqual({
      code: 'no_tests',
      params: {},
    });
    expect(gradingMessageSchema.safeParse({ code: 'made_up', params: {} }).success).toBe(false);
    expect(
      gradingMessageSchema.safeParse({ code: 'exit_code', params: { code: { x: 1 } } }).success,
    ).toBe(false);
    expect(parseGradingMessage(null)).toBeNull();
    expect(parseGradingMessage({ code: 'made_up' })).toBeNull();
    expect(parseGradingMessage({ code: 'exit_code', params: { code: 2 } })).toEqual({
      code: 'exit_code',
      params: { code: 2 },
    });
  });

  it('the protocol carries codes: results of older graders (no code) still parse', () => {
    const test = { name: 't', status: 'failed', message: 'x', durationMs: 1, origin: 'public' };
    expect(testResultSchema.parse(test)).not.toHaveProperty('messageCode');
    expect(
      testResultSchema.parse({ ...test, messageCode: { code: 'assertion_failed' } }).messageCode,
    ).toEqual({ code: 'assertion_failed', params: {} });
    const shape = gradeResultSchema.shape;
    expect(shape.messageCode.parse(undefined)).toBeNull();
  });

  it('a code this version does not know (a newer grader) is dropped, not a rejected result', () => {
    const test = { name: 't', status: 'failed', message: 'x', durationMs: 1, origin: 'public' };
    expect(
      testResultSchema.parse({ ...test, messageCode: { code: 'from_the_future' } }).messageCode,
    ).toBeUndefined();
    expect(gradeResultSchema.shape.messageCode.parse({ code: 'from_the_future' })).toBeNull();
  });
});
