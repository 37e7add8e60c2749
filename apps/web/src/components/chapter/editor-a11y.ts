import { syntaxHighlighting } from '@codemirror/language';
import { type Extension, StateEffect } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { tags as t, tagHighlighter } from '@lezer/highlight';

/**
 * Syntax colours with at least 4.5:1 contrast on white and on the active line's slate-100
 * (CodeMirror's default style paints f-string fields #e40: 3.4:1, an axe "serious" finding).
 * Close to the server's shiki github-light palette, so static and editable code look alike.
 * The one table of them: the editors use it, and so does the browser-highlighted program of a
 * "what does this print?" task (program-highlight.ts). Tailwind classes, written out in full
 * here so that Tailwind generates them.
 */
export const accessibleHighlighter = tagHighlighter([
  {
    tag: [t.keyword, t.controlKeyword, t.operatorKeyword, t.definitionKeyword, t.modifier, t.self],
    class: 'text-[#b3123a]',
  },
  { tag: [t.string, t.docString], class: 'text-[#116329]' },
  { tag: [t.special(t.string), t.escape], class: 'text-[#953800]' },
  { tag: [t.number, t.bool, t.atom, t.null], class: 'text-[#0550ae]' },
  { tag: [t.comment, t.lineComment, t.blockComment], class: 'text-[#4b5563] italic' },
  {
    tag: [t.function(t.variableName), t.function(t.definition(t.variableName))],
    class: 'text-[#6f42c1]',
  },
  { tag: t.definition(t.variableName), class: 'text-[#1f2937]' },
  { tag: [t.className, t.typeName, t.definition(t.className)], class: 'text-[#8a4600]' },
  { tag: t.propertyName, class: 'text-[#0f172a]' },
  { tag: [t.operator, t.punctuation, t.bracket], class: 'text-[#334155]' },
  { tag: t.invalid, class: 'text-[#b91c1c]' },
]);

const extra: Extension = [
  syntaxHighlighting(accessibleHighlighter),
  // the scroller's content is focusable (axe: scrollable-region-focusable looks for tabindex)
  EditorView.contentAttributes.of({ tabindex: '0' }),
];

/** Added to every editor the pages show (through CodeEditor's onView). */
export function applyEditorA11y(view: EditorView | null): void {
  view?.dispatch({ effects: StateEffect.appendConfig.of(extra) });
}
