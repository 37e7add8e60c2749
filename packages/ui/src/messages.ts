import { formatMessage, type GradingLocale } from '@lms/grading';

/**
 * Every text the components show. Plain strings (placeholders as `{name}`) so a server
 * component can pass a set to a client component: functions would not serialise.
 * Components take `messages?: Partial<UiMessages>` and fall back to Russian, the content's
 * language. The set names its language (`locale`): the platform's grading messages
 * (`@lms/grading`, which owns their words) are shown in it.
 */
export interface UiMessages {
  /** the language of this set: grading messages are rendered in it */
  locale: GradingLocale;
  // lesson
  headingAnchor: string;
  tableOfContents: string;
  codeBlock: string;
  // output console
  output: string;
  outputEmpty: string;
  expectedOutput: string;
  outputTruncated: string;
  statusIdle: string;
  statusRunning: string;
  statusStopped: string;
  statusExitCode: string;
  statusTimeout: string;
  elapsed: string;
  lineMatches: string;
  lineDiffers: string;
  lineMissing: string;
  lineExtra: string;
  outputMatches: string;
  outputDiffers: string;
  stderrLabel: string;
  // engines
  enginePyodide: string;
  engineSandbox: string;
  engineUnsafe: string;
  /** a "what does this print?" answer: compared as text, no program ran */
  engineOutputCompare: string;
  // verdicts
  verdictPassed: string;
  verdictFailed: string;
  verdictError: string;
  verdictTimeout: string;
  verdictMemory: string;
  verdictOutputLimit: string;
  verdictSandboxError: string;
  verdictQueued: string;
  verdictRunning: string;
  verdictTitle: string;
  testsSummary: string;
  testPassed: string;
  testFailed: string;
  testError: string;
  advisory: string;
  advisoryNote: string;
  finalCheck: string;
  unsafeRun: string;
  limitWall: string;
  limitCpu: string;
  limitMemory: string;
  limitOutput: string;
  limitProcesses: string;
  limitDisk: string;
  limitOther: string;
  ranOn: string;
  // attempts and diff
  attemptHistory: string;
  attemptNumber: string;
  attemptsEmpty: string;
  diffTitle: string;
  diffAdded: string;
  diffRemoved: string;
  diffUnchanged: string;
  diffNoChanges: string;
  diffCollapsed: string;
  diffSummary: string;
  diffOldLine: string;
  diffNewLine: string;
  diffChange: string;
  diffCode: string;
  attemptTests: string;
  // progress
  progress: string;
  progressValue: string;
  chapterDone: string;
  chapterTasks: string;
  continueHere: string;
  chapters: string;
  // editor
  codeEditor: string;
  shortcutRun: string;
  shortcutCheck: string;
  shortcutSubmit: string;
  shortcutSave: string;
  editorTabHint: string;
  readOnly: string;
  // charts
  chartEmpty: string;
  // formatting
  numberLocale: string;
  durationMs: string;
  durationSeconds: string;
  traceback: string;
  typecheckFailed: string;
}

