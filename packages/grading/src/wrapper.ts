/**
 * The legacy `wrapper_test` format (senjun.ru's): the student's code replaces the line holding
 * `#INJECT-b585472fa`, and is run as part of the wrapper. `#INJECT-ESCAPED-b585472fa` stands for
 * the code as text: senjun's wrapper_tests put it inside a triple-quoted string
 * (`user_code = """\n#INJECT-ESCAPED-b585472fa\n"""`), so there it becomes the code with `\`,
 * quotes and NUL escaped, and the string holds exactly what the student wrote (senjun itself
 * escapes only `"""`, so a backslash in the code was read as an escape: ours is the same text
 * without that defect). Where the marker stands outside any triple-quoted string, it becomes a
 * whole Python string literal; inside a raw string (`r"""`) only `"""` is escaped, as senjun does.
 * The result is run as a program: exit code 0 = passed, otherwise
 * its output is the message.
 */
export const INJECT_MARKER = '#INJECT-b585472fa';
export const INJECT_ESCAPED_MARKER = '#INJECT-ESCAPED-b585472fa';

/** A Python string literal for `text` (a JSON string literal is one). */
export function pythonStringLiteral(text: string): string {
  return JSON.stringify(text);
}

/** `text` as the body of a (non-raw) triple-quoted Python string that reads back as `text`. */
export function tripleQuotedBody(text: string): string {
  return text
    .replaceAll('\\', '\\\\')
    .replaceAll('"', '\\"')
    .replaceAll("'", "\\'")
    .replaceAll('\0', '\\x00');
}

/**
 * The triple-quoted string `offset` of `text` lies in (a plain scan of the delimiters), and
 * whether it is a raw string (`r"""`); null outside any.
 */
function enclosingTripleQuotes(text: string, offset: number): { raw: boolean } | null {
  let open: { delimiter: string; raw: boolean } | null = null;
  for (let i = 0; i < offset; i++) {
    const three = text.slice(i, i + 3);
    if (three !== '"""' && three !== "'''") continue;
    if (open === null)
      open = {
        delimiter: three,
        raw: /[rR][bB]?$|[bB][rR]$/.test(text.slice(Math.max(0, i - 2), i)),
      };
    else if (open.delimiter === three) open = null;
    else continue;
    i += 2;
  }
  return open && { raw: open.raw };
}

/** The code where `#INJECT-ESCAPED-…` stands at `offset` of the wrapper. */
function escapedCode(wrapper: string, offset: number, code: string): string {
  const string = enclosingTripleQuotes(wrapper, offset);
  if (!string) return pythonStringLiteral(code);
  // a raw string reads backslashes as they are: only its end can be escaped, as senjun does
  return string.raw ? code.replaceAll('"""', '\\"\\"\\"') : tripleQuotedBody(code);
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
