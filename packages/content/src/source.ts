/** Line/column lookups in a source text (1-based, like mdast positions). */
export class SourceText {
  readonly text: string;
  readonly lines: string[];
  private readonly lineStarts: number[];

  constructor(text: string) {
    this.text = text;
    this.lines = text.split(/\r?\n|\r/);
    this.lineStarts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.lineStarts.push(i + 1);
      else if (c === 13 && text.charCodeAt(i + 1) !== 10) this.lineStarts.push(i + 1);
    }
  }

  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }

  line(n: number): string {
    return this.lines[n - 1] ?? '';
  }
}

/** Parses JSON text; a syntax error comes back with its message and its line and column. */
export function parseJsonText(
  text: string,
): { ok: true; data: unknown } | { ok: false; message: string; line: number; column: number } {
  try {
    return { ok: true, data: JSON.parse(text) };
  } catch (e) {
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    const pos = at ? new SourceText(text).position(Number(at[1])) : { line: 1, column: 1 };
    return { ok: false, message, ...pos };
  }
}
