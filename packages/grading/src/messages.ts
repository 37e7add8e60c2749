import { z } from 'zod';

/**
 * The platform's own grading messages, as codes with parameters. The grader (both engines) and
 * the web app send a code; the words for each code live here, in every language the interface
 * speaks, and nowhere else. A test's own assertion message is course content: it is shown as
 * written and has no code. Browser-safe, imports nothing of ours.
 *
 * `message` on a result stays the Russian rendering (CLIs, logs, older clients); an interface
 * shows `renderGradingMessage(messageCode, locale)` when a code is present.
 */

export const GRADING_LOCALES = ['ru', 'en'] as const;
export type GradingLocale = (typeof GRADING_LOCALES)[number];
/** The language of `message` on results (the content's language). */
export const DEFAULT_GRADING_LOCALE: GradingLocale = 'ru';

export const gradingMessageCodeSchema = z.enum([
  // limits (`verdictOf`): {seconds} {mb} {kb}
  'limit_wall',
  'limit_cpu',
  'limit_memory',
  'limit_output',
  'limit_processes',
  'limit_disk',
  // the program does not parse: {error} [{line}]
  'syntax_error',
  'syntax_error_line',
  // the task's checks: {error}; none at all; none for this stage
  'checks_load_error',
  'no_tests',
  'no_checks_for_stage',
  // the tests driver itself failed: {limit} | {code} | {output}
  'checks_crashed_limit',
  'checks_crashed_exit',
  'checks_crashed',
  // the first test that did not pass: {test} and {detail} (its message as written, or a nested
  // platform message); {test} alone when it has no message
  'test_failed',
  'test_not_passed',
  // a test's message made by the platform: an assertion without text; a wrapper's exit {code}
  'assertion_failed',
  'exit_code',
  // a legacy wrapper_test failed and printed none of its own messages
  'wrapper_failed',
  // all passed
  'all_passed',
  'all_passed_typecheck_skipped',
  // mypy --strict found errors
  'typecheck_failed',
  // a plain run (no tests) that did not exit with 0: {code}
  'program_exit_code',
  // the run was stopped by the student
  'run_stopped',
  // the grader itself failed: {error}
  'grader_failure',
  'grader_incident',
  // the web app could not reach a grader (not counted as an attempt)
  'grader_unavailable',
  // a "what does this print?" answer that is not the program's output
  'output_mismatch',
]);
export type GradingMessageCode = z.infer<typeof gradingMessageCodeSchema>;

export const gradingMessageParamsSchema = z.record(z.string(), z.union([z.string(), z.number()]));
export type GradingMessageParams = z.infer<typeof gradingMessageParamsSchema>;

const plainGradingMessageSchema = z.object({
  code: gradingMessageCodeSchema,
  params: gradingMessageParamsSchema.default({}),
});

/**
 * A platform message: a code and its parameters. `detail` is a platform message inside this
 * one (a failing test's own platform message in the verdict's summary): rendered in the same
 * language, it fills the `{detail}` placeholder.
 */
export const gradingMessageSchema = plainGradingMessageSchema.extend({
  detail: plainGradingMessageSchema.optional(),
});
export type GradingMessage = z.output<typeof gradingMessageSchema>;
export type GradingMessageInput = z.input<typeof gradingMessageSchema>;

export type GradingWords = Record<GradingMessageCode, string>;

