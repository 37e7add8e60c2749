import { getIndentUnit, indentUnit } from '@codemirror/language';
import type { EditorView } from '@codemirror/view';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CodeEditor, editorShortcuts } from '../src/CodeEditor.tsx';
import { uiMessages } from '../src/messages.ts';

afterEach(cleanup);

/** Sends a key the way CodeMirror's keymap sees it. */
function press(view: EditorView, init: KeyboardEventInit) {
  const event = new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init });
  view.contentDOM.dispatchEvent(event);
  return event;
}

function mount(props: Partial<Parameters<typeof CodeEditor>[0]> = {}) {
  let view: EditorView | null = null;
  const utils = render(
    <CodeEditor value={'print(1)\n'} onView={(v) => (view = v ?? view)} {...props} />,
  );
  return { ...utils, view: () => view! };
}

describe('CodeEditor (CodeMirror in jsdom)', () => {
  it('mounts with the value, an accessible name and the Tab hint', () => {
    const { view } = mount();
    expect(view().state.doc.toString()).toBe('print(1)\n');
    const textbox = screen.getByRole('textbox', { name: 'Редактор кода на Python' });
    expect(textbox.getAttribute('contenteditable')).toBe('true');
    const hintId = textbox.getAttribute('aria-describedby')!;
    expect(document.getElementById(hintId)?.textContent).toContain('Esc');
  });

  it('indents with 4 spaces on Tab, and Escape then Tab leaves the editor', () => {
    const { view } = mount({ value: 'x = 1' });
    expect(getIndentUnit(view().state)).toBe(4);
    expect(view().state.facet(indentUnit)).toBe('    ');
    const tab = press(view(), { key: 'Tab', keyCode: 9 });
    expect(tab.defaultPrevented).toBe(true);
    expect(view().state.doc.toString()).toBe('    x = 1');
    press(view(), { key: 'Escape', keyCode: 27 });
    const leave = press(view(), { key: 'Tab', keyCode: 9 });
    // not handled: the browser moves focus on
    expect(leave.defaultPrevented).toBe(false);
    expect(view().state.doc.toString()).toBe('    x = 1');
  });

  it('reports edits through onChange and follows value from outside without echo', () => {
    const onChange = vi.fn();
    const { view, rerender } = mount({ onChange });
    act(() => view().dispatch({ changes: { from: 0, insert: '# hi\n' } }));
    expect(onChange).toHaveBeenLastCalledWith('# hi\nprint(1)\n');
    onChange.mockClear();
    rerender(<CodeEditor value="reset()" onChange={onChange} />);
    expect(view().state.doc.toString()).toBe('reset()');
    expect(onChange).not.toHaveBeenCalled();
  });

  it('runs, checks and submits on the shortcuts', () => {
    const onRun = vi.fn();
    const onCheck = vi.fn();
    const onSubmit = vi.fn();
    const { view } = mount({ onRun, onCheck, onSubmit });
    // jsdom is not a Mac: Mod is Ctrl
    const run = press(view(), { key: 'Enter', ctrlKey: true });
    expect(onRun).toHaveBeenCalledTimes(1);
    expect(run.defaultPrevented).toBe(true);
    press(view(), { key: 'Enter', ctrlKey: true, shiftKey: true });
    expect(onCheck).toHaveBeenCalledTimes(1);
    press(view(), { key: 'Enter', ctrlKey: true, altKey: true });
    expect(onSubmit).toHaveBeenCalledTimes(1);
    expect(onRun).toHaveBeenCalledTimes(1);
    expect(editorShortcuts.run).toBe('Mod-Enter');
  });

  it('uses the latest handlers and lets unhandled shortcuts through', () => {
    const first = vi.fn();
    const second = vi.fn();
    const { view, rerender } = mount({ onRun: first });
    rerender(<CodeEditor value={'print(1)\n'} onRun={second} />);
    press(view(), { key: 'Enter', ctrlKey: true });
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);
    const save = press(view(), { key: 's', ctrlKey: true });
    expect(save.defaultPrevented).toBe(false);
  });

  it('can be read-only, with aria-readonly, and be relabelled', () => {
    const { view, rerender } = mount({ readOnly: true, messages: uiMessages.en });
    expect(view().state.readOnly).toBe(true);
    const textbox = screen.getByRole('textbox', { name: 'Python code editor' });
    expect(textbox.getAttribute('aria-readonly')).toBe('true');
    rerender(<CodeEditor value={'print(1)\n'} ariaLabel="Solution" />);
    expect(view().state.readOnly).toBe(false);
    expect(
      screen.getByRole('textbox', { name: 'Solution' }).getAttribute('aria-readonly'),
    ).toBeNull();
  });
});
