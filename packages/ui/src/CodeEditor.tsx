'use client';

/**
 * CodeMirror 6 Python editor. Import it from `@lms/ui/CodeEditor` (never from the package
 * index) and load it with `next/dynamic`, so CodeMirror stays out of the page's main chunk.
 *
 * Keyboard: Tab / Shift-Tab indent and dedent (4 spaces). To leave the editor with the
 * keyboard, press Escape and then Tab within 2 seconds (CodeMirror's convention; we make the
 * first Escape count even when it closes an autocompletion). Ctrl-M (Shift-Alt-M on macOS)
 * toggles that mode for good. Run / check / submit / save shortcuts are in
 * `editorShortcuts` (shortcuts.ts) and can be overridden per editor.
 */

import { indentWithTab } from '@codemirror/commands';
import { python } from '@codemirror/lang-python';
import { indentUnit } from '@codemirror/language';
import { Annotation, Compartment, EditorState, type Extension, Prec } from '@codemirror/state';
import { EditorView, type KeyBinding, keymap } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useId, useRef } from 'react';
import { cn } from './cn.ts';
import { resolveMessages, type UiMessages } from './messages.ts';
import { type EditorShortcuts, editorShortcuts } from './shortcuts.ts';

export { type EditorShortcuts, editorShortcuts, isMacPlatform } from './shortcuts.ts';

export interface CodeEditorProps {
  /** the code; when it changes from outside (reset, loaded draft) the editor follows */
  value: string;
  onChange?: (value: string) => void;
  onRun?: () => void;
  onCheck?: () => void;
  onSubmit?: () => void;
  onSave?: () => void;
  /** override key specs of the actions */
  shortcuts?: Partial<EditorShortcuts>;
  readOnly?: boolean;
  /** accessible name; default "Python code editor" */
  ariaLabel?: string;
  /** id of an element describing the editor (e.g. the task statement) */
  ariaDescribedBy?: string;
  /** show the "Escape then Tab leaves the editor" hint under the editor (default true) */
  showTabHint?: boolean;
  autoFocus?: boolean;
  /** CSS lengths of the editable area; `minLines` sets minHeight in lines of code */
  minHeight?: string;
  minLines?: number;
  maxHeight?: string;
  messages?: Partial<UiMessages>;
  className?: string;
  /** receives the EditorView once mounted (tests, advanced use); null on unmount */
  onView?: (view: EditorView | null) => void;
}

/** Marks transactions that came from the `value` prop, so they don't echo back to onChange. */
const external = Annotation.define<boolean>();

export const lightTheme = EditorView.theme(
  {
    '&': {
      backgroundColor: '#ffffff',
      color: '#0f172a',
      fontSize: '14px',
      border: '1px solid #cbd5e1',
      borderRadius: '0.5rem',
      overflow: 'hidden',
    },
    '&.cm-focused': { outline: '2px solid #0284c7', outlineOffset: '2px' },
    '.cm-scroller': {
      fontFamily:
        'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace',
      lineHeight: '1.6',
    },
    '.cm-content': { caretColor: '#0f172a', padding: '8px 0' },
    '.cm-gutters': {
      backgroundColor: '#f8fafc',
      color: '#64748b',
      borderRight: '1px solid #e2e8f0',
    },
    '.cm-activeLine': { backgroundColor: '#f1f5f9' },
    '.cm-activeLineGutter': { backgroundColor: '#e2e8f0', color: '#0f172a' },
    '&.cm-focused .cm-selectionBackground, ::selection': { backgroundColor: '#bae6fd' },
    '.cm-selectionBackground': { backgroundColor: '#e0f2fe' },
    '.cm-cursor': { borderLeftColor: '#0f172a', borderLeftWidth: '2px' },
    '.cm-tooltip': { border: '1px solid #cbd5e1', backgroundColor: '#ffffff' },
  },
  { dark: false },
);

type ActionName = keyof EditorShortcuts;
type Handlers = Partial<Record<ActionName, (() => void) | undefined>>;

/** Key bindings of the actions; a binding without a handler lets the key through. */
export function actionKeymap(shortcuts: EditorShortcuts, handlers: () => Handlers): KeyBinding[] {
  return (Object.keys(shortcuts) as ActionName[]).map((action) => ({
    key: shortcuts[action],
    run: () => {
      const handler = handlers()[action];
      if (!handler) return false;
      handler();
      return true;
    },
  }));
}

/**
 * Escape always arms CodeMirror's "next Tab leaves the editor" mode, even when it also
 * closes an autocompletion (whose keymap would otherwise swallow the first Escape).
 */
const escapeThenTabLeaves = Prec.highest(
  keymap.of([
    {
      key: 'Escape',
      run: (view) => {
        view.setTabFocusMode(2000);
        return false;
      },
    },
  ]),
);

