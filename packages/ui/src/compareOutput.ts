/** Line-by-line comparison of a program's output with the expected output from the text. */
import { outputLines } from '@lms/grading';

export type LineMatch = 'match' | 'differs' | 'missing' | 'extra' | 'pending';

export interface ComparedLine {
  /** 1-based */
  line: number;
  actual: string | null;
  expected: string | null;
  match: LineMatch;
}

export interface OutputComparison {
  lines: ComparedLine[];
  /** 1-based number of the first line that is not a match, null when all match */
  firstMismatch: number | null;
  matches: boolean;
}

/**
 * Compares `actual` with `expected`. While the program still runs (`finished` false), an
 * expected line with no actual line yet is `pending`, not `missing`.
 */
export function compareOutput(actual: string, expected: string, finished = true): OutputComparison {
  const a = outputLines(actual);
  const e = outputLines(expected);
  const lines: ComparedLine[] = [];
  let firstMismatch: number | null = null;
  const count = Math.max(a.length, e.length);
  for (let i = 0; i < count; i++) {
    const actualLine = i < a.length ? a[i]! : null;
    const expectedLine = i < e.length ? e[i]! : null;
    let match: LineMatch;
    if (actualLine === null) match = finished ? 'missing' : 'pending';
    else if (expectedLine === null) match = 'extra';
    else if (actualLine === expectedLine) match = 'match';
    // The last line may still be growing while output streams in.
    else if (!finished && i === a.length - 1 && expectedLine.startsWith(actualLine))
      match = 'pending';
    else match = 'differs';
    if (firstMismatch === null && match !== 'match' && match !== 'pending') firstMismatch = i + 1;
    lines.push({ line: i + 1, actual: actualLine, expected: expectedLine, match });
  }
  return { lines, firstMismatch, matches: finished && firstMismatch === null };
}
