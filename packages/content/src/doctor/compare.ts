import { outputLines } from '@lms/grading';
import {
  type Allowances,
  exceptionCore,
  matchLines,
  matchUnordered,
  NO_ALLOWANCES,
  type ReaderRule,
  RULE_WHY,
  splitTraceback,
  type Tolerance,
} from './reader.ts';

/** How the doctor compares an example's real output with its expected-output fence. */
export type CompareMode = 'exact' | 'unordered' | 'ignore';
export type { Tolerance };

export const DEFAULT_TOLERANCE: Tolerance = { absolute: 0.05, relative: 0.05 };

export type Verdict =
  | { verdict: 'exact' }
  | { verdict: 'loose'; why: string; rules: string[] }
  | { verdict: 'mismatch'; why: string };

/** Lines as a reader compares them: the grading contract's one rule. */
export { outputLines };

/**
 * Lines whose count and position depend on timing (a ticker racing a sleep): they are
 * left out of the line-by-line comparison, and their count may differ by `slack`.
 */
export interface VaryingLines {
  lines: string[];
  slack: number;
}

function loose(rules: string[], extra: string[] = []): Verdict {
  const why = [
    ...rules.map((r) => (r in RULE_WHY ? `${r}: ${RULE_WHY[r as ReaderRule]}` : r)),
    ...extra,
  ].join('; ');
  return { verdict: 'loose', why, rules };
}

/**
 * Expected against actual output under the reader's rules (reader.ts): `allowances` says which
 * of the rules that could hide a real mistake the example's code permits.
 */
export function compareOutput(
  expected: string,
  actual: string,
  mode: CompareMode = 'exact',
  tolerance: Tolerance = DEFAULT_TOLERANCE,
  varying?: VaryingLines,
  allowances: Allowances = NO_ALLOWANCES,
): Verdict {
  return compareLines(
    outputLines(expected),
    outputLines(actual),
    mode,
    tolerance,
    varying,
    allowances,
  );
}

function compareLines(
  e: string[],
  a: string[],
  mode: CompareMode,
  tolerance: Tolerance,
  varying: VaryingLines | undefined,
  allowances: Allowances,
): Verdict {
  if (mode === 'ignore')
    return { verdict: 'loose', why: 'output not compared (doctor.json)', rules: ['ignore'] };
  if (e.length === a.length && e.every((l, i) => l === a[i])) return { verdict: 'exact' };
  if (varying && varying.lines.length > 0) {
    const set = new Set(varying.lines);
    for (const line of set) {
      const ne = e.filter((l) => l === line).length;
      const na = a.filter((l) => l === line).length;
      if (Math.abs(ne - na) > varying.slack) {
        return {
          verdict: 'mismatch',
          why: `"${line}" printed ${na} times, expected ${ne} (±${varying.slack}, doctor.json varyingLines)`,
        };
      }
    }
    const rest = compareLines(
      e.filter((l) => !set.has(l)),
      a.filter((l) => !set.has(l)),
      mode,
      tolerance,
      undefined,
      allowances,
    );
    if (rest.verdict === 'mismatch') return rest;
    const note = `varying lines: ${[...set].map((l) => JSON.stringify(l)).join(', ')} vary with timing (doctor.json varyingLines)`;
    return rest.verdict === 'loose'
      ? { verdict: 'loose', why: `${note}; ${rest.why}`, rules: ['varying lines', ...rest.rules] }
      : { verdict: 'loose', why: note, rules: ['varying lines'] };
  }
  const inOrder = matchLines(e, a, allowances, tolerance);
  if (inOrder) return loose(inOrder);
  if (mode === 'unordered' || allowances.concurrent) {
    const any = matchUnordered(e, a, allowances, tolerance);
    if (any) {
      return mode === 'unordered'
        ? loose(['unordered', ...any], ['unordered: same lines in another order (doctor.json)'])
        : loose(['concurrent order', ...any]);
    }
  }
  return { verdict: 'mismatch', why: describeDiff(e, a) };
}

/** What the doctor knows of a run, for comparing it with an example's expected output. */
export interface RunOutput {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

/**
 * An example's run against the text's expected output, as a reader compares them. An expected
 * output that ends in an exception is matched by a run that prints the same and ends in the
 * same exception (its traceback's frames are not compared: file names, line carets and code
 * excerpts differ between Python versions and file names).
 */
export function compareRun(
  expected: string,
  run: RunOutput,
  options: {
    mode?: CompareMode;
    tolerance?: Tolerance;
    varying?: VaryingLines;
    allowances?: Allowances;
    /** the exit code the run may end with (doctor.json); by default 0, or an exception the text shows */
    exitCode?: number;
  } = {},
): Verdict {
  const mode = options.mode ?? 'exact';
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const allowances = options.allowances ?? NO_ALLOWANCES;
  const e = outputLines(expected);
  const out = outputLines(run.stdout);
  const err = outputLines(run.stderr);
  const plain = compareLines(e, out, mode, tolerance, options.varying, allowances);
  if (plain.verdict !== 'mismatch') {
    const allowedExit = options.exitCode ?? 0;
    if (run.exitCode === allowedExit) return plain;
    // printed what the text shows, then crashed (or was killed): the text does not show that
    const last = err.at(-1)?.trim();
    return {
      verdict: 'mismatch',
      why: `prints what the text shows, then ${run.exitCode === null ? 'was killed' : `exits with ${run.exitCode}`}${last ? `: ${last}` : ''}`,
    };
  }
  const shown = splitTraceback(e);
  const raised = run.exitCode !== 0 && err.length > 0 ? err[err.length - 1]!.trim() : null;
  if (shown && raised !== null) {
    const printed = compareLines(shown.printed, out, mode, tolerance, options.varying, allowances);
    const exception = compareLines(
      [exceptionCore(shown.exception)],
      [exceptionCore(raised)],
      'exact',
      tolerance,
      undefined,
      allowances,
    );
    if (printed.verdict !== 'mismatch' && exception.verdict !== 'mismatch') {
      const rules = [
        'traceback',
        ...(printed.verdict === 'loose' ? printed.rules : []),
        ...(exception.verdict === 'loose' ? exception.rules : []),
      ];
      return loose([...new Set(rules)]);
    }
    if (printed.verdict === 'mismatch') return printed;
    return {
      verdict: 'mismatch',
      why: `ends with ${JSON.stringify(raised)}, the text shows ${JSON.stringify(shown.exception)}`,
    };
  }
  if (shown && raised === null) {
    return {
      verdict: 'mismatch',
      why: `the text shows the exception ${JSON.stringify(shown.exception)}, the run ${run.exitCode === 0 ? 'ended normally' : `exited with ${run.exitCode}`}`,
    };
  }
  return plain;
}

function describeDiff(e: string[], a: string[]): string {
  const n = Math.max(e.length, a.length);
  for (let i = 0; i < n; i++) {
    if (e[i] !== a[i]) {
      const show = (s: string | undefined) => (s === undefined ? '(no line)' : JSON.stringify(s));
      return `line ${i + 1}: expected ${show(e[i])}, got ${show(a[i])} (expected ${e.length} lines, got ${a.length})`;
    }
  }
  return 'outputs differ';
}