/** Everything the editor is configured with, apart from the changing compartments. */
export function pythonEditorExtensions(): Extension[] {
  return [
    escapeThenTabLeaves,
    basicSetup,
    python(),
    indentUnit.of('    '),
    EditorState.tabSize.of(4),
    keymap.of([indentWithTab]),
    lightTheme,
  ];
}

function accessibility(
  label: string,
  describedBy: string | undefined,
  readOnly: boolean,
): Extension {
  const attrs: Record<string, string> = { 'aria-label': label, 'aria-multiline': 'true' };
  if (describedBy) attrs['aria-describedby'] = describedBy;
  if (readOnly) attrs['aria-readonly'] = 'true';
  return EditorView.contentAttributes.of(attrs);
}

export function CodeEditor(props: CodeEditorProps) {
  const {
    value,
    readOnly = false,
    ariaDescribedBy,
    showTabHint = true,
    autoFocus = false,
    minLines,
    minHeight = minLines ? `calc(${minLines} * 1.6em + 16px)` : '8rem',
    maxHeight = '32rem',
    className,
  } = props;
  const m = resolveMessages(props.messages);
  const label = props.ariaLabel ?? m.codeEditor;
  const hintId = useId();
  const describedBy =
    [ariaDescribedBy, showTabHint ? hintId : undefined].filter(Boolean).join(' ') || undefined;

  const hostRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  // Latest props, read by CodeMirror callbacks without reconfiguring the editor.
  const propsRef = useRef(props);
  propsRef.current = props;
  const readOnlyCompartment = useRef(new Compartment());
  const a11yCompartment = useRef(new Compartment());
  const keysCompartment = useRef(new Compartment());
  const sizeCompartment = useRef(new Compartment());
  const shortcutKey = JSON.stringify(props.shortcuts ?? {});

  // biome-ignore lint/correctness/useExhaustiveDependencies: created once; later changes go through compartments below
  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const shortcuts = { ...editorShortcuts, ...propsRef.current.shortcuts };
    const handlers = (): Handlers => ({
      run: propsRef.current.onRun,
      check: propsRef.current.onCheck,
      submit: propsRef.current.onSubmit,
      save: propsRef.current.onSave,
    });
    const view = new EditorView({
      parent: host,
      state: EditorState.create({
        doc: value,
        extensions: [
          keysCompartment.current.of(Prec.highest(keymap.of(actionKeymap(shortcuts, handlers)))),
          ...pythonEditorExtensions(),
          readOnlyCompartment.current.of(EditorState.readOnly.of(readOnly)),
          a11yCompartment.current.of(accessibility(label, describedBy, readOnly)),
          sizeCompartment.current.of(sizeTheme(minHeight, maxHeight)),
          EditorView.updateListener.of((update) => {
            if (!update.docChanged) return;
            if (update.transactions.some((tr) => tr.annotation(external))) return;
            propsRef.current.onChange?.(update.state.doc.toString());
          }),
        ],
      }),
    });
    viewRef.current = view;
    propsRef.current.onView?.(view);
    if (autoFocus) view.focus();
    return () => {
      propsRef.current.onView?.(null);
      view.destroy();
      viewRef.current = null;
    };
  }, []);

  useEffect(() => {
    const view = viewRef.current;
    if (!view) return;
    const current = view.state.doc.toString();
    if (current === value) return;
    view.dispatch({
      changes: { from: 0, to: current.length, insert: value },
      annotations: external.of(true),
    });
  }, [value]);

  useEffect(() => {
    viewRef.current?.dispatch({
      effects: [
        readOnlyCompartment.current.reconfigure(EditorState.readOnly.of(readOnly)),
        a11yCompartment.current.reconfigure(accessibility(label, describedBy, readOnly)),
        sizeCompartment.current.reconfigure(sizeTheme(minHeight, maxHeight)),
      ],
    });
  }, [readOnly, label, describedBy, minHeight, maxHeight]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: shortcutKey stands for props.shortcuts by value
  useEffect(() => {
    const view = viewRef.current;
    if (!view) return;
    const shortcuts = { ...editorShortcuts, ...propsRef.current.shortcuts };
    const handlers = (): Handlers => ({
      run: propsRef.current.onRun,
      check: propsRef.current.onCheck,
      submit: propsRef.current.onSubmit,
      save: propsRef.current.onSave,
    });
    view.dispatch({
      effects: keysCompartment.current.reconfigure(
        Prec.highest(keymap.of(actionKeymap(shortcuts, handlers))),
      ),
    });
  }, [shortcutKey]);

  return (
    <div className={cn('lms-code-editor', className)} data-readonly={readOnly || undefined}>
      <div ref={hostRef} />
      {showTabHint ? (
        <p id={hintId} className="mt-1 text-xs text-slate-600">
          {m.editorTabHint}
        </p>
      ) : null}
    </div>
  );
}

function sizeTheme(minHeight: string, maxHeight: string): Extension {
  return EditorView.theme({
    '.cm-content, .cm-gutter': { minHeight },
    '.cm-scroller': { maxHeight, overflow: 'auto' },
  });
}

export default CodeEditor;
