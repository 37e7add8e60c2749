'use client';
import type { EditorProps } from './lazy-editor';

/** Placeholder until @lms/ui/CodeEditor lands: a plain textarea with the same shortcuts. */
export function CodeEditorBridge(props: EditorProps) {
  const lines = Math.max(props.minLines ?? 6, props.value.split('\n').length + 1);
  return (
    <textarea
      aria-label={props.label}
      value={props.value}
      readOnly={props.readOnly}
      spellCheck={false}
      rows={Math.min(lines, 40)}
      onChange={(e) => props.onChange(e.target.value)}
      onKeyDown={(e) => {
        if (e.key !== 'Enter' || !(e.ctrlKey || e.metaKey)) return;
        e.preventDefault();
        if (e.altKey) props.onSubmit?.();
        else if (e.shiftKey) props.onCheck?.();
        else props.onRun?.();
      }}
      className="block w-full rounded-lg border border-slate-300 bg-white p-3 font-mono text-sm leading-6"
    />
  );
}
