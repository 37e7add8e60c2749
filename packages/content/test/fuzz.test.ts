import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chapterSchema, compileChapter } from '../src/index.ts';
import { SEED_CHAPTER } from './helpers.ts';

/** mulberry32: a tiny seeded PRNG, so every failing case can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  '```',
  '```python {.example_for_playground}',
  '```python  {.example_for_playground_002}',
  '``` ',
  '~~~',
  '```consoleoutput {.task_source #c_chapter_0010_task_0010}',
  '```python {.task_source #c_chapter_0010_task_0010}',
  '```python {.task_source}',
  '```python {.task_answer}',
  '{.task_text}',
  '{.task_hint}',
  '{.task_answer}',
  '{.illustration}',
  '{#anchor}',
  '{.unknown}',
  '{',
  '}',
  '{{x}}',
  '{.a #b c=d}',
  'f"{x}"',
  '`code`',
  '**bold**',
  '*em*',
  '~~del~~',
  '- ',
  '1. ',
  '> ',
  '# ',
  '## ',
  '    ',
  '\t',
  '\n',
  '\n\n',
  ' ',
  'text',
  'Текст',
  '[link](/courses/c/chapters/c_chapter_0020#a)',
  '[ref][r]',
  '[r]: /x "t"',
  '![img](a.png)',
  '| a | b |\n|---|:-:|\n| 1 | 2 |',
  '<div>',
  '</div>',
  '&amp;',
  '\\',
  '\r\n',
  '\u0000',
  '\uFEFF',
  '[^1]',
  '[^1]: note',
  '***',
  '---',
  '- [ ] todo',
  '<!-- -->',
  '🙂',
  '\u202E',
];

function soup(rand: () => number): string {
  const n = 1 + Math.floor(rand() * 60);
  let s = '';
  for (let i = 0; i < n; i++) s += TOKENS[Math.floor(rand() * TOKENS.length)];
  return s;
}

function mutate(text: string, rand: () => number): string {
  const lines = text.split('\n');
  const edits = 1 + Math.floor(rand() * 6);
  for (let e = 0; e < edits; e++) {
    const i = Math.floor(rand() * lines.length);
    const op = Math.floor(rand() * 6);
    if (op === 0) lines.splice(i, 1);
    else if (op === 1) lines.splice(i, 0, lines[Math.floor(rand() * lines.length)] ?? '');
    else if (op === 2) {
      const j = Math.floor(rand() * lines.length);
      [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
    } else if (op === 3) {
      const line = lines[i] ?? '';
      const at = Math.floor(rand() * (line.length + 1));
      lines[i] = line.slice(0, at) + TOKENS[Math.floor(rand() * TOKENS.length)] + line.slice(at);
    } else if (op === 4) {
      const line = lines[i] ?? '';
      const at = Math.floor(rand() * (line.length + 1));
      lines[i] = line.slice(0, at) + line.slice(at + 1 + Math.floor(rand() * 5));
    } else lines.length = Math.max(1, i);
  }
  return lines.join('\n');
}

function checkOutcome(text: string, label: string) {
  let result: ReturnType<typeof compileChapter>;
  try {
    result = compileChapter(text, { courseId: 'c', chapterId: 'c_chapter_0010' });
  } catch (err) {
    throw new Error(
      `${label}: compileChapter threw ${(err as Error).stack}\n--- input ---\n${text}`,
    );
  }
  const internal = result.errors.find((e) => e.message.startsWith('internal compiler error'));
  if (internal) throw new Error(`${label}: ${internal.message}\n--- input ---\n${text}`);
  for (const e of [...result.errors, ...result.warnings]) {
    if (!(e.line >= 1 && e.column >= 1 && e.message.length > 0)) {
      throw new Error(`${label}: bad diagnostic ${JSON.stringify(e)}`);
    }
  }
  if (result.chapter) {
    chapterSchema.parse(result.chapter);
    // with a chapter, every error is about one task, and names it
    for (const e of result.errors) {
      expect(e.message, label).toMatch(/^(\S+: |task \d+ of c_chapter_0010 \()/);
    }
  } else {
    expect(result.errors.length).toBeGreaterThan(0);
  }
  return result;
}

const seedText = readFileSync(SEED_CHAPTER, 'utf8').replaceAll(
  'python_chapter_0320',
  'c_chapter_0010',
);
const seedLines = seedText.split('\n');

describe('fuzz: random and hostile markdown never crashes the compiler', {
  timeout: 60_000,
}, () => {
  it('token soup (1500 seeded cases)', () => {
    const rand = prng(20261124);
    let clean = 0;
    for (let i = 0; i < 1500; i++) {
      const r = checkOutcome(soup(rand), `soup #${i}`);
      if (r.errors.length === 0 && r.warnings.length === 0) clean++;
    }
    // the soup must exercise both outcomes, or the generator is broken
    expect(clean).toBeGreaterThan(0);
    expect(clean).toBeLessThan(1500);
  });

  it('mutated windows of the seed chapter (1500 seeded cases)', () => {
    const rand = prng(42);
    for (let i = 0; i < 1500; i++) {
      const start = Math.floor(rand() * seedLines.length);
      const window = seedLines.slice(start, start + 10 + Math.floor(rand() * 60)).join('\n');
      checkOutcome(`# T\n\n${mutate(window, rand)}`, `window #${i}`);
    }
  });

  it('mutated whole seed chapter (60 seeded cases), deterministic', () => {
    const rand = prng(7);
    for (let i = 0; i < 60; i++) {
      const text = mutate(seedText, rand);
      const a = checkOutcome(text, `seed #${i}`);
      if (i % 10 === 0)
        expect(compileChapter(text, { courseId: 'c', chapterId: 'c_chapter_0010' })).toEqual(a);
    }
  });

  it('deep nesting is cut off with a warning, not a stack overflow', () => {
    const r = compileChapter(`# T\n\n${'> '.repeat(100)}x`, {
      courseId: 'c',
      chapterId: 'c_chapter_0010',
    });
    expect(r.errors).toEqual([]);
    expect(r.chapter).not.toBeNull();
    expect(r.warnings.map((e) => e.message)).toEqual([
      expect.stringMatching(/nested deeper than 32 levels/),
    ]);
    expect(r.warnings[0]).toMatchObject({ line: 3 });
  });

  it('pathological inputs', () => {
    for (const text of [
      '',
      '\n'.repeat(10000),
      '`'.repeat(5000),
      '{'.repeat(5000),
      `# x ${'{.a}'.repeat(2000)}`,
      `# T\n\n${'> '.repeat(3000)}x`,
      `# T\n\n${Array.from({ length: 60 }, (_, i) => `${'  '.repeat(i)}- x`).join('\n')}`,
      `# T\n\n${'**a '.repeat(40)}${'*b'.repeat(300)}`,
      `${'> '.repeat(500)}x`,
      `${'- '.repeat(500)}x`,
      `# T\n\n${'```python {.example_for_playground}\nprint(1)\n```\n```\n1\n```\n'.repeat(300)}`,
    ]) {
      checkOutcome(text, `pathological ${JSON.stringify(text.slice(0, 20))}`);
    }
  });
});
