/**
 * The keys the instructors' analytics are built on, computed when an attempt is stored and when
 * its verdict is recorded (pure functions: the backfill and the bench use them too).
 */
import { createHash } from 'node:crypto';
import type { AttemptStatus, TestResult } from '../types.ts';

/** What the keys read of a test's result. */
export type TestOutcome = Pick<TestResult, 'name' | 'status' | 'message'> & { hidden?: boolean };

const sha16 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** The code's hash: line ends unified, trailing spaces of lines dropped (same program, same hash). */
export function codeHashOf(code: string): string {
  return sha16(
    code
      .replace(/\r\n?/g, '\n')
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n')
      .trimEnd(),
  );
}

/** Longest normalised message kept for a group. */
const MESSAGE_CHARS = 300;

/**
 * A failure message as grouped: object addresses, file paths and line numbers of tracebacks
 * and runs of white space normalised, cut to 300 characters. Values (numbers, quoted text) stay:
 * "got None" and "got 0" are different mistakes.
 */
export function normaliseFailureMessage(message: string | null | undefined): string {
  if (!message) return '';
  return message
    .replace(/ at 0x[0-9a-fA-F]+/g, ' at 0x…')
    .replace(/File "[^"]*", line \d+/g, 'File "…", line …')
    .replace(/\bline \d+\b/g, 'line …')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MESSAGE_CHARS);
}

/** Verdicts that are a student's wrong answer (not passed, not pending, not our fault). */
const WRONG: ReadonlySet<string> = new Set([
  'failed',
  'error',
  'timeout',
  'memory',
  'output_limit',
]);

export type Failure = { failKey: string; failMessage: string; failingTests: string[] };

/**
 * How a verdict fails: the status, the set of failing tests (by name, sorted) and the first
 * failing message (the first failing test's, else the attempt's), normalised; `failKey` hashes
 * the three. Null for a verdict that is not a wrong answer.
 */
export function failureOf(input: {
  status: AttemptStatus | string;
  results?: readonly TestOutcome[] | null;
  message?: string | null;
}): Failure | null {
  if (!WRONG.has(input.status)) return null;
  const failing = (input.results ?? []).filter((t) => t.status !== 'passed');
  const failingTests = [...new Set(failing.map((t) => t.name))].sort();
  const firstMessage = failing.find((t) => t.message)?.message ?? input.message ?? '';
  const failMessage = normaliseFailureMessage(firstMessage);
  const failKey = sha16([input.status, failingTests.join('\u0001'), failMessage].join('\n'));
  return { failKey, failMessage, failingTests };
}

type Run = { status: string; results: readonly TestOutcome[] | null };

/**
 * The tests both a quick check (public tests, in the browser) and a final check (all tests, on
 * the server) of the same code ran, whose outcome differs; and whether the two disagree at
 * all: the final verdict on the public tests (a final check failing only hidden tests passed
 * them) is not the quick verdict, or a test both ran came out differently. `sandbox_error` is
 * ours, not the engine's answer: never a disagreement.
 */
export function engineDisagreement(
  quick: Run,
  final: Run,
): { disagree: boolean; tests: Array<{ name: string; quick: string; final: string }> } {
  if (quick.status === 'sandbox_error' || final.status === 'sandbox_error') {
    return { disagree: false, tests: [] };
  }
  const finalByName = new Map((final.results ?? []).map((t) => [t.name, t.status]));
  const tests: Array<{ name: string; quick: string; final: string }> = [];
  for (const t of quick.results ?? []) {
    const f = finalByName.get(t.name);
    if (f !== undefined && f !== t.status) tests.push({ name: t.name, quick: t.status, final: f });
  }
  const failingPublic = (final.results ?? []).some((t) => t.status !== 'passed' && !t.hidden);
  const finalOnPublic =
    final.status === 'failed' && final.results && final.results.length > 0 && !failingPublic
      ? 'passed'
      : final.status;
  return { disagree: tests.length > 0 || finalOnPublic !== quick.status, tests };
}
