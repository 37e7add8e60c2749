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
 * Typography a keyboard or a phone puts in place of what a program prints, as senjun.ru
 * normalises answers before checking them: curly quotes become straight ones, `…` becomes
 * `...`, a no-break space a space.
 */
const TYPOGRAPHY: Array<[RegExp, string]> = [
  [/[\u201C\u201D]/g, '"'],
  [/[\u2018\u2019]/g, "'"],
  [/\u2026/g, '...'],
  [/\u00A0/g, ' '],
];

/**
 * A "what does this print?" answer, normalised as the web app has always graded it: line
 * ends unified, trailing white space of every line dropped, then white space around the
 * whole text (blank lines before and after, the first line's indent) dropped; typography as
 * senjun.ru normalises it (curly quotes, `…`, no-break spaces). Indentation of the other lines
 * and spaces inside a line count: they are part of what a program prints.
 */
export function normalizeTypedOutput(text: string): string {
  let plain = text;
  for (const [pattern, replacement] of TYPOGRAPHY) plain = plain.replace(pattern, replacement);
  return plain
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
