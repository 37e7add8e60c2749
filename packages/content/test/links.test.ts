import { describe, expect, it } from 'vitest';
import { compileChapter } from '../src/index.ts';
import { safeUrl } from '../src/markdown.ts';
import type { Block, Inline } from '../src/schema.ts';

const compile = (md: string) =>
  compileChapter(md, { courseId: 'py', chapterId: 'py_chapter_0010', file: 'c/text.md' });

/** Every inline of the chapter's blocks, depth first. */
function inlines(blocks: Block[]): Inline[] {
  const out: Inline[] = [];
  const walk = (list: Inline[]) => {
    for (const i of list) {
      out.push(i);
      if ('children' in i) walk(i.children);
    }
  };
  for (const b of blocks) {
    if ('children' in b && Array.isArray(b.children)) walk(b.children as Inline[]);
    if (b.kind === 'list') for (const item of b.items) for (const sub of item) walkBlock(sub);
  }
  function walkBlock(b: Block) {
    if ('children' in b && Array.isArray(b.children)) walk(b.children as Inline[]);
  }
  return out;
}

function firstParagraph(md: string) {
  const { chapter, warnings } = compile(`# T\n\n${md}\n`);
  const para = chapter!.blocks.find((b) => b.kind === 'paragraph');
  if (para?.kind !== 'paragraph') throw new Error('no paragraph');
  return { children: para.children, warnings, chapter: chapter! };
}

const refusedLinks = [
  'javascript:alert(1)',
  'JAVASCRIPT:alert(1)',
  'JavaScript:alert(1)',
  ' javascript:alert(1)',
  'java\tscript:alert(1)',
  'java\nscript:alert(1)',
  '\u0001javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
];
const allowedLinks = [
  'https://example.org/a?b#c',
  'http://example.org',
  'HTTPS://example.org',
  'mailto:someone@example.org',
  '/courses/python/chapters/python_chapter_0320#x',
  '#section',
  '?page=2',
  './other.md',
  '../up',
  'relative/path:with-colon',
  '//example.org/protocol-relative',
  'javascript%3Aalert(1)', // no scheme: a relative path for the browser too
];

describe('safeUrl', () => {
  it.each(refusedLinks)('refuses the link %j', (url) => {
    expect(safeUrl(url, 'link')).toBe(false);
  });
  it.each(allowedLinks)('keeps the link %j', (url) => {
    expect(safeUrl(url, 'link')).toBe(true);
  });
  it('allows images only over http(s) or relative', () => {
    expect(safeUrl('https://example.org/a.png', 'image')).toBe(true);
    expect(safeUrl('img/a.png', 'image')).toBe(true);
    expect(safeUrl('/static/a.png', 'image')).toBe(true);
    expect(safeUrl('mailto:a@b.c', 'image')).toBe(false);
    expect(safeUrl('data:image/svg+xml,<svg/>', 'image')).toBe(false);
    expect(safeUrl('javascript:alert(1)', 'image')).toBe(false);
  });
});

describe('links in course markdown', () => {
  it('turns a javascript: link into plain text, with a warning at file:line:column', () => {
    const { children, warnings } = firstParagraph('Press [here *now*](javascript:alert(1)) ok');
    expect(children).toEqual([{ type: 'text', value: 'Press here now ok' }]);
    expect(warnings).toEqual([
      expect.objectContaining({
        file: 'c/text.md',
        line: 3,
        column: 7,
        message: expect.stringContaining('"javascript:alert(1)" is not allowed'),
      }),
    ]);
  });

  it.each([
    ['upper case', '[x](JAVASCRIPT:alert(1))'],
    ['a leading space', '[x](< javascript:alert(1)>)'],
    ['a tab inside the scheme', '[x](<java\tscript:alert(1)>)'],
    ['a character reference', '[x](&#106;avascript:alert(1))'],
    ['a named reference for the colon', '[x](javascript&colon;alert(1))'],
    ['data:', '[x](data:text/html;base64,PHNjcmlwdD4=)'],
    ['vbscript:', '[x](vbscript:msgbox)'],
    ['file:', '[x](file:///etc/passwd)'],
    ['a reference definition', '[x][evil]\n\n[evil]: javascript:alert(1)'],
    ['an autolink', '<javascript:alert(1)>'],
  ])('refuses a link with %s', (_name, md) => {
    const { chapter, warnings } = compile(`# T\n\n${md}\n`);
    expect(inlines(chapter!.blocks).filter((i) => i.type === 'link')).toEqual([]);
    expect(inlines(chapter!.blocks).filter((i) => i.type === 'text')).not.toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ file: 'c/text.md', line: 3 });
  });

  it.each([
    ['https', '[x](https://example.org/a)', 'https://example.org/a'],
    ['http', '[x](http://example.org)', 'http://example.org'],
    ['mailto', '[x](mailto:a@example.org)', 'mailto:a@example.org'],
    ['an absolute path', '[x](/courses)', '/courses'],
    ['an anchor', '[x](#tasks)', '#tasks'],
    ['a query', '[x](?a=1)', '?a=1'],
    ['./', '[x](./next.md)', './next.md'],
    ['../', '[x](../up)', '../up'],
    ['a bare relative path', '[x](page.html)', 'page.html'],
    ['a GFM autolink', 'see https://example.org/x', 'https://example.org/x'],
  ])('keeps a link with %s', (_name, md, href) => {
    const { chapter, warnings } = compile(`# T\n\n${md}\n`);
    const links = inlines(chapter!.blocks).filter((i) => i.type === 'link');
    expect(links).toEqual([expect.objectContaining({ type: 'link', href })]);
    expect(warnings).toEqual([]);
  });

  it('keeps internal links to a chapter as internal links', () => {
    const { children } = firstParagraph('[next](/courses/python/chapters/python_chapter_0330#x)');
    expect(children[0]).toMatchObject({
      type: 'link',
      internal: { course: 'python', chapter: 'python_chapter_0330', anchor: 'x' },
    });
  });

  it('keeps http(s) and relative images, turns others into their alt text', () => {
    const ok = firstParagraph('![a](https://example.org/a.png) ![b](img/b.png)');
    expect(ok.children.filter((i) => i.type === 'image')).toHaveLength(2);
    expect(ok.warnings).toEqual([]);

    const bad = firstParagraph('![pic](javascript:alert(1)) ![svg](data:image/svg+xml,x)');
    expect(bad.children).toEqual([{ type: 'text', value: 'pic svg' }]);
    expect(bad.warnings.map((w) => [w.line, w.column])).toEqual([
      [3, 1],
      [3, 29],
    ]);
    expect(bad.warnings[0]!.message).toContain('image URL');
  });

  it('refuses links inside lists, quotes and headings too', () => {
    const { chapter, warnings } = compile(
      '# T [h](javascript:a)\n\n- [l](javascript:b)\n\n> [q](JavaScript:c)\n',
    );
    expect(inlines(chapter!.blocks).filter((i) => i.type === 'link')).toEqual([]);
    expect(JSON.stringify(chapter).toLowerCase()).not.toContain('javascript:');
    expect(warnings.map((w) => w.line)).toEqual([1, 3, 5]);
  });
});
