/**
 * Line diff (Myers' O(ND) algorithm) and unified hunks, for showing what changed between two
 * attempts. Written for code of a few hundred lines; past `maxEdits` differences it gives up
 * on a minimal script and reports the rest as removed-then-added, which is still correct.
 */

export type DiffOp = 'equal' | 'insert' | 'delete';

export interface DiffLine {
  op: DiffOp;
  text: string;
  /** 1-based line in `before` (equal, delete) */
  oldLine: number | null;
  /** 1-based line in `after` (equal, insert) */
  newLine: number | null;
}

export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  // A final newline ends the last line; it does not start an empty one.
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export interface DiffOptions {
  /** edit distance after which the diff stops looking for a minimal script (default 2000) */
  maxEdits?: number;
}

export function diffLines(before: string, after: string, options: DiffOptions = {}): DiffLine[] {
  const a = splitLines(before);
  const b = splitLines(after);
  const out: DiffLine[] = [];

  // Common prefix and suffix cost nothing and shrink the search a lot for typical edits.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }

  for (let i = 0; i < start; i++)
    out.push({ op: 'equal', text: a[i]!, oldLine: i + 1, newLine: i + 1 });
  const middle = myers(a, start, endA, b, start, endB, options.maxEdits ?? 2000);
  out.push(...middle);
  for (let i = endA, j = endB; i < a.length; i++, j++) {
    out.push({ op: 'equal', text: a[i]!, oldLine: i + 1, newLine: j + 1 });
  }
  return out;
}

/** Myers' greedy forward search over a[aStart..aEnd) and b[bStart..bEnd), then backtrack. */
function myers(
  a: string[],
  aStart: number,
  aEnd: number,
  b: string[],
  bStart: number,
  bEnd: number,
  maxEdits: number,
): DiffLine[] {
  const n = aEnd - aStart;
  const m = bEnd - bStart;
  if (n === 0 && m === 0) return [];
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d] = copy of v[k] for k in [-d, d] after step d
  const trace: Int32Array[] = [];
  let found = -1;

  for (let d = 0; d <= max; d++) {
    if (d > maxEdits) break;
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)) x = v[offset + k + 1]!;
      else x = v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[aStart + x] === b[bStart + y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
    }
    trace.push(v.slice(offset - d, offset + d + 1));
    if (v[offset + n - m]! >= n && n - m >= -d && n - m <= d) {
      found = d;
      break;
    }
  }

  if (found < 0) {
    // Too different for a minimal script: everything removed, then everything added.
    const out: DiffLine[] = [];
    for (let i = aStart; i < aEnd; i++)
      out.push({ op: 'delete', text: a[i]!, oldLine: i + 1, newLine: null });
    for (let j = bStart; j < bEnd; j++)
      out.push({ op: 'insert', text: b[j]!, oldLine: null, newLine: j + 1 });
    return out;
  }

  const reversed: DiffLine[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d - 1]!;
    const at = (k: number) => prev[k + (d - 1)]!;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      reversed.push({
        op: 'equal',
        text: a[aStart + x]!,
        oldLine: aStart + x + 1,
        newLine: bStart + y + 1,
      });
    }
    if (down) {
      y--;
      reversed.push({ op: 'insert', text: b[bStart + y]!, oldLine: null, newLine: bStart + y + 1 });
    } else {
      x--;
      reversed.push({ op: 'delete', text: a[aStart + x]!, oldLine: aStart + x + 1, newLine: null });
    }
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    reversed.push({
      op: 'equal',
      text: a[aStart + x]!,
      oldLine: aStart + x + 1,
      newLine: bStart + y + 1,
    });
  }
  return reversed.reverse();
}

export interface DiffStats {
  added: number;
  removed: number;
}

export function diffStats(lines: DiffLine[]): DiffStats {
  let added = 0;
  let removed = 0;
  for (const line of lines) {
    if (line.op === 'insert') added++;
    else if (line.op === 'delete') removed++;
  }
  return { added, removed };
}

export type DiffRow = { kind: 'line'; line: DiffLine } | { kind: 'skip'; count: number };

/**
 * Unified view: changed lines with `context` unchanged lines around them; longer unchanged
 * runs collapse into one `skip` row.
 */
export function unifiedRows(lines: DiffLine[], context = 3): DiffRow[] {
  const keep = new Array<boolean>(lines.length).fill(false);
  lines.forEach((line, index) => {
    if (line.op === 'equal') return;
    for (
      let i = Math.max(0, index - context);
      i <= Math.min(lines.length - 1, index + context);
      i++
    )
      keep[i] = true;
  });
  const rows: DiffRow[] = [];
  let skipped = 0;
  lines.forEach((line, index) => {
    if (keep[index]) {
      if (skipped) rows.push({ kind: 'skip', count: skipped });
      skipped = 0;
      rows.push({ kind: 'line', line });
    } else {
      skipped++;
    }
  });
  if (skipped) rows.push({ kind: 'skip', count: skipped });
  return rows;
}
