/**
 * markdown-it-attrs style attribute blocks: `{.class #id key=value}` at the end of a
 * paragraph, list item, heading or fence info string. A brace group is an attribute block
 * only when every token in it is one of those forms, so prose like `{1, 2}` stays text.
 */
export interface Attributes {
  classes: string[];
  id: string | null;
  /** key=value pairs, kept for forward compatibility; no key is interpreted yet */
  pairs: Record<string, string>;
}

const TOKEN_CLASS = /^\.([A-Za-z_][\w-]*)$/;
const TOKEN_ID = /^#([A-Za-z_][\w:.-]*)$/;
const TOKEN_PAIR = /^([A-Za-z_][\w-]*)=("[^"]*"|'[^']*'|[^\s"']+)$/;
// The trailing brace group; `[^{}]` keeps `{a{b}}` from matching as one block.
const TRAILING = /[ \t]*\{([^{}\n]*)\}[ \t]*$/;

export function parseAttributeTokens(inner: string): Attributes | null {
  const tokens = inner.trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return null;
  const attrs: Attributes = { classes: [], id: null, pairs: {} };
  for (const token of tokens) {
    const cls = TOKEN_CLASS.exec(token);
    if (cls) {
      attrs.classes.push(cls[1]!);
      continue;
    }
    const id = TOKEN_ID.exec(token);
    if (id) {
      attrs.id = id[1]!;
      continue;
    }
    const pair = TOKEN_PAIR.exec(token);
    if (pair) {
      attrs.pairs[pair[1]!] = pair[2]!.replace(/^["']|["']$/g, '');
      continue;
    }
    return null;
  }
  return attrs;
}

/** Splits a trailing attribute block off `text`; `index` is where the stripped part starts. */
export function splitTrailingAttributes(
  text: string,
): { rest: string; attrs: Attributes; index: number } | null {
  const m = TRAILING.exec(text);
  if (!m) return null;
  const attrs = parseAttributeTokens(m[1]!);
  if (!attrs) return null;
  return { rest: text.slice(0, m.index), attrs, index: m.index };
}

/**
 * A fence info string: `python {.task_source #id}`, `python  {.example_for_playground}`,
 * `{.task_answer}` or plain `python`. The language is the first word unless it is the
 * attribute block itself.
 */
export function parseFenceInfo(info: string): {
  lang: string | null;
  attrs: Attributes | null;
  /** the info string had a brace group that is not a valid attribute block */
  malformed: boolean;
} {
  const trimmed = info.trim();
  if (trimmed === '') return { lang: null, attrs: null, malformed: false };
  const open = trimmed.indexOf('{');
  if (open === -1) return { lang: trimmed.split(/\s+/)[0]!, attrs: null, malformed: false };
  const before = trimmed.slice(0, open).trim();
  const lang = before === '' ? null : before.split(/\s+/)[0]!;
  const split = splitTrailingAttributes(trimmed.slice(open));
  if (split?.rest.trim() !== '') return { lang, attrs: null, malformed: true };
  return { lang, attrs: split.attrs, malformed: false };
}
