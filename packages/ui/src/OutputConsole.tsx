'use client';

import { outputLines } from '@lms/grading';
import { useEffect, useId, useRef } from 'react';
import { cn, focusRing } from './cn.ts';
import { compareOutput, type LineMatch } from './compareOutput.ts';
import { engineLabel, formatDuration } from './format.ts';
import { AlertIcon, CheckIcon, CrossIcon } from './icons.tsx';
import { format, resolveMessages, type UiMessages } from './messages.ts';
import { Spinner } from './primitives.tsx';

export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  text: string;
}

export type RunStatus = 'idle' | 'running' | 'done' | 'stopped' | 'timeout' | 'error';

export interface OutputConsoleProps {
  /** output in the order it arrived; stderr is styled apart */
  chunks: OutputChunk[];
  status?: RunStatus;
  exitCode?: number | null;
  elapsedMs?: number | null;
  /** `pyodide` | `cpython-bwrap` | `cpython-unsafe` (see engineLabel) */
  engine?: string | null;
  pythonVersion?: string | null;
  unsafe?: boolean;
  /** the output was cut at the cap */
  truncated?: boolean;
  /** the expected output printed in the text: shown beside the output with per-line marks */
  expectedOutput?: string | null;
  /** heading of the console; default "Output" */
  label?: string;
  /** level of that heading in the page's outline (default 3) */
  headingLevel?: 2 | 3 | 4 | 5 | 6;
  messages?: Partial<UiMessages>;
  className?: string;
}

const markClass: Record<LineMatch, string> = {
  match: 'text-emerald-700',
  differs: 'text-red-700',
  missing: 'text-red-700',
  extra: 'text-red-700',
  pending: 'text-slate-400',
};

function markText(match: LineMatch, m: UiMessages): string {
  switch (match) {
    case 'match':
      return m.lineMatches;
    case 'differs':
      return m.lineDiffers;
    case 'missing':
      return m.lineMissing;
    case 'extra':
      return m.lineExtra;
    case 'pending':
      return '';
  }
}

function MatchMark({ match, m }: { match: LineMatch; m: UiMessages }) {
  const symbol = match === 'match' ? '✓' : match === 'pending' ? '·' : '✗';
  const text = markText(match, m);
  return (
    <span className={cn('inline-block w-4 shrink-0 select-none text-center', markClass[match])}>
      <span aria-hidden="true">{symbol}</span>
      {text ? <span className="sr-only">{text}: </span> : null}
    </span>
  );
}