const ru: UiMessages = {
  locale: 'ru',
  headingAnchor: 'Ссылка на раздел «{title}»',
  tableOfContents: 'Содержание',
  codeBlock: 'Код на {lang}',
  output: 'Вывод',
  outputEmpty: 'Вывода пока нет.',
  expectedOutput: 'Ожидаемый вывод',
  outputTruncated: 'Вывод обрезан: программа напечатала слишком много.',
  statusIdle: 'Не запускалось',
  statusRunning: 'Выполняется…',
  statusStopped: 'Остановлено',
  statusExitCode: 'Код выхода {code}',
  statusTimeout: 'Превышено время выполнения',
  elapsed: '{time}',
  lineMatches: 'совпадает',
  lineDiffers: 'отличается',
  lineMissing: 'строки нет в выводе',
  lineExtra: 'лишняя строка',
  outputMatches: 'Вывод совпадает с ожидаемым.',
  outputDiffers: 'Вывод отличается от ожидаемого, начиная со строки {line}.',
  stderrLabel: 'поток ошибок',
  enginePyodide: 'Pyodide · Python {version}',
  engineSandbox: 'CPython {version} · песочница',
  engineUnsafe: 'CPython {version} · без песочницы',
  engineOutputCompare: 'сравнение текста вывода',
  verdictPassed: 'Решение принято',
  verdictFailed: 'Тесты не пройдены',
  verdictError: 'Ошибка в программе',
  verdictTimeout: 'Превышено время',
  verdictMemory: 'Превышен лимит памяти',
  verdictOutputLimit: 'Слишком много вывода',
  verdictSandboxError: 'Сбой проверяющей системы — это не ваша ошибка, попробуйте позже',
  verdictQueued: 'В очереди на проверку…',
  verdictRunning: 'Проверяется…',
  verdictTitle: 'Результат проверки',
  testsSummary: 'Пройдено тестов: {passed} из {total}',
  testPassed: 'пройден',
  testFailed: 'не пройден',
  testError: 'ошибка',
  advisory: 'Предварительная проверка',
  advisoryNote:
    'Открытые тесты в браузере. Засчитывается только проверка на сервере после отправки.',
  finalCheck: 'Проверка на сервере',
  unsafeRun: 'Запуск без песочницы (режим разработки)',
  limitWall: 'Программа работала дольше разрешённого времени ({seconds} с).',
  limitCpu: 'Программа израсходовала больше процессорного времени, чем разрешено ({seconds} с).',
  limitMemory: 'Программа заняла больше памяти, чем разрешено ({mb} МБ).',
  limitOutput: 'Программа напечатала больше, чем разрешено.',
  limitProcesses: 'Программа запустила слишком много процессов или потоков.',
  limitDisk: 'Программа записала на диск больше, чем разрешено.',
  limitOther: 'Превышен лимит: {limit}.',
  ranOn: 'Выполнено: {engine}',
  attemptHistory: 'История попыток',
  attemptNumber: 'Попытка {n}',
  attemptsEmpty: 'Попыток пока нет.',
  diffTitle: 'Изменения',
  diffAdded: 'добавлено',
  diffRemoved: 'удалено',
  diffUnchanged: 'без изменений',
  diffNoChanges: 'Код не изменился.',
  diffCollapsed: 'Скрыто неизменённых строк: {count}',
  diffSummary: 'Добавлено строк: {added}, удалено: {removed}',
  diffOldLine: 'Строка было',
  diffNewLine: 'Строка стало',
  diffChange: 'Изменение',
  diffCode: 'Код',
  attemptTests: 'тесты {passed}/{total}',
  progress: 'Прогресс',
  progressValue: '{value} из {max}',
  chapterDone: 'Пройдена',
  chapterTasks: 'Задачи: {solved} из {total}',
  continueHere: 'Продолжить здесь',
  chapters: 'Главы',
  codeEditor: 'Редактор кода на Python',
  shortcutRun: 'Запустить',
  shortcutCheck: 'Проверить',
  shortcutSubmit: 'Отправить',
  shortcutSave: 'Сохранить черновик',
  editorTabHint:
    'Tab вставляет отступ. Чтобы выйти из редактора клавишей Tab, нажмите сначала Esc.',
  readOnly: 'только чтение',
  chartEmpty: 'Нет данных',
  numberLocale: 'ru-RU',
  durationMs: '{n} мс',
  durationSeconds: '{n} с',
  traceback: 'Подробности (трассировка)',
  typecheckFailed: 'Проверка типов (mypy) нашла ошибки:',
};

