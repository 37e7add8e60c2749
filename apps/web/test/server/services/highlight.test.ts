import { describe, expect, it } from 'vitest';
import { highlightPython, renderBlocks } from '../../../src/server/services/highlight';

describe('server-side highlighting', () => {
  it('highlights python with the github-light theme and escapes HTML', async () => {
    const html = await highlightPython('print("<b>")  # hi');
    expect(html).toContain('class="shiki github-light"');
    expect(html).toContain('&#x3C;b>');
    expect(html).not.toContain('<b>');
  });

  it('adds html to python code blocks, nested ones too, and null for other languages', async () => {
    const out = await renderBlocks([
      { kind: 'code', lang: 'python', code: 'x = 1' },
      { kind: 'code', lang: null, code: 'output' },
      {
        kind: 'list',
        ordered: false,
        start: null,
        items: [[{ kind: 'code', lang: 'py', code: 'y = 2' }]],
      },
    ]);
    expect(out[0]).toMatchObject({ kind: 'code', html: expect.stringContaining('<pre') });
    expect(out[1]).toMatchObject({ kind: 'code', html: null });
    const list = out[2] as { items: Array<Array<{ html: string | null }>> };
    expect(list.items[0]?.[0]?.html).toContain('<pre');
  });
});
