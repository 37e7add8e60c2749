import { describe, expect, it } from 'vitest';
import { safeNext } from './auth/safe-next.ts';
import { highlightMap } from './chapter/highlight-map.ts';

describe('safeNext (post-sign-in destination)', () => {
  it('keeps same-site paths', () => {
    expect(safeNext('/courses/python')).toBe('/courses/python');
    expect(safeNext(['/courses/python/chapters/x#task-1'])).toBe(
      '/courses/python/chapters/x#task-1',
    );
  });
  it('refuses anything that could leave the site', () => {
    for (const bad of [
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      'javascript:alert(1)',
      '',
      undefined,
      null,
    ]) {
      expect(safeNext(bad)).toBe('/courses');
    }
  });
});

describe('highlightMap', () => {
  it('collects the server HTML of code blocks, also inside lists and quotes', () => {
    const map = highlightMap([
      { kind: 'code', code: 'a = 1', html: '<pre>a</pre>' },
      { kind: 'code', code: 'plain', html: null },
      { kind: 'list', items: [[{ kind: 'code', code: 'b = 2', html: '<pre>b</pre>' }]] },
      { kind: 'blockquote', children: [{ kind: 'code', code: 'c = 3', html: '<pre>c</pre>' }] },
      { kind: 'paragraph' },
    ]);
    expect(map).toEqual({
      'a = 1': '<pre>a</pre>',
      'b = 2': '<pre>b</pre>',
      'c = 3': '<pre>c</pre>',
    });
  });
});
