/**
 * The shape of a Python program: a hash of its syntax tree with comments, layout and the names
 * it chooses normalised, so that two students' programs that differ only in those hash alike.
 * The instructors' dashboards group wrong answers by it (after grouping by how they fail).
 *
 * The tree is @lezer/python's (the parser CodeMirror's Python mode uses): error-tolerant, so a
 * program that does not compile still has a shape. What counts:
 * - the tree's structure (node types, nesting: the indentation of blocks is in the nesting);
 * - keywords, operators and punctuation;
 * - literals as written, except the quote style of plain strings ('a' and "a" are alike);
 * - attribute names (`.append` is not `.add`) and the built-in names (`print`, `len`…).
 * What does not: comments, blank lines, spaces, line breaks inside brackets, redundant
 * parentheses around an expression, and the names of variables, functions, classes and
 * parameters, which become v0, v1… in order of appearance.
 */
import { createHash } from 'node:crypto';
import { parser } from '@lezer/python';

/** Names that keep their meaning whatever a program does (not renamed). */
const BUILTIN_NAMES = new Set(
  (
    'abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod ' +
    'compile complex delattr dict dir divmod enumerate eval exec filter float format frozenset ' +
    'getattr globals hasattr hash help hex id input int isinstance issubclass iter len list ' +
    'locals map max memoryview min next object oct open ord pow print property range repr ' +
    'reversed round set setattr slice sorted staticmethod str sum super tuple type vars zip ' +
    '__import__ __name__ __main__ self cls Exception BaseException ValueError TypeError KeyError ' +
    'IndexError ZeroDivisionError AttributeError NameError RuntimeError StopIteration ' +
    'NotImplementedError AssertionError ArithmeticError LookupError OSError'
  ).split(' '),
);

/** Leaf tokens left out of the shape. */
const SKIPPED = new Set(['Comment']);

/** A plain (non-raw, non-f, non-bytes) string's quotes, normalised to one style. */
function normaliseString(text: string): string {
  const m = /^([rRbBuU]{0,2})('''|"""|'|")([\s\S]*)\2$/.exec(text);
  if (!m) return text;
  return `${m[1]?.toLowerCase() ?? ''}"${m[3]}"`;
}

/** The shape's tokens (exported for tests: what the hash is made of). */
export function shapeTokens(code: string): string[] {
  const source = code.replace(/\r\n?/g, '\n');
  const tree = parser.parse(source);
  const names = new Map<string, string>();
  const out: string[] = [];
  const cursor = tree.cursor();
  // per open inner node: whether it is a pair of redundant parentheses (left out, as in an AST)
  const transparent: boolean[] = [];
  for (;;) {
    const type = cursor.type;
    const text = () => source.slice(cursor.from, cursor.to);
    if (cursor.firstChild()) {
      // an inner node: its type opens a level, closed when we come back up
      const name = cursor.node.parent?.type.name ?? '';
      const parens = name === 'ParenthesizedExpression';
      transparent.push(parens);
      if (!parens) out.push(`(${name}`);
      continue;
    }
    // a leaf
    const inParens = transparent.at(-1) === true && (type.name === '(' || type.name === ')');
    if (!inParens && !SKIPPED.has(type.name) && cursor.to > cursor.from) {
      if (type.name === 'VariableName') {
        const name = text();
        if (BUILTIN_NAMES.has(name)) out.push(name);
        else {
          let v = names.get(name);
          if (v === undefined) {
            v = `v${names.size}`;
            names.set(name, v);
          }
          out.push(v);
        }
      } else if (type.name === 'String') {
        out.push(normaliseString(text()));
      } else if (type.name === 'newline' || type.name === 'indent' || type.name === 'dedent') {
        // layout: the nesting of Body nodes already says which block a statement is in
      } else {
        out.push(type.isError ? '⚠' : `${type.name}:${text()}`);
      }
    }
    // next sibling, or up until a sibling exists
    while (!cursor.nextSibling()) {
      if (!cursor.parent()) return out;
      if (!transparent.pop()) out.push(')');
    }
  }
}

/** The shape's hash: 16 hex digits of sha-256. */
export function shapeHash(code: string): string {
  return createHash('sha256').update(shapeTokens(code).join('\u0001')).digest('hex').slice(0, 16);
}
