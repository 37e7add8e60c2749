/**
 * The legacy `wrapper_test` format (senjun.ru's): the student's code replaces the line holding
 * `#INJECT-b585472fa`, and is run as part of the wrapper. `#INJECT-ESCAPED-b585472fa` stands for
 * the code as text. senjun's wrapper_tests put it inside a triple-quoted string
 * (`user_code = """\n#INJECT-ESCAPED-b585472fa\n"""`, also `r"""`): there the string is closed,
 * the code follows as a string literal of its own and the string is reopened with the same
 * prefix and quotes (`"""\n""" "<code>" """\n"""`), so by implicit concatenation the string
 * holds exactly what the student wrote, whatever it contains (senjun escapes only `"""`, so a
 * backslash was read as an escape, and a raw `r'''` string could be closed by the code). Where
 * the marker stands outside any string, it becomes a whole string literal; in a bytes string,
 * a bytes literal of its UTF-8. The result is run as a program: exit code 0 = passed, otherwise
 * its output is the message.
 */
export const INJECT_MARKER = '#INJECT-b585472fa';
export const INJECT_ESCAPED_MARKER = '#INJECT-ESCAPED-b585472fa';

/** A Python string literal for `text` (a JSON string literal is one). */
export function pythonStringLiteral(text: string): string {
  return JSON.stringify(text);
}

/** A Python bytes literal of `text`'s UTF-8, every byte outside printable ASCII escaped. */
function pythonBytesLiteral(text: string): string {
  let out = 'b"';
  for (const byte of new TextEncoder().encode(text)) {
    const ch = String.fromCharCode(byte);
    out +=
      byte >= 0x20 && byte < 0x7f && ch !== '"' && ch !== '\\'
        ? ch
        : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${out}"`;
}

/** The string literal an offset of Python source lies in: its prefix (`r`, `f`, `b`…) and quotes. */
export interface StringContext {
  prefix: string;
  quote: string;
}

/**
 * Which string literal `offset` of `source` lies in, or null: a scan that knows comments,
 * single- and triple-quoted strings, their prefixes and backslash escapes (enough for the
 * wrapper files; not a full tokenizer: no f-string nesting).
 */
export function stringContextAt(source: string, offset: number): StringContext | null {
  let i = 0;
  while (i < offset) {
    const ch = source[i]!;
    if (ch === '#') {
      const end = source.indexOf('\n', i);
      if (end < 0 || end >= offset) return null;
      i = end + 1;
      continue;
    }
    if (ch !== '"' && ch !== "'") {
      i++;
      continue;
    }
    const prefix = /[A-Za-z]{0,2}$/.exec(source.slice(Math.max(0, i - 2), i))![0];
    const validPrefix = /^(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])?$/.test(prefix) ? prefix : '';
    const quote = source.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
    let j = i + quote.length;
    for (;;) {
      if (j >= source.length) return j >= offset ? { prefix: validPrefix, quote } : null;
      if (j >= offset) return { prefix: validPrefix, quote };
      const c = source[j]!;
      // a backslash keeps the next character from ending the string, raw or not
      if (c === '\\') {
        j += 2;
        continue;
      }
      if (quote.length === 1 && c === '\n') break; // an unterminated one-line string: leave it
      if (source.startsWith(quote, j)) {
        j += quote.length;
        break;
      }
      j++;
    }
    i = j;
  }
  return null;
}

/** The code where `#INJECT-ESCAPED-…` stands at `offset` of the wrapper. */
function escapedCode(wrapper: string, offset: number, code: string): string {
  const string = stringContextAt(wrapper, offset);
  if (!string) return pythonStringLiteral(code);
  const bytes = /[bB]/.test(string.prefix);
  const literal = bytes ? pythonBytesLiteral(code) : pythonStringLiteral(code);
  // close the string, the code as its own literal, reopen: implicit concatenation
  return `${string.quote} ${literal} ${string.prefix}${string.quote}`;
}

export function buildWrapperProgram(wrapper: string, code: string): string {
  const out: string[] = [];
  let offset = 0;
  for (const line of wrapper.split('\n')) {
    if (line.includes(INJECT_ESCAPED_MARKER)) {
      const parts = line.split(INJECT_ESCAPED_MARKER);
      let at = offset + parts[0]!.length;
      let built = parts[0]!;
      for (const part of parts.slice(1)) {
        built += escapedCode(wrapper, at, code) + part;
        at += INJECT_ESCAPED_MARKER.length + part.length;
      }
      out.push(built);
    } else if (line.includes(INJECT_MARKER)) {
      out.push(code);
    } else {
      out.push(line);
    }
    offset += line.length + 1;
  }
  return out.join('\n');
}

/**
 * A Python literal of plain data, read back with ast.literal_eval by the tests' driver
 * (cheaper to start than `json`). A JSON string literal is a valid Python str literal.
 */
export function pythonLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'None';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${pythonLiteral(v)}`).join(', ')}}`;
  }
  throw new TypeError(`no Python literal for ${typeof value}`);
}
