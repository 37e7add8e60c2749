/**
 * How a graded run becomes one status and one student-facing message. Shared by both
 * engines (server CPython and browser Pyodide) so that the same run gets the same verdict
 * in the same words wherever it was checked.
 */
import type { GradeLimits, GradeStatus, LimitHit, TestResult } from './protocol.ts';

export const DEFAULT_OUTPUT_CAP_BYTES = 64 * 1024;

export function statusOfLimit(limit: LimitHit | null): GradeStatus | null {
  if (limit === 'wall' || limit === 'cpu') return 'timeout';
  if (limit === 'memory') return 'memory';
  if (limit === 'output') return 'output_limit';
  return null;
}

export function limitMessage(
  limit: LimitHit,
  limits: GradeLimits,
  outputCapBytes = DEFAULT_OUTPUT_CAP_BYTES,
): string {
  switch (limit) {
    case 'wall':
      return `Программа не завершилась за ${limits.wallSeconds} с и была остановлена`;
    case 'cpu':
      return `Программа израсходовала больше ${limits.cpuSeconds} с процессорного времени и была остановлена`;
    case 'memory':
      return `Программа превысила лимит памяти ${limits.memoryMb} МБ и была остановлена`;
    case 'output':
      return `Программа вывела слишком много (больше ${Math.round(outputCapBytes / 1024)} КБ) и была остановлена`;
    case 'processes':
      return 'Программа создала слишком много процессов или потоков';
    case 'disk':
      return 'Программа записала слишком много данных на диск';
  }
}

export interface VerdictInput {
  /** the limit that ended the program, if any */
  limitHit: LimitHit | null;
  limits: GradeLimits;
  outputCapBytes?: number;
  /** the program does not parse */
  syntaxError?: string | null;
  /** the task's checks did not load */
  loadError?: string | null;
  tests: TestResult[];
  /** appended to the "passed" message, e.g. that a type check was skipped */
  passedNote?: string;
}

export interface Verdict {
  status: GradeStatus;
  message: string;
  limitHit: LimitHit | null;
}

/**
 * In this order: a limit that ended the program (timeout, memory, output_limit); a program
 * that does not parse or checks that do not load (error); no tests at all (error); the
 * first test that did not pass (failed, with its message); else passed.
 */
export function verdictOf(input: VerdictInput): Verdict {
  const limitStatus = statusOfLimit(input.limitHit);
  if (limitStatus && input.limitHit) {
    return {
      status: limitStatus,
      message: limitMessage(input.limitHit, input.limits, input.outputCapBytes),
      limitHit: input.limitHit,
    };
  }
  if (input.syntaxError) {
    return {
      status: 'error',
      message: `Программа не запускается: ${input.syntaxError}`,
      limitHit: null,
    };
  }
  if (input.loadError) {
    return {
      status: 'error',
      message: `Ошибка в проверках задачи: ${input.loadError}`,
      limitHit: null,
    };
  }
  if (input.tests.length === 0) {
    return {
      status: 'error',
      message: 'В проверках задачи нет ни одного теста (@test)',
      limitHit: null,
    };
  }
  const firstBad = input.tests.find((t) => t.status !== 'passed');
  if (firstBad) {
    return {
      status: 'failed',
      message: `${firstBad.name}: ${firstBad.message ?? 'не пройдено'}`,
      limitHit: null,
    };
  }
  return {
    status: 'passed',
    message: `Все проверки пройдены${input.passedNote ?? ''}`,
    limitHit: null,
  };
}
