'use client';
import { AlertIcon, CheckIcon, ClockIcon, CrossIcon, shownMessage, verdictText } from '@lms/ui';
import { useI18n } from '@/i18n/client';
import { serverErrorText } from '@/i18n/errors';
import { type OutputAttemptLike, outputVerdictOf } from './output-verdict';
import { useUiMessages } from './ui-messages';

/** The words of an attempt's verdict on one line (the attempt history's selected attempt). */
export function useOutputVerdictText() {
  const { t } = useI18n();
  const ui = useUiMessages();
  return (attempt: OutputAttemptLike): { headline: string; note: string | null } => {
    const v = outputVerdictOf(attempt);
    switch (v.kind) {
      case 'right':
        return { headline: t.task.output.right, note: null };
      case 'wrong':
        return { headline: t.grading.output_mismatch, note: v.note };
      case 'pending':
        return { headline: verdictText(attempt.status as 'queued', ui), note: null };
      default:
        return {
          headline: verdictText(attempt.status as 'error', ui),
          note: shownMessage(attempt as Parameters<typeof shownMessage>[0], ui),
        };
    }
  };
}

const tone = {
  pending: 'border-sky-300 bg-sky-50 text-sky-950',
  right: 'border-emerald-300 bg-emerald-50 text-emerald-950',
  wrong: 'border-red-300 bg-red-50 text-red-950',
  other: 'border-amber-300 bg-amber-50 text-amber-950',
} as const;

/**
 * The final check's verdict on the typed output: one `role="status"` region that stays mounted
 * from "queued" to the verdict (a refused submission is an alert instead). Icons go with words,
 * never colour alone.
 */
export function OutputVerdictView(props: {
  /** the followed attempt; null while the submission is on its way */
  attempt: OutputAttemptLike | null;
  /** why the submission was refused (rate limit, size, no grader), or null */
  error: unknown;
}) {
  const { t } = useI18n();
  const describe = useOutputVerdictText();
  const { attempt, error } = props;
  if (error) {
    return (
      <div data-testid="final-verdict" data-status="rejected">
        <p
          role="alert"
          className="rounded-lg border border-red-300 bg-red-50 p-4 text-sm text-red-900"
        >
          {serverErrorText(error, t)}
        </p>
      </div>
    );
  }
  const shown = attempt ?? { status: 'queued', message: null, results: [] };
  const kind = outputVerdictOf(shown).kind;
  const { headline, note } = describe(shown);
  const Icon =
    kind === 'right'
      ? CheckIcon
      : kind === 'wrong'
        ? CrossIcon
        : kind === 'pending'
          ? ClockIcon
          : AlertIcon;
  return (
    <div
      data-testid="final-verdict"
      data-status={shown.status}
      role="status"
      aria-live="polite"
      aria-atomic="true"
      className={`rounded-lg border p-4 text-sm ${tone[kind]}`}
    >
      <p className="flex items-start gap-2 font-semibold">
        <Icon className="mt-0.5 size-4 shrink-0" />
        <span>{headline}</span>
      </p>
      {note && kind === 'wrong' ? (
        <div className="mt-2">
          <p className="text-xs font-semibold">{t.task.output.checkSays}</p>
          <p className="mt-1 font-mono whitespace-pre-wrap break-words">{note}</p>
        </div>
      ) : note ? (
        <p className="mt-2 whitespace-pre-wrap">{note}</p>
      ) : null}
    </div>
  );
}
