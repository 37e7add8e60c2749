'use client';
import { CodeEditor } from '@lms/ui/CodeEditor';
import { applyEditorA11y } from './editor-a11y';
import type { EditorProps } from './lazy-editor';
import { useUiMessages } from './ui-messages';

/** The lazily loaded chunk: CodeMirror 6 (Python) from @lms/ui, in the page's language. */
export function CodeEditorBridge(props: EditorProps) {
  const messages = useUiMessages();
  return (
    <CodeEditor
      value={props.value}
      onChange={props.onChange}
      onRun={props.onRun}
      onCheck={props.onCheck}
      onSubmit={props.onSubmit}
      onSave={props.onSave}
      readOnly={props.readOnly}
      ariaLabel={props.label}
      minLines={props.minLines}
      maxHeight="36rem"
      messages={messages}
      onView={applyEditorA11y}
    />
  );
}
