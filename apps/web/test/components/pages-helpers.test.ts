import { describe, expect, it } from 'vitest';
import { safeNext } from '../../src/components/auth/safe-next.ts';
import { highlightMap } from '../../src/components/chapter/highlight-map.ts';

describe('safeNext (post-sign-in destination)', () => {
  it('keeps same-site paths', () => {
    expect(safeNext('/courses/python')).toBe('/courses/python');
    expect(safeNext(['/courses/python/chapters/x#task-1'])).toBe(
      '/courses/python/chapters/x#task-1',
    );
  });
  it('keeps query and hash, and normalises dot segments', () => {
    expect(safeNext('/courses/../courses/python?x=1#t')).toBe('/courses/python?x=1#t');
    expect(safeNext('/%09/evil.example')).toBe('/%09/evil.example');
  });
  it('refuses anything that could leave the site', () => {
    for (const bad of [
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      // what `?next=/%09/evil.com` decodes to: a browser drops the tab and reads `//evil.com`
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r\n/\\evil.example',
      '\\/evil.example',
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
