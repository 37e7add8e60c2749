'use client';
import { type Diagnostic, setDiagnostics } from '@codemirror/lint';
import type { EditorView } from '@codemirror/view';
import { CodeEditor } from '@lms/ui/CodeEditor';
import { useEffect, useRef } from 'react';

export type SourceProblem = {
  line: number;
  column: number;
  message: string;
  severity: 'error' | 'warning';
};

/**
 * The lazily loaded editor of a course file (CodeMirror 6 from @lms/ui) with the compiler's
 * problems as inline diagnostics at their line and column.
 */
export function SourceEditor(props: {
  value: string;
  onChange: (value: string) => void;
  onSave: () => void;
  label: string;
  problems: readonly SourceProblem[];
}) {
  const view = useRef<EditorView | null>(null);
  const problems = useRef(props.problems);
  problems.current = props.problems;
  const apply = () => {
    const v = view.current;
    if (!v) return;
    const doc = v.state.doc;
    const diagnostics: Diagnostic[] = problems.current.map((p) => {
      const line = doc.line(Math.min(Math.max(p.line, 1), doc.lines));
      const from = Math.min(line.from + Math.max(p.column - 1, 0), line.to);
      return { from, to: Math.max(from, line.to), severity: p.severity, message: p.message };
    });
    v.dispatch(setDiagnostics(v.state, diagnostics));
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: apply reads the latest problems through the ref
  useEffect(apply, [props.problems]);
  return (
    <CodeEditor
      value={props.value}
      onChange={props.onChange}
      onSave={props.onSave}
      ariaLabel={props.label}
      minLines={20}
      maxHeight="70vh"
      showTabHint={false}
      onView={(v) => {
        view.current = v;
        apply();
      }}
    />
  );
}
