import type { Block, Inline } from '@lms/content/schema';
import { cleanup, render } from '@testing-library/react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { LessonBlocks } from '../src/LessonBlocks.tsx';

afterEach(cleanup);

/** A paragraph with one link, as a release compiled before links were checked may hold it. */
function paragraph(href: string): Block[] {
  const link: Inline = {
    type: 'link',
    href,
    title: null,
    children: [{ type: 'text', value: 'click' }],
    internal: null,
  };
  return [{ kind: 'paragraph', children: [{ type: 'text', value: 'Please ' }, link] }];
}

const view = (href: string) =>
  render(
    <LessonBlocks blocks={paragraph(href)} renderExample={() => null} renderTask={() => null} />,
  );

describe('LessonBlocks link rendering', () => {
  it.each([
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    '\njavascript:alert(1)',
    '\u0000javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
  ])('renders a link to %j as plain text', (href) => {
    const { container } = view(href);
    expect(container.querySelector('a')).toBeNull();
    expect(container.textContent).toBe('Please click');
    const html = renderToStaticMarkup(
      <LessonBlocks blocks={paragraph(href)} renderExample={() => null} renderTask={() => null} />,
    );
    expect(html).not.toContain('href');
    expect(html.toLowerCase()).not.toMatch(/script:|data:|file:/);
  });

  it.each([
    'https://example.org/a',
    'http://example.org',
    'mailto:a@example.org',
    '/courses',
    '#tasks',
    '?page=2',
    './next',
    '../up',
    'page.html',
  ])('keeps a link to %j', (href) => {
    const { container } = view(href);
    const a = container.querySelector('a');
    expect(a).not.toBeNull();
    expect(a!.getAttribute('href')).toBe(href);
    expect(a!.textContent).toBe('click');
  });
});
