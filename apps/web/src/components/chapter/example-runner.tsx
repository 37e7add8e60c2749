'use client';
import { Button, OutputConsole } from '@lms/ui';
import { useState } from 'react';
import { usePython } from '@/components/python/python-context';
import { ScrollableCode } from '@/components/scrollable-code';
import { useI18n } from '@/i18n/client';
import { useProgramRun } from './hooks/use-program-run';
import { LazyCodeEditor } from './lazy-editor';
import { useUiMessages } from './ui-messages';

export interface ExampleView {
  id: string;
  code: string;
  expectedOutput: string | null;
}

/**
 * A runnable example: the highlighted code from the server, "Run" in the Pyodide worker with
 * the output streaming beside the expected output, "Edit" to change and rerun it, "Reset".
 */
export function ExampleRunner(props: {
  example: ExampleView;
  number: number;
  highlightedHtml?: string;
}) {
  const { t } = useI18n();
  const ui = useUiMessages();
  const python = usePython();
  const [code, setCode] = useState(props.example.code);
  const [editing, setEditing] = useState(false);
  const owner = props.example.id;
  const program = useProgramRun(owner);
  const running = program.status === 'running';
  const headingId = `${owner}-title`;
  const run = () => void program.start(code);

  const edited = code !== props.example.code;
  const ready = python.status === 'ready';

  return (
    <section
      aria-labelledby={headingId}
      className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm"
      data-example={owner}
    >
      <header className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-slate-50 px-3 py-2">
        <h3 id={headingId} className="mr-auto text-sm font-semibold text-slate-700">
          {t.example.label} {props.number}
          {edited && (
            <span className="ml-2 font-normal text-amber-700">
              · {t.example.edit.toLowerCase()}
            </span>
          )}
        </h3>
        {running ? (
          <Button size="sm" variant="danger" onClick={program.stop}>
            {t.example.stop}
          </Button>
        ) : (
          <Button
            size="sm"
            variant="primary"
            onClick={run}
            disabled={program.busyElsewhere}
            busy={python.status === 'loading'}
            data-ready={ready ? 'true' : 'false'}
            aria-describedby={ready ? undefined : `${owner}-python`}
          >
            {t.example.run}
          </Button>
        )}
        {!editing && (
          <Button size="sm" variant="secondary" onClick={() => setEditing(true)}>
            {t.example.edit}
          </Button>
        )}
        <Button
          size="sm"
          variant="ghost"
          onClick={() => {
            setCode(props.example.code);
            setEditing(false);
            program.reset();
          }}
          disabled={!edited && !editing && program.status === 'idle'}
        >
          {t.example.reset}
        </Button>
        {!ready && (
          <span id={`${owner}-python`} className="sr-only">
            {python.status === 'error' ? python.error : t.chapter.pythonLoading}
          </span>
        )}
      </header>
      <div className="p-3">
        {editing ? (
          <LazyCodeEditor
            value={code}
            onChange={setCode}
            label={`${t.example.label} ${props.number}`}
            onRun={run}
          />
        ) : props.highlightedHtml ? (
          <div
            className="text-sm leading-6 [&_pre]:overflow-x-auto [&_pre]:rounded-lg [&_pre]:p-4"
            // biome-ignore lint/security/noDangerouslySetInnerHtml: shiki HTML rendered on the server from course content
            dangerouslySetInnerHTML={{ __html: props.highlightedHtml }}
          />
        ) : (
          <ScrollableCode code={code} className="bg-slate-50 p-4" />
        )}
        <OutputConsole
          className="mt-3"
          {...program.console}
          expectedOutput={props.example.expectedOutput}
          messages={ui}
        />
      </div>
    </section>
  );
}
