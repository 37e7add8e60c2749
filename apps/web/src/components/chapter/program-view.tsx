'use client';
import { Button, focusRing, OutputConsole } from '@lms/ui';
import { type ReactNode, useEffect, useState } from 'react';
import { usePython } from '@/components/python/python-context';
import { useI18n } from '@/i18n/client';
import { useProgramRun } from './hooks/use-program-run';
import type { Token } from './program-highlight';
import { LockIcon } from './task-help';
import { useUiMessages } from './ui-messages';

export interface ProgramViewProps {
  /** the task's id: owner of the program's runs in the page's Python runner */
  owner: string;
  code: string;
  /** the server's shiki HTML of the code, when it has it; otherwise highlighted here */
  html: string | null;
  /**
   * The program may run: not before its task is solved or its answer open (a student who can
   * run it first learns nothing from predicting its output).
   */
  runnable: boolean;
  wallSeconds?: number;
  /** the task's answer once open: the run's output is compared with it line by line */
  expectedOutput: string | null;
}

/**
 * The program of a "what does this print?" task: read-only and highlighted like the lesson's
 * code, with "Run" (and its output) only once it may run; until then a lock says when.
 */
export function ProgramView(props: ProgramViewProps) {
  return props.runnable ? <RunnableProgram {...props} /> : <Frame {...props} controls={null} />;
}

function Frame(props: ProgramViewProps & { controls: ReactNode; output?: ReactNode }) {
  const { t } = useI18n();
  const headingId = `${props.owner}-program`;
  return (
    <section
      aria-labelledby={headingId}
      className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm"
      data-program={props.owner}
      data-runnable={props.runnable ? 'true' : 'false'}
    >
      <header className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-slate-50 px-3 py-2">
        <h4 id={headingId} className="mr-auto text-sm font-semibold text-slate-700">
          {t.task.output.program}
        </h4>
        {props.controls ?? (
          <span className="text-xs text-slate-600" data-testid="program-locked">
            <LockIcon />
            {t.task.output.runLocked}
          </span>
        )}
      </header>
      <div className="p-3">
        {props.html ? (
          <div
            className="text-sm leading-6 [&_pre]:overflow-x-auto [&_pre]:rounded-lg [&_pre]:p-4 [&_pre]:focus-visible:outline-2 [&_pre]:focus-visible:outline-sky-600"
            // biome-ignore lint/security/noDangerouslySetInnerHtml: shiki HTML rendered on the server from course content
            dangerouslySetInnerHTML={{ __html: props.html }}
          />
        ) : (
          <HighlightedProgram code={props.code} />
        )}
        {props.output}
      </div>
    </section>
  );
}

function RunnableProgram(props: ProgramViewProps) {
  const { t } = useI18n();
  const ui = useUiMessages();
  const python = usePython();
  const program = useProgramRun(props.owner, { wallSeconds: props.wallSeconds });
  const ready = python.status === 'ready';
  const controls =
    program.status === 'running' ? (
      <Button size="sm" variant="danger" onClick={program.stop}>
        {t.example.stop}
      </Button>
    ) : (
      <Button
        size="sm"
        variant="primary"
        onClick={() => void program.start(props.code)}
        disabled={program.busyElsewhere}
        busy={python.status === 'loading'}
        data-ready={ready ? 'true' : 'false'}
      >
        {t.example.run}
      </Button>
    );
  return (
    <Frame
      {...props}
      controls={controls}
      output={
        program.status === 'idle' ? null : (
          <OutputConsole
            className="mt-3"
            {...program.console}
            expectedOutput={props.expectedOutput}
            messages={ui}
          />
        )
      }
    />
  );
}

/**
 * The code in a focusable `<pre>` (a scrollable region must be reachable by keyboard): plain
 * at first (and on the server), coloured once the highlighter's chunk has loaded.
 */
function HighlightedProgram(props: { code: string }) {
  const { code } = props;
  const [tokens, setTokens] = useState<Token[] | null>(null);
  useEffect(() => {
    let live = true;
    import('./program-highlight')
      .then((m) => {
        if (live) setTokens(m.highlightPython(code));
      })
      .catch(() => {
        // plain text stays: highlighting is a nicety
      });
    return () => {
      live = false;
    };
  }, [code]);

  let offset = 0;
  return (
    <pre
      // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable code must be keyboard scrollable
      tabIndex={0}
      className={`overflow-x-auto rounded-lg p-4 font-mono text-sm leading-6 text-slate-900 ${focusRing}`}
      data-highlighted={tokens ? 'true' : 'false'}
    >
      <code>
        {tokens
          ? tokens.map((token) => {
              const at = offset;
              offset += token.text.length;
              return token.className ? (
                <span key={at} className={token.className}>
                  {token.text}
                </span>
              ) : (
                <span key={at}>{token.text}</span>
              );
            })
          : code}
      </code>
    </pre>
  );
}
