/**
 * How a graded run becomes one status and one student-facing message. Shared by both
 * engines (server CPython and browser Pyodide) so that the same run gets the same verdict
 * in the same words wherever it was checked. The message is a code with parameters
 * (`messages.ts`); `message` is its Russian rendering.
 */

import {
  clipText,
  DEFAULT_OUTPUT_CAP_BYTES,
  MESSAGE_PARAM_CHARS,
  QUICK_CHECK_MESSAGE_CHARS,
} from './limits.ts';
import {
  DEFAULT_GRADING_LOCALE,
  type GradingMessage,
  type GradingMessageCode,
  type GradingMessageParams,
  gradingMessage,
  renderGradingMessage,
} from './messages.ts';
import type {
  GradeLimits,
  GradeStatus,
  LimitHit,
  TestResult,
  TestsDriverOutput,
} from './protocol.ts';

export function statusOfLimit(
  limit: LimitHit | null,
): Extract<GradeStatus, 'timeout' | 'memory' | 'output_limit'> | null {
  if (limit === 'wall' || limit === 'cpu') return 'timeout';
  if (limit === 'memory') return 'memory';
  if (limit === 'output') return 'output_limit';
  return null;
}

/** A platform message and its Russian rendering, as results carry them. */
export interface CodedMessage {
  message: string;
  messageCode: GradingMessage;
}

/** `message` (Russian) and `messageCode` of a code with its parameters. */
export function codedMessage(
  code: GradingMessageCode,
  params: GradingMessageParams = {},
  detail?: GradingMessage,
): CodedMessage {
  // a long text parameter (a test's message) is cut: the summary stays within what is stored
  const short = Object.fromEntries(
    Object.entries(params).map(([k, v]) => [
      k,
      typeof v === 'string' ? clipText(v, MESSAGE_PARAM_CHARS) : v,
    ]),
  );
  const messageCode = gradingMessage(code, short, detail);
  const message = renderGradingMessage(messageCode, DEFAULT_GRADING_LOCALE);
  return { message: clipText(message, QUICK_CHECK_MESSAGE_CHARS), messageCode };
}

/** The limit that ended a program, as a message code. */
export function limitMessageCode(
  limit: LimitHit,
  limits: GradeLimits,
  outputCapBytes = DEFAULT_OUTPUT_CAP_BYTES,
): GradingMessage {
  switch (limit) {
    case 'wall':
      return gradingMessage('limit_wall', { seconds: limits.wallSeconds });
    case 'cpu':
      return gradingMessage('limit_cpu', { seconds: limits.cpuSeconds });
    case 'memory':
      return gradingMessage('limit_memory', { mb: limits.memoryMb });
    case 'output':
      return gradingMessage('limit_output', { kb: Math.round(outputCapBytes / 1024) });
    case 'processes':
      return gradingMessage('limit_processes');
    case 'disk':
      return gradingMessage('limit_disk');
  }
}

/** The limit that ended a program, in Russian. */
export function limitMessage(
  limit: LimitHit,
  limits: GradeLimits,
  outputCapBytes = DEFAULT_OUTPUT_CAP_BYTES,
): string {
  return renderGradingMessage(
    limitMessageCode(limit, limits, outputCapBytes),
    DEFAULT_GRADING_LOCALE,
  );
}

/**
 * The tests driver's results as `TestResult`s: a failed assertion without text (the driver
 * reports no message) gets the platform's message, with its code.
 */
export function driverTestResults(tests: TestsDriverOutput['tests']): TestResult[] {
  return tests.map((test) => {
    const base = {
      name: test.name,
      status: test.status,
      message: test.message == null ? null : clipText(test.message, QUICK_CHECK_MESSAGE_CHARS),
      durationMs: test.durationMs,
      origin: test.origin,
    };
    return test.status === 'failed' && base.message === null
      ? { ...base, ...codedMessage('assertion_failed') }
      : base;
  });
}

export interface VerdictInput {
  /** the limit that ended the program, if any */
  limitHit: LimitHit | null;
  limits: GradeLimits;
  outputCapBytes?: number;
  /** the program does not parse */
  syntaxError?: string | null;
  /** the line of the syntax error, when known */
  syntaxErrorLine?: number | null;
  /** the task's checks did not load */
  loadError?: string | null;
  tests: TestResult[];
  /** the task asked for a type check that could not run (mypy missing): said on "passed" */
  typecheckSkipped?: boolean;
}

export interface Verdict extends CodedMessage {
  status: GradeStatus;
  limitHit: LimitHit | null;
}

/** The summary of the first test that did not pass: its name and its message. */
function failedTestMessage(test: TestResult): CodedMessage {
  if (test.messageCode) return codedMessage('test_failed', { test: test.name }, test.messageCode);
  if (test.message === null) return codedMessage('test_not_passed', { test: test.name });
  return codedMessage('test_failed', { test: test.name, detail: test.message });
}

/**
 * In this order: a limit that ended the program (timeout, memory, output_limit); a program
 * that does not parse or checks that do not load (error); no tests at all (error); the
 * first test that did not pass (failed, with its message); else passed.
 */
export function verdictOf(input: VerdictInput): Verdict {
  const limitStatus = statusOfLimit(input.limitHit);
  if (limitStatus && input.limitHit) {
    const messageCode = limitMessageCode(input.limitHit, input.limits, input.outputCapBytes);
    return {
      status: limitStatus,
      message: renderGradingMessage(messageCode, DEFAULT_GRADING_LOCALE),
      messageCode,
      limitHit: input.limitHit,
    };
  }
  if (input.syntaxError) {
    const line = input.syntaxErrorLine;
    return {
      status: 'error',
      ...(typeof line === 'number'
        ? codedMessage('syntax_error_line', { error: input.syntaxError, line })
        : codedMessage('syntax_error', { error: input.syntaxError })),
      limitHit: null,
    };
  }
  if (input.loadError) {
    return {
      status: 'error',
      ...codedMessage('checks_load_error', { error: input.loadError }),
      limitHit: null,
    };
  }
  if (input.tests.length === 0) {
    return { status: 'error', ...codedMessage('no_tests'), limitHit: null };
  }
  const firstBad = input.tests.find((t) => t.status !== 'passed');
  if (firstBad) {
    return { status: 'failed', ...failedTestMessage(firstBad), limitHit: null };
  }
  return {
    status: 'passed',
    ...codedMessage(input.typecheckSkipped ? 'all_passed_typecheck_skipped' : 'all_passed'),
    limitHit: null,
  };
}
