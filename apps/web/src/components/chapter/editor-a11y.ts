import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { type Extension, StateEffect } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { tags as t } from '@lezer/highlight';

/**
 * Syntax colours with at least 4.5:1 contrast on white and on the active line's slate-100
 * (CodeMirror's default style paints f-string fields #e40: 3.4:1, an axe "serious" finding).
 * Close to the server's shiki github-light palette, so static and editable code look alike.
 */
const accessibleHighlight = HighlightStyle.define([
  {
    tag: [t.keyword, t.controlKeyword, t.operatorKeyword, t.definitionKeyword, t.modifier, t.self],
    color: '#b3123a',
  },
  { tag: [t.string, t.docString], color: '#116329' },
  { tag: [t.special(t.string), t.escape], color: '#953800' },
  { tag: [t.number, t.bool, t.atom, t.null], color: '#0550ae' },
  { tag: [t.comment, t.lineComment, t.blockComment], color: '#4b5563', fontStyle: 'italic' },
  { tag: [t.function(t.variableName), t.function(t.definition(t.variableName))], color: '#6f42c1' },
  { tag: t.definition(t.variableName), color: '#1f2937' },
  { tag: [t.className, t.typeName, t.definition(t.className)], color: '#8a4600' },
  { tag: [t.propertyName], color: '#0f172a' },
  { tag: [t.operator, t.punctuation, t.bracket], color: '#334155' },
  { tag: t.invalid, color: '#b91c1c' },
]);

const extra: Extension = [
  syntaxHighlighting(accessibleHighlight),
  // the scroller's content is focusable (axe: scrollable-region-focusable looks for tabindex)
  EditorView.contentAttributes.of({ tabindex: '0' }),
];

/** Added to every editor the pages show (through CodeEditor's onView). */
export function applyEditorA11y(view: EditorView | null): void {
  view?.dispatch({ effects: StateEffect.appendConfig.of(extra) });
}
