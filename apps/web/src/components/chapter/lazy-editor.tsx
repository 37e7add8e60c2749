'use client';
import dynamic from 'next/dynamic';
import { useI18n } from '@/i18n/client';

export interface EditorProps {
  value: string;
  onChange: (value: string) => void;
  label: string;
  onRun?: () => void;
  onCheck?: () => void;
  onSubmit?: () => void;
  onSave?: () => void;
  readOnly?: boolean;
  minLines?: number;
}

function EditorLoading() {
  const { t } = useI18n();
  return (
    <div className="grid min-h-40 place-items-center rounded-lg border border-slate-200 bg-slate-50 text-sm text-slate-500">
      {t.task.editorLoading}
    </div>
  );
}

/** CodeMirror 6 arrives in its own chunk, after the page is interactive. */
export const LazyCodeEditor = dynamic<EditorProps>(
  () => import('./code-editor-bridge').then((m) => m.CodeEditorBridge),
  { ssr: false, loading: () => <EditorLoading /> },
);
