import { pythonLanguage } from '@codemirror/lang-python';
import { highlightCode } from '@lezer/highlight';
import { accessibleHighlighter } from './editor-a11y';

/**
 * Python highlighted in the browser with the editor's own grammar (Lezer), for a program the
 * server sent without shiki HTML (the program of a "what does this print?" task is an example
 * of the statement, whose HTML the task does not carry). Loaded lazily: the grammar is the
 * CodeMirror chunk's, so a page with an editor downloads nothing more. The colours are the
 * editors' (`accessibleHighlighter`, editor-a11y.ts), so static, editable and
 * browser-highlighted code look alike.
 */

/** A run of text and its classes ('' when plain); lines are separated by `'\n'` tokens. */
export type Token = { text: string; className: string };

/** `code` as tokens: joined, their texts give `code` back exactly. */
export function highlightPython(code: string): Token[] {
  const tokens: Token[] = [];
  highlightCode(
    code,
    pythonLanguage.parser.parse(code),
    accessibleHighlighter,
    (text, className) => {
      const last = tokens[tokens.length - 1];
      if (last && last.className === className && last.text !== '\n') last.text += text;
      else tokens.push({ text, className });
    },
    () => tokens.push({ text: '\n', className: '' }),
  );
  return tokens;
}
