/**
 * How output is compared, stated once: `outputLines` for a program's output against an
 * expected output (the example console, line by line while it streams; the course doctor),
 * `typedOutputMatches` for "what does this print?" answers (the web app, the grader CLI, the
 * course doctor).
 */

/**
 * The lines a reader compares: `\r\n` and `\r` become `\n`, trailing white space of every
 * line and trailing empty lines are dropped.
 */
export function outputLines(text: string): string[] {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * A "what does this print?" answer, normalised as the web app has always graded it: line
 * ends unified, trailing white space of every line dropped, then white space around the
 * whole text (blank lines before and after, the first line's indent) dropped. Indentation of
 * the other lines and spaces inside a line count: they are part of what a program prints.
 */
export function normalizeTypedOutput(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();
}

/** Whether the typed output of a "what does this print?" task is the program's output. */
export function typedOutputMatches(typed: string, expected: string): boolean {
  return normalizeTypedOutput(typed) === normalizeTypedOutput(expected);
}
