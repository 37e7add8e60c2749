/**
 * The legacy `wrapper_test` format: the student's code replaces the line holding
 * `#INJECT-b585472fa`; the code as a Python string literal replaces `#INJECT-ESCAPED-b585472fa`.
 * The result is run as a program: exit code 0 = passed, otherwise its output is the message.
 */
export const INJECT_MARKER = '#INJECT-b585472fa';
export const INJECT_ESCAPED_MARKER = '#INJECT-ESCAPED-b585472fa';

/** A Python string literal for `text` (a JSON string literal is one). */
export function pythonStringLiteral(text: string): string {
  return JSON.stringify(text);
}

export function buildWrapperProgram(wrapper: string, code: string): string {
  const literal = pythonStringLiteral(code);
  const lines = wrapper.split('\n').map((line) => {
    if (line.includes(INJECT_ESCAPED_MARKER))
      return line.split(INJECT_ESCAPED_MARKER).join(literal);
    if (line.includes(INJECT_MARKER)) return code;
    return line;
  });
  return lines.join('\n');
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