export function OutputConsole({
  chunks,
  status = 'idle',
  exitCode = null,
  elapsedMs = null,
  engine,
  pythonVersion,
  unsafe = false,
  truncated = false,
  expectedOutput = null,
  label,
  headingLevel = 3,
  messages,
  className,
}: OutputConsoleProps) {
  const Heading = `h${headingLevel}` as const;
  const m = resolveMessages(messages);
  const headingId = useId();
  const outputRef = useRef<HTMLPreElement>(null);
  const stickToBottom = useRef(true);

  // Follow new output unless the reader scrolled up to look at something.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every new chunk on purpose
  useEffect(() => {
    const el = outputRef.current;
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [chunks]);

  const onScroll = () => {
    const el = outputRef.current;
    if (el) stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
  };

  const actual = chunks.map((c) => c.text).join('');
  const finished = status !== 'running' && status !== 'idle';
  const comparison =
    expectedOutput !== null && expectedOutput !== undefined && status !== 'idle'
      ? compareOutput(actual, expectedOutput, finished)
      : null;
  const extraLines = comparison ? comparison.lines.filter((l) => l.match === 'extra').length : 0;

  const statusParts: string[] = [];
  if (status === 'idle') statusParts.push(m.statusIdle);
  else if (status === 'running') statusParts.push(m.statusRunning);
  else if (status === 'stopped') statusParts.push(m.statusStopped);
  else if (status === 'timeout') statusParts.push(m.statusTimeout);
  if ((status === 'done' || status === 'error') && exitCode !== null) {
    statusParts.push(format(m.statusExitCode, { code: exitCode }));
  }
  if (status !== 'idle' && status !== 'running' && elapsedMs !== null) {
    statusParts.push(formatDuration(elapsedMs, m));
  }
  const engineText = engineLabel(engine, pythonVersion, m, unsafe);
  const failedExit =
    (exitCode !== null && exitCode !== 0) || status === 'timeout' || status === 'error';

  const outputPane = (
    <pre
      ref={outputRef}
      onScroll={onScroll}
      role="log"
      aria-live="polite"
      aria-labelledby={headingId}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable output must be keyboard scrollable
      tabIndex={0}
      className={cn(
        'max-h-80 min-h-16 overflow-auto rounded-md bg-slate-950 p-3 font-mono text-sm leading-6 whitespace-pre-wrap break-words text-slate-100',
        focusRing,
      )}
    >
      {chunks.length === 0 ? (
        <span className="text-slate-400 italic">{status === 'running' ? '' : m.outputEmpty}</span>
      ) : (
        coalesce(chunks).map((chunk, index) =>
          chunk.stream === 'stderr' ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: chunks only get appended
            <span key={index} className="text-red-300" data-stream="stderr">
              {chunk.text}
            </span>
          ) : (
            // biome-ignore lint/suspicious/noArrayIndexKey: chunks only get appended
            <span key={index} data-stream="stdout">
              {chunk.text}
            </span>
          ),
        )
      )}
      {truncated ? (
        <span className="mt-2 block text-amber-300" data-truncated="true">
          {'\n'}… {m.outputTruncated}
        </span>
      ) : null}
    </pre>
  );

  return (
    <section
      aria-labelledby={headingId}
      className={cn('rounded-lg border border-slate-300 bg-white', className)}
    >
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 px-3 py-2 text-sm">
        <Heading id={headingId} className="font-semibold text-slate-900">
          {label ?? m.output}
        </Heading>
        <p role="status" className="flex items-center gap-2 text-slate-700">
          {status === 'running' ? <Spinner /> : null}
          {failedExit ? <AlertIcon className="size-4 text-red-700" /> : null}
          <span>{statusParts.join(' · ')}</span>
          {engineText ? <span className="text-slate-500">· {engineText}</span> : null}
        </p>
      </div>

      {expectedOutput === null || expectedOutput === undefined ? (
        <div className="p-3">{outputPane}</div>
      ) : (
        <div className="grid gap-3 p-3 md:grid-cols-2">
          <div className="min-w-0">{outputPane}</div>
          <div className="min-w-0">
            <p
              className="mb-1 text-xs font-semibold tracking-wide text-slate-600 uppercase"
              id={`${headingId}-expected`}
            >
              {m.expectedOutput}
            </p>
            <ol
              aria-labelledby={`${headingId}-expected`}
              className="max-h-80 overflow-auto rounded-md border border-slate-200 bg-slate-50 p-3 font-mono text-sm leading-6 text-slate-900"
            >
              {displayLines(expectedOutput).map((text, index) => {
                const compared = comparison?.lines[index];
                return (
                  // biome-ignore lint/suspicious/noArrayIndexKey: lines of a fixed text
                  <li key={index} className="flex gap-2" data-match={compared?.match}>
                    {compared ? <MatchMark match={compared.match} m={m} /> : null}
                    <span className="whitespace-pre-wrap break-words">{text || '\u00a0'}</span>
                  </li>
                );
              })}
              {extraLines > 0 ? (
                <li className="flex gap-2" data-match="extra">
                  <MatchMark match="extra" m={m} />
                  <span className="text-red-800 italic">+{extraLines}</span>
                </li>
              ) : null}
            </ol>
            {comparison && finished && status !== 'stopped' ? (
              <p className="mt-2 flex items-center gap-1.5 text-sm" data-testid="output-comparison">
                {comparison.matches ? (
                  <CheckIcon className="size-4 text-emerald-700" />
                ) : (
                  <CrossIcon className="size-4 text-red-700" />
                )}
                {comparison.matches
                  ? m.outputMatches
                  : format(m.outputDiffers, { line: comparison.firstMismatch ?? 1 })}
              </p>
            ) : null}
          </div>
        </div>
      )}
    </section>
  );
}

/** Neighbouring chunks of one stream as one span: a print loop makes thousands of chunks. */
export function coalesce(chunks: OutputChunk[]): OutputChunk[] {
  const out: OutputChunk[] = [];
  for (const chunk of chunks) {
    const last = out[out.length - 1];
    if (last && last.stream === chunk.stream)
      out[out.length - 1] = { stream: last.stream, text: last.text + chunk.text };
    else out.push(chunk);
  }
  return out;
}

function displayLines(expected: string): string[] {
  const lines = outputLines(expected);
  return lines.length ? lines : [''];
}
