/** What an output task's verdict needs of a stored attempt (`attempt.get` / `attempt.list`). */
export interface OutputAttemptLike {
  status: string;
  message: string | null;
  messageCode?: unknown;
  results: ReadonlyArray<{
    status: string;
    message: string | null;
    messageCode?: unknown;
    origin: string;
  }>;
}

/**
 * An attempt at a "what does this print?" task, as the student is told:
 * - `right` / `wrong`: the answer is or is not what the program prints. `note` is what the
 *   course's wrapper_test printed when it failed (its own words, course content); a wrapper
 *   that printed nothing says nothing more (never "exit code 1"), nor does the comparison with
 *   the answer. A Python traceback in the wrapper's output is not its words: it is cut off
 *   (it would show the wrapper's source lines, which may hold the expected output);
 * - `pending`: queued or being checked;
 * - `other`: a verdict about the check, not the answer (a limit hit, the grader failing): its
 *   headline and message are the platform's.
 */
export type OutputVerdict =
  | { kind: 'pending' }
  | { kind: 'right' }
  | { kind: 'wrong'; note: string | null }
  | { kind: 'other' };

export function outputVerdictOf(attempt: OutputAttemptLike): OutputVerdict {
  switch (attempt.status) {
    case 'queued':
    case 'running':
      return { kind: 'pending' };
    case 'passed':
      return { kind: 'right' };
    case 'failed': {
      const printed = attempt.results.find(
        (r) => r.origin === 'wrapper' && r.status !== 'passed' && !r.messageCode && r.message,
      );
      return { kind: 'wrong', note: wrapperWords(printed?.message ?? null) };
    }
    default:
      return { kind: 'other' };
  }
}

const TRACEBACK = 'Traceback (most recent call last):';

/** What a wrapper printed, without a traceback (from its first line on); null when nothing is left. */
export function wrapperWords(output: string | null): string | null {
  if (!output) return null;
  const at = output.indexOf(TRACEBACK);
  const words = (at >= 0 ? output.slice(0, at) : output).trim();
  return words === '' ? null : words;
}
