import { outputLines } from '@lms/grading';
/** How the doctor compares an example's real output with its expected-output fence. */
export type CompareMode = 'exact' | 'unordered' | 'ignore';

export interface Tolerance {
  /** absolute difference allowed between decimal numbers */
  absolute: number;
  /** relative difference allowed (of the expected value) */
  relative: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { absolute: 0.05, relative: 0.05 };

export type Verdict =
  | { verdict: 'exact' }
  | { verdict: 'loose'; why: string }
  | { verdict: 'mismatch'; why: string };

/** Lines as a reader compares them: the grading contract's one rule. */
export { outputLines };

const DECIMAL = /(-?\d+\.\d+)/;

/** Lines equal except for decimal numbers that are within the tolerance. */
function looseLineMatch(expected: string, actual: string, tol: Tolerance): boolean {
  const e = expected.split(DECIMAL);
  const a = actual.split(DECIMAL);
  if (e.length !== a.length || e.length === 1) return false;
  for (let i = 0; i < e.length; i++) {
    if (i % 2 === 0) {
      if (e[i] !== a[i]) return false;
    } else {
      const x = Number(e[i]);
      const y = Number(a[i]);
      if (Math.abs(x - y) > Math.max(tol.absolute, tol.relative * Math.abs(x))) return false;
    }
  }
  return true;
}

/**
 * Lines whose count and position depend on timing (a ticker racing a sleep): they are
 * left out of the line-by-line comparison, and their count may differ by `slack`.
 */
export interface VaryingLines {
  lines: string[];
  slack: number;
}

export function compareOutput(
  expected: string,
  actual: string,
  mode: CompareMode = 'exact',
  tolerance: Tolerance = DEFAULT_TOLERANCE,
  varying?: VaryingLines,
): Verdict {
  const e = outputLines(expected);
  const a = outputLines(actual);
  if (mode === 'ignore') return { verdict: 'loose', why: 'output not compared (doctor.json)' };
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
    const rest = compareOutput(
      e.filter((l) => !set.has(l)).join('\n'),
      a.filter((l) => !set.has(l)).join('\n'),
      mode,
      tolerance,
    );
    if (rest.verdict === 'mismatch') return rest;
    return {
      verdict: 'loose',
      why: `lines ${[...set].map((l) => JSON.stringify(l)).join(', ')} vary with timing (doctor.json varyingLines)${rest.verdict === 'loose' ? `; ${rest.why}` : ''}`,
    };
  }
  if (mode === 'unordered') {
    const se = [...e].sort();
    const sa = [...a].sort();
    if (
      se.length === sa.length &&
      se.every((l, i) => l === sa[i] || looseLineMatch(l, sa[i]!, tolerance))
    ) {
      return { verdict: 'loose', why: 'same lines in another order (doctor.json: unordered)' };
    }
    return { verdict: 'mismatch', why: describeDiff(e, a) };
  }
  if (e.length === a.length) {
    const loose: number[] = [];
    let ok = true;
    for (let i = 0; i < e.length && ok; i++) {
      if (e[i] === a[i]) continue;
      if (looseLineMatch(e[i]!, a[i]!, tolerance)) loose.push(i + 1);
      else ok = false;
    }
    if (ok) {
      const first = loose[0]!;
      return {
        verdict: 'loose',
        why: `numbers differ within tolerance on line ${loose.join(', ')}: expected "${e[first - 1]}", got "${a[first - 1]}"`,
      };
    }
  }
  return { verdict: 'mismatch', why: describeDiff(e, a) };
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
