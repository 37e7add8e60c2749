import { describe, expect, it } from 'vitest';
import { type DiffLine, diffLines, diffStats, splitLines, unifiedRows } from '../src/diff.ts';

/** Reference: length of the longest common subsequence, by dynamic programming. */
function lcsLength(a: string[], b: string[]): number {
  const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      dp[i]![j] =
        a[i - 1] === b[j - 1] ? dp[i - 1]![j - 1]! + 1 : Math.max(dp[i - 1]![j]!, dp[i]![j - 1]!);
    }
  }
  return dp[a.length]![b.length]!;
}

/** Checks the script rebuilds both sides with consistent line numbers. */
function checkScript(before: string, after: string, lines: DiffLine[]) {
  const a = splitLines(before);
  const b = splitLines(after);
  const old = lines.filter((l) => l.op !== 'insert');
  const neu = lines.filter((l) => l.op !== 'delete');
  expect(old.map((l) => l.text)).toEqual(a);
  expect(neu.map((l) => l.text)).toEqual(b);
  expect(old.map((l) => l.oldLine)).toEqual(a.map((_, i) => i + 1));
  expect(neu.map((l) => l.newLine)).toEqual(b.map((_, i) => i + 1));
}

/** Small deterministic PRNG so failures reproduce. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('diffLines', () => {
  it('finds a simple change', () => {
    const lines = diffLines('a\nb\nc\n', 'a\nB\nc\nd\n');
    expect(lines.map((l) => `${l.op[0]}${l.text}`)).toEqual(['ea', 'db', 'iB', 'ec', 'id']);
    expect(diffStats(lines)).toEqual({ added: 2, removed: 1 });
    checkScript('a\nb\nc\n', 'a\nB\nc\nd\n', lines);
  });

  it('handles empty sides and identical texts', () => {
    expect(diffLines('', '')).toEqual([]);
    expect(diffLines('', 'x\ny').map((l) => l.op)).toEqual(['insert', 'insert']);
    expect(diffLines('x\ny', '').map((l) => l.op)).toEqual(['delete', 'delete']);
    expect(diffLines('x\r\ny\n', 'x\ny').every((l) => l.op === 'equal')).toBe(true);
  });

  it('is minimal (as many equal lines as the LCS) and consistent on random inputs', () => {
    const random = rng(42);
    const alphabet = ['a', 'b', 'c', 'd', 'print(x)', ''];
    for (let round = 0; round < 400; round++) {
      const make = () =>
        Array.from(
          { length: Math.floor(random() * 14) },
          () => alphabet[Math.floor(random() * alphabet.length)],
        ).join('\n');
      const before = make();
      const after = make();
      const lines = diffLines(before, after);
      checkScript(before, after, lines);
      const equal = lines.filter((l) => l.op === 'equal').length;
      expect(equal, `${JSON.stringify(before)} → ${JSON.stringify(after)}`).toBe(
        lcsLength(splitLines(before), splitLines(after)),
      );
    }
  });

  it('falls back to remove-all/add-all past maxEdits, still consistent', () => {
    const before = 'a\nb\nc\nd';
    const after = 'w\nx\ny\nz';
    const lines = diffLines(before, after, { maxEdits: 2 });
    checkScript(before, after, lines);
    expect(diffStats(lines)).toEqual({ added: 4, removed: 4 });
  });

  it('diffs a 2000-line program with a few edits quickly enough for a click', () => {
    const base = Array.from({ length: 2000 }, (_, i) => `line ${i}`);
    const edited = [...base];
    edited.splice(500, 1, 'changed');
    edited.splice(1500, 0, 'inserted');
    const lines = diffLines(base.join('\n'), edited.join('\n'));
    expect(diffStats(lines)).toEqual({ added: 2, removed: 1 });
  });
});

describe('unifiedRows', () => {
  it('keeps context around changes and collapses the rest', () => {
    const before = Array.from({ length: 20 }, (_, i) => `l${i + 1}`).join('\n');
    const after = before.replace('l10', 'L10');
    const rows = unifiedRows(diffLines(before, after), 2);
    expect(
      rows.map((r) => (r.kind === 'skip' ? `skip${r.count}` : `${r.line.op[0]}${r.line.text}`)),
    ).toEqual(['skip7', 'el8', 'el9', 'dl10', 'iL10', 'el11', 'el12', 'skip8']);
  });

  it('shows nothing but one skip for identical texts', () => {
    expect(unifiedRows(diffLines('a\nb', 'a\nb'))).toEqual([{ kind: 'skip', count: 2 }]);
  });
});