const en: UiMessages = {
  locale: 'en',
  headingAnchor: 'Link to section “{title}”',
  tableOfContents: 'Contents',
  codeBlock: '{lang} code',
  output: 'Output',
  outputEmpty: 'No output yet.',
  expectedOutput: 'Expected output',
  outputTruncated: 'Output truncated: the program printed too much.',
  statusIdle: 'Not run yet',
  statusRunning: 'Running…',
  statusStopped: 'Stopped',
  statusExitCode: 'Exit code {code}',
  statusTimeout: 'Time limit exceeded',
  elapsed: '{time}',
  lineMatches: 'matches',
  lineDiffers: 'differs',
  lineMissing: 'line missing from the output',
  lineExtra: 'extra line',
  outputMatches: 'The output matches the expected output.',
  outputDiffers: 'The output differs from the expected output from line {line}.',
  stderrLabel: 'error stream',
  enginePyodide: 'Pyodide · Python {version}',
  engineSandbox: 'CPython {version} · sandbox',
  engineUnsafe: 'CPython {version} · no sandbox',
  engineOutputCompare: 'output compared as text',
  verdictPassed: 'Accepted',
  verdictFailed: 'Tests failed',
  verdictError: 'Error in the program',
  verdictTimeout: 'Time limit exceeded',
  verdictMemory: 'Memory limit exceeded',
  verdictOutputLimit: 'Too much output',
  verdictSandboxError: 'The grader failed — not your fault, please try again later',
  verdictQueued: 'Queued for checking…',
  verdictRunning: 'Checking…',
  verdictTitle: 'Check result',
  testsSummary: '{passed} of {total} tests passed',
  testPassed: 'passed',
  testFailed: 'failed',
  testError: 'error',
  advisory: 'Quick check',
  advisoryNote: 'Public tests, run in your browser. Only the server check after submitting counts.',
  finalCheck: 'Server check',
  unsafeRun: 'Ran without a sandbox (development mode)',
  limitWall: 'The program ran longer than allowed ({seconds} s).',
  limitCpu: 'The program used more CPU time than allowed ({seconds} s).',
  limitMemory: 'The program used more memory than allowed ({mb} MB).',
  limitOutput: 'The program printed more than allowed.',
  limitProcesses: 'The program started too many processes or threads.',
  limitDisk: 'The program wrote more to disk than allowed.',
  limitOther: 'Limit exceeded: {limit}.',
  ranOn: 'Ran on {engine}',
  attemptHistory: 'Attempt history',
  attemptNumber: 'Attempt {n}',
  attemptsEmpty: 'No attempts yet.',
  diffTitle: 'Changes',
  diffAdded: 'added',
  diffRemoved: 'removed',
  diffUnchanged: 'unchanged',
  diffNoChanges: 'The code did not change.',
  diffCollapsed: '{count} unchanged lines hidden',
  diffSummary: '{added} lines added, {removed} removed',
  diffOldLine: 'Old line',
  diffNewLine: 'New line',
  diffChange: 'Change',
  diffCode: 'Code',
  attemptTests: 'tests {passed}/{total}',
  progress: 'Progress',
  progressValue: '{value} of {max}',
  chapterDone: 'Done',
  chapterTasks: 'Tasks: {solved} of {total}',
  continueHere: 'Continue here',
  chapters: 'Chapters',
  codeEditor: 'Python code editor',
  shortcutRun: 'Run',
  shortcutCheck: 'Check',
  shortcutSubmit: 'Submit',
  shortcutSave: 'Save draft',
  editorTabHint: 'Tab indents. To leave the editor with Tab, press Esc first.',
  readOnly: 'read-only',
  chartEmpty: 'No data',
  numberLocale: 'en-US',
  durationMs: '{n} ms',
  durationSeconds: '{n} s',
  traceback: 'Details (traceback)',
  typecheckFailed: 'The type checker (mypy) found errors:',
};

export const uiMessages = { ru, en } as const;
export type UiLocale = keyof typeof uiMessages;

/** The full set: Russian defaults overridden by what the caller passed. */
export function resolveMessages(messages?: Partial<UiMessages>): UiMessages {
  return messages ? { ...ru, ...messages } : ru;
}

/** Fills `{name}` placeholders; unknown names stay as written so a typo is visible. */
export const format = formatMessage;
