import {
  type AttemptStatus,
  type GradeLimits,
  type GradeResult,
  type GradeStage,
  type GradingMessage,
  PENDING_STATUSES,
  parseGradingMessage,
  renderGradingMessage,
  type TestResult,
  type TestStatus,
} from '@lms/grading';
import type { ReactNode } from 'react';
import { cn } from './cn.ts';
import { engineLabel, formatDuration } from './format.ts';
import { AlertIcon, CheckIcon, ClockIcon, CrossIcon } from './icons.tsx';
import { format, resolveMessages, type UiMessages } from './messages.ts';
import { Badge, type BadgeTone, Spinner } from './primitives.tsx';

/** A check's state as shown: one of the grading contract's statuses (pending, then a verdict). */
export type VerdictStatus = AttemptStatus;
export type { TestStatus };

/** What the view needs of a test's result: a stored one, or one fresh from the browser. */
export type VerdictTest = Pick<TestResult, 'name' | 'status'> & {
  message?: string | null;
  /** set when the platform wrote the message: shown in the messages' language */
  messageCode?: GradingMessage | null;
};

/**
 * What the view needs of a check: a `GradeResult` from either engine, or a stored attempt
 * (which may still be pending and keeps only some of the result's fields).
 */
export interface VerdictResult
  extends Partial<Pick<GradeResult, 'message' | 'messageCode' | 'unsafe' | 'traceback'>> {
  status: VerdictStatus;
  stage: GradeStage;
  tests?: VerdictTest[];
  /** a `LimitHit` (stored attempts keep it as text) */
  limitHit?: string | null;
  /** an `Engine` (stored attempts keep it as text) */
  engine?: string | null;
  pythonVersion?: string | null;
  durationMs?: number | null;
  /** the grader's durations; totalMs is shown when durationMs is not given */
  durations?: Partial<GradeResult['durations']> | null;
  /** the limits the run had, to say "longer than 10 s" */
  limits?: Partial<GradeLimits> | null;
  typecheck?: { passed: boolean | null; output: string } | null;
}

export const pendingStatuses: ReadonlySet<VerdictStatus> = new Set(PENDING_STATUSES);

const statusTone: Record<VerdictStatus, BadgeTone> = {
  passed: 'success',
  failed: 'danger',
  error: 'danger',
  timeout: 'danger',
  memory: 'danger',
  output_limit: 'danger',
  sandbox_error: 'warning',
  queued: 'info',
  running: 'info',
};

const frameTone: Record<BadgeTone, string> = {
  success: 'border-emerald-300 bg-emerald-50 text-emerald-950',
  danger: 'border-red-300 bg-red-50 text-red-950',
  warning: 'border-amber-300 bg-amber-50 text-amber-950',
  info: 'border-sky-300 bg-sky-50 text-sky-950',
  neutral: 'border-slate-300 bg-slate-50 text-slate-900',
};

/** The headline of a verdict in words. */
export function verdictText(status: VerdictStatus, m: UiMessages): string {
  switch (status) {
    case 'passed':
      return m.verdictPassed;
    case 'failed':
      return m.verdictFailed;
    case 'error':
      return m.verdictError;
    case 'timeout':
      return m.verdictTimeout;
    case 'memory':
      return m.verdictMemory;
    case 'output_limit':
      return m.verdictOutputLimit;
    case 'sandbox_error':
      return m.verdictSandboxError;
    case 'queued':
      return m.verdictQueued;
    case 'running':
      return m.verdictRunning;
  }
}

/** The limit that stopped the program, in plain words (null when none). */
export function limitText(
  limitHit: string | null | undefined,
  limits: VerdictResult['limits'],
  m: UiMessages,
): string | null {
  if (!limitHit) return null;
  const seconds = (n: number | undefined) =>
    n === undefined ? '?' : new Intl.NumberFormat(m.numberLocale).format(n);
  switch (limitHit) {
    case 'wall':
    case 'time':
      return format(m.limitWall, { seconds: seconds(limits?.wallSeconds) });
    case 'cpu':
      return format(m.limitCpu, { seconds: seconds(limits?.cpuSeconds) });
    case 'memory':
      return format(m.limitMemory, { mb: seconds(limits?.memoryMb) });
    case 'output':
      return m.limitOutput;
    case 'processes':
      return m.limitProcesses;
    case 'disk':
      return m.limitDisk;
    default:
      return format(m.limitOther, { limit: limitHit });
  }
}

function StatusIcon({ status }: { status: VerdictStatus }) {
  if (status === 'passed') return <CheckIcon />;
  if (status === 'queued') return <ClockIcon />;
  if (status === 'running') return <Spinner className="size-5" />;
  if (status === 'failed' || status === 'error') return <CrossIcon />;
  return <AlertIcon />;
}

/**
 * A result's or a test's message as shown: the platform's message (a code) in the messages'
 * language; otherwise the text as given (a test's own message is course content; old stored
 * results have no code).
 */
