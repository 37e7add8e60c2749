/**
 * Whitespace normalisation of an "output" task's answer (the student types what the
 * program prints): trailing and leading spaces of each line, runs of spaces inside a
 * line and blank lines at the start and end do not matter; line breaks do.
 */
export function normalizeTypedOutput(text: string): string {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trim().replace(/[ \t]+/g, ' '));
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines.join('\n');
}

export function typedOutputMatches(typed: string, answer: string): boolean {
  return normalizeTypedOutput(typed) === normalizeTypedOutput(answer);
}