const ru = {
  limit_wall: 'Программа не завершилась за {seconds} с и была остановлена',
  limit_cpu: 'Программа израсходовала больше {seconds} с процессорного времени и была остановлена',
  limit_memory: 'Программа превысила лимит памяти {mb} МБ и была остановлена',
  limit_output: 'Программа вывела слишком много (больше {kb} КБ) и была остановлена',
  limit_processes: 'Программа создала слишком много процессов или потоков',
  limit_disk: 'Программа записала слишком много данных на диск',
  syntax_error: 'Программа не запускается: {error}',
  syntax_error_line: 'Программа не запускается: {error} (строка {line})',
  checks_load_error: 'Ошибка в проверках задачи: {error}',
  no_tests: 'В проверках задачи нет ни одного теста (@test)',
  no_checks_for_stage:
    'У задачи нет проверок для этого этапа (нужны tests_public.py, tests_hidden.py или wrapper_test)',
  checks_crashed_limit: 'Проверки задачи не смогли выполниться: превышен лимит ({limit})',
  checks_crashed_exit: 'Проверки задачи не смогли выполниться: код выхода {code}',
  checks_crashed: 'Проверки задачи не смогли выполниться: {output}',
  test_failed: '{test}: {detail}',
  test_not_passed: '{test}: не пройдено',
  assertion_failed: 'Проверка не пройдена',
  exit_code: 'код выхода {code}',
  wrapper_failed: 'Проверка не пройдена.',
  all_passed: 'Все проверки пройдены',
  all_passed_typecheck_skipped:
    'Все проверки пройдены (проверка типов пропущена: mypy не установлен на сервере)',
  typecheck_failed: 'Статическая проверка типов (mypy --strict) нашла ошибки',
  program_exit_code: 'Программа завершилась с кодом {code}',
  run_stopped: 'Запуск остановлен',
  grader_failure: 'Сбой сервера проверки: {error}',
  grader_incident:
    'Сбой сервера проверки (инцидент {incident}). Попытка не засчитана: отправьте решение ещё раз через минуту.',
  grader_unavailable:
    'Сервис проверки сейчас недоступен. Ваш код сохранён: отправьте решение ещё раз через минуту. (Попытка не засчитана.)',
  output_mismatch: 'Это не то, что печатает программа.',
} satisfies GradingWords;

const en = {
  limit_wall: 'The program did not finish within {seconds} s and was stopped',
  limit_cpu: 'The program used more than {seconds} s of CPU time and was stopped',
  limit_memory: 'The program went over the {mb} MB memory limit and was stopped',
  limit_output: 'The program printed too much (over {kb} KB) and was stopped',
  limit_processes: 'The program started too many processes or threads',
  limit_disk: 'The program wrote too much data to disk',
  syntax_error: 'The program does not run: {error}',
  syntax_error_line: 'The program does not run: {error} (line {line})',
  checks_load_error: 'The task’s checks have an error: {error}',
  no_tests: 'The task’s checks have no tests (@test)',
  no_checks_for_stage:
    'The task has no checks for this stage (it needs tests_public.py, tests_hidden.py or wrapper_test)',
  checks_crashed_limit: 'The task’s checks could not run: a limit was exceeded ({limit})',
  checks_crashed_exit: 'The task’s checks could not run: exit code {code}',
  checks_crashed: 'The task’s checks could not run: {output}',
  test_failed: '{test}: {detail}',
  test_not_passed: '{test}: not passed',
  assertion_failed: 'Check failed',
  exit_code: 'exit code {code}',
  wrapper_failed: 'The check did not pass.',
  all_passed: 'All checks passed',
  all_passed_typecheck_skipped:
    'All checks passed (the type check was skipped: mypy is not installed on the server)',
  typecheck_failed: 'The static type check (mypy --strict) found errors',
  program_exit_code: 'The program exited with code {code}',
  run_stopped: 'The run was stopped',
  grader_failure: 'The grading server failed: {error}',
  grader_incident:
    'The grading server failed (incident {incident}). Not counted as an attempt: submit again in a minute.',
  grader_unavailable:
    'The grading service is not available right now. Your code is saved: submit again in a minute. (Not counted as an attempt.)',
  output_mismatch: 'That is not what the program prints.',
} satisfies GradingWords;

/** The words of every platform grading message, by language (a section of each UI dictionary). */
export const gradingMessages: Record<GradingLocale, GradingWords> = { ru, en };

/** Fills `{name}` placeholders; unknown names stay as written so a typo is visible. */
export function formatMessage(template: string, values: Readonly<GradingMessageParams>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? String(values[name]) : whole,
  );
}

/** A message with its parameters (and, for a summary, the platform message it contains). */
export function gradingMessage(
  code: GradingMessageCode,
  params: GradingMessageParams = {},
  detail?: GradingMessage,
): GradingMessage {
  return detail
    ? { code, params, detail: { code: detail.code, params: detail.params } }
    : { code, params };
}

/** The message in words of `locale`. */
export function renderGradingMessage(
  message: Pick<GradingMessage, 'code' | 'params' | 'detail'>,
  locale: GradingLocale,
): string {
  const words = gradingMessages[locale] ?? gradingMessages[DEFAULT_GRADING_LOCALE];
  const values = message.detail
    ? { ...message.params, detail: renderGradingMessage(message.detail, locale) }
    : message.params;
  return formatMessage(words[message.code], values);
}

/** A stored or received code, checked: null when absent or not one this version knows. */
export function parseGradingMessage(value: unknown): GradingMessage | null {
  if (value === null || value === undefined) return null;
  const parsed = gradingMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