export function shownMessage(
  item: { message?: string | null; messageCode?: GradingMessage | null },
  m: UiMessages,
): string | null {
  // a code this version does not know (a newer grader, an older page) shows the text instead
  const coded = parseGradingMessage(item.messageCode);
  if (coded) return renderGradingMessage(coded, m.locale);
  return item.message ?? null;
}

function testStatusText(status: TestStatus, m: UiMessages): string {
  return status === 'passed' ? m.testPassed : status === 'failed' ? m.testFailed : m.testError;
}

export interface VerdictViewProps {
  result: VerdictResult;
  messages?: Partial<UiMessages>;
  /** extra content under the headline (e.g. "show the answer" once earned) */
  children?: ReactNode;
  className?: string;
}

export function VerdictView({ result, messages, children, className }: VerdictViewProps) {
  const m = resolveMessages(messages);
  const tone = statusTone[result.status];
  const pending = pendingStatuses.has(result.status);
  const tests = result.tests ?? [];
  const passedCount = tests.filter((t) => t.status === 'passed').length;
  const limit = limitText(result.limitHit, result.limits, m);
  const duration = result.durationMs ?? result.durations?.totalMs ?? null;
  const engine = engineLabel(result.engine, result.pythonVersion, m, result.unsafe);
  const typecheckFailed = result.typecheck && result.typecheck.passed === false;
  const message = shownMessage(result, m);

  return (
    <section
      aria-label={m.verdictTitle}
      aria-busy={pending || undefined}
      className={cn('rounded-lg border p-4', frameTone[tone], className)}
      data-status={result.status}
    >
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        {/* Only the headline is live: it changes queued → running → verdict. */}
        <p
          role="status"
          aria-live="polite"
          className="flex items-center gap-2 text-base font-semibold"
        >
          <StatusIcon status={result.status} />
          <span>{verdictText(result.status, m)}</span>
          {!pending && tests.length > 0 ? (
            <span className="font-normal">
              {' · '}
              {format(m.testsSummary, { passed: passedCount, total: tests.length })}
            </span>
          ) : null}
        </p>
        {result.stage === 'quick' ? (
          <Badge tone="neutral">{m.advisory}</Badge>
        ) : (
          <Badge tone="neutral">{m.finalCheck}</Badge>
        )}
        {result.unsafe ? <Badge tone="warning">{m.unsafeRun}</Badge> : null}
      </div>

      {result.stage === 'quick' && !pending ? (
        <p className="mt-1 text-sm opacity-90">{m.advisoryNote}</p>
      ) : null}

      {limit ? <p className="mt-3 font-medium">{limit}</p> : null}

      {message ? <p className="mt-3 text-sm whitespace-pre-wrap break-words">{message}</p> : null}

      {typecheckFailed ? (
        <div className="mt-3">
          <p className="text-sm font-medium">{m.typecheckFailed}</p>
          <pre className="mt-1 overflow-x-auto rounded bg-white/70 p-2 font-mono text-xs whitespace-pre-wrap">
            {result.typecheck!.output}
          </pre>
        </div>
      ) : null}

      {tests.length > 0 ? (
        <ul className="mt-3 space-y-2">
          {tests.map((test, index) => {
            const testMessage = shownMessage(test, m);
            return (
              <li
                // biome-ignore lint/suspicious/noArrayIndexKey: test names may repeat
                key={index}
                className="rounded-md border border-black/10 bg-white/70 px-3 py-2 text-slate-900"
              >
                <div className="flex items-center gap-2">
                  {test.status === 'passed' ? (
                    <CheckIcon className="size-4 text-emerald-700" />
                  ) : (
                    <CrossIcon className="size-4 text-red-700" />
                  )}
                  <span className="font-mono text-sm">{test.name}</span>
                  <span
                    className={cn(
                      'text-xs font-medium',
                      test.status === 'passed' ? 'text-emerald-800' : 'text-red-800',
                    )}
                  >
                    {testStatusText(test.status, m)}
                  </span>
                </div>
                {testMessage ? (
                  <p className="mt-1 pl-6 text-sm whitespace-pre-wrap break-words">{testMessage}</p>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : null}

      {result.traceback ? (
        <details className="mt-3 text-sm">
          <summary className="cursor-pointer rounded focus-visible:outline-2 focus-visible:outline-sky-600">
            {m.traceback}
          </summary>
          <pre className="mt-1 overflow-x-auto rounded bg-white/70 p-2 font-mono text-xs">
            {result.traceback}
          </pre>
        </details>
      ) : null}

      {children}

      {!pending && (engine || duration !== null) ? (
        <p className="mt-3 text-xs opacity-80">
          {engine ? format(m.ranOn, { engine }) : null}
          {engine && duration !== null ? ' · ' : null}
          {duration !== null ? formatDuration(duration, m) : null}
        </p>
      ) : null}
    </section>
  );
}
