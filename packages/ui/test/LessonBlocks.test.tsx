import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import {
  defaultInternalHref,
  inlineText,
  LessonBlocks,
  type LinkComponentProps,
} from '../src/LessonBlocks.tsx';
import { uiMessages } from '../src/messages.ts';
import { collectHeadings, TableOfContents } from '../src/TableOfContents.tsx';
import { seriousViolations } from './axe.ts';
import { allKindsBlocks } from './fixture.ts';

afterEach(cleanup);

const seen: string[] = [];
function FakeLink({ href, children, className }: LinkComponentProps) {
  seen.push(href);
  return (
    <a href={href} className={className} data-fake="yes">
      {children}
    </a>
  );
}

function renderFixture(extra: Partial<Parameters<typeof LessonBlocks>[0]> = {}) {
  return render(
    <main>
      <LessonBlocks
        blocks={allKindsBlocks}
        renderExample={(id, index) => <div data-testid="example">{`${index}:${id}`}</div>}
        renderTask={(id, index) => <div data-testid="task">{`${index}:${id}`}</div>}
        {...extra}
      />
    </main>,
  );
}

describe('LessonBlocks', () => {
  it('renders headings of every level with ids and anchor links', () => {
    renderFixture();
    const h1 = screen.getByRole('heading', { level: 1, name: 'Asyncio' });
    expect(h1.id).toBe('asyncio');
    const h2 = screen.getByRole('heading', { level: 2 });
    expect(h2.textContent).toBe('Coroutines async def');
    expect(h2.querySelector('code')?.textContent).toBe('async def');
    expect(screen.getByRole('heading', { level: 3, name: 'Event loop' }).id).toBe('event-loop');
    expect(screen.getByRole('heading', { level: 4, name: 'Deep heading' })).toBeTruthy();
    const anchor = screen.getByRole('link', { name: 'Ссылка на раздел «Event loop»' });
    expect(anchor.getAttribute('href')).toBe('#event-loop');
    expect(anchor.querySelector('[aria-hidden="true"]')?.textContent).toBe('#');
  });

  it('renders inline kinds faithfully', () => {
    const { container } = renderFixture();
    const p = container.querySelector('p')!;
    expect(p.querySelector('code')?.textContent).toBe('await x');
    expect(p.querySelector('strong')?.textContent).toBe('bold');
    expect(p.querySelector('em')?.textContent).toBe('italic');
    expect(p.querySelector('del')?.textContent).toBe('gone');
    expect(p.querySelector('br')).not.toBeNull();
    const external = screen.getByRole('link', { name: 'external' });
    expect(external.getAttribute('href')).toBe('https://docs.python.org/3/library/asyncio.html');
    expect(external.getAttribute('rel')).toContain('noopener');
    expect(external.getAttribute('title')).toBe('docs');
    expect(screen.getByRole('link', { name: 'internal' }).getAttribute('href')).toBe(
      '/courses/python/chapters/python_chapter_0310#generators',
    );
  });

  it('passes internal links through linkComponent and internalHref', () => {
    seen.length = 0;
    renderFixture({
      linkComponent: FakeLink,
      internalHref: (l) => `/c/${l.course}/${l.chapter}#${l.anchor}`,
    });
    expect(seen).toEqual(['/c/python/python_chapter_0310#generators']);
    expect(screen.getByRole('link', { name: 'internal' }).dataset.fake).toBe('yes');
    // external links never go through the app's Link
    expect(screen.getByRole('link', { name: 'external' }).dataset.fake).toBeUndefined();
  });

  it('renders nested lists with the ordered start', () => {
    const { container } = renderFixture();
    const ul = container.querySelector('ul')!;
    expect(within(ul).getAllByRole('listitem')).toHaveLength(3);
    const ol = ul.querySelector('ol')!;
    expect(ol.getAttribute('start')).toBe('3');
    expect(ol.textContent).toBe('nested three');
  });

  it('renders static code plain, or the highlighted HTML when given', () => {
    const plain = renderFixture();
    const pres = plain.container.querySelectorAll('pre');
    expect(pres).toHaveLength(2);
    expect(pres[0]!.textContent).toBe('print("static")');
    expect(pres[0]!.querySelector('code')?.className).toBe('language-python');
    expect(pres[0]!.tabIndex).toBe(0);
    expect(pres[1]!.textContent).toBe('plain text block');
    cleanup();

    const calls: Array<[string, string | null]> = [];
    const highlighted = renderFixture({
      highlighted: (code, lang) => {
        calls.push([code, lang]);
        return lang === 'python'
          ? `<pre class="shiki" tabindex="0"><code><span class="hl">${code}</span></code></pre>`
          : undefined;
      },
    });
    expect(calls).toEqual([
      ['print("static")', 'python'],
      ['plain text block', null],
    ]);
    expect(highlighted.container.querySelector('pre.shiki .hl')?.textContent).toBe(
      'print("static")',
    );
    expect(highlighted.container.querySelectorAll('pre')).toHaveLength(2);
    cleanup();

    const byRecord = renderFixture({
      highlighted: { 'plain text block': '<pre class="shiki">X</pre>' },
    });
    expect(byRecord.container.querySelector('pre.shiki')?.textContent).toBe('X');
  });

  it('calls renderExample and renderTask in order with their ordinals', () => {
    renderFixture();
    expect(screen.getAllByTestId('example').map((e) => e.textContent)).toEqual([
      '0:python_chapter_0320_example_01',
      '1:python_chapter_0320_example_02',
    ]);
    expect(screen.getAllByTestId('task').map((e) => e.textContent)).toEqual([
      '0:python_chapter_0320_task_0010',
    ]);
  });

  it('renders illustration, blockquote, table and thematic break', () => {
    const { container } = renderFixture({ resolveImageSrc: (src) => `/static/${src}` });
    const figure = container.querySelector('figure')!;
    const img = within(figure).getByRole('img', { name: 'Event loop diagram' });
    expect(img.getAttribute('src')).toBe('/static/img/loop.svg');
    expect(figure.querySelector('figcaption')?.textContent).toBe('The loop');
    expect(container.querySelector('blockquote')?.textContent).toBe('quoted wisdom');
    const table = screen.getByRole('table');
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((c) => c.textContent),
    ).toEqual(['Name', 'Value']);
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    expect(within(table).getAllByRole('cell')[1]!.className).toContain('text-right');
    expect(container.querySelector('hr')).not.toBeNull();
  });

  it('can omit the title and localise the anchor label', () => {
    renderFixture({ omitTitle: true, messages: uiMessages.en });
    expect(screen.queryByRole('heading', { level: 1 })).toBeNull();
    expect(screen.getByRole('link', { name: 'Link to section “Event loop”' })).toBeTruthy();
  });

  it('has no serious accessibility violations', async () => {
    const { container } = renderFixture();
    expect(await seriousViolations(container)).toEqual([]);
  });
});

describe('headings and table of contents', () => {
  it('collects h2 and h3 with plain text', () => {
    expect(collectHeadings(allKindsBlocks)).toEqual([
      { id: 'coroutines', level: 2, text: 'Coroutines async def' },
      { id: 'event-loop', level: 3, text: 'Event loop' },
    ]);
    expect(collectHeadings(allKindsBlocks, [1, 4]).map((h) => h.id)).toEqual(['asyncio', 'deep']);
  });

  it('nests h3 under h2 and marks the active entry', () => {
    render(<TableOfContents headings={collectHeadings(allKindsBlocks)} activeId="event-loop" />);
    const nav = screen.getByRole('navigation', { name: 'Содержание' });
    const outer = nav.querySelector('ol')!;
    expect(outer.children).toHaveLength(1);
    const inner = outer.querySelector('ol')!;
    const active = within(inner).getByRole('link', { name: 'Event loop' });
    expect(active.getAttribute('href')).toBe('#event-loop');
    expect(active.getAttribute('aria-current')).toBe('location');
  });

  it('renders nothing without headings', () => {
    const { container } = render(<TableOfContents headings={[]} />);
    expect(container.innerHTML).toBe('');
  });

  it('builds default internal hrefs and plain text', () => {
    expect(defaultInternalHref({ course: 'python', chapter: 'c 1', anchor: null })).toBe(
      '/courses/python/chapters/c%201',
    );
    expect(
      inlineText([
        { type: 'emphasis', children: [{ type: 'text', value: 'a' }] },
        { type: 'break' },
        { type: 'code', value: 'b' },
      ]),
    ).toBe('a b');
  });
});

describe('axe helper', () => {
  it('does report serious violations (so the checks above can fail)', async () => {
    const { container } = render(
      <div>
        {/* biome-ignore lint/a11y/useAltText: deliberately broken */}
        <img src="x.png" />
        <button type="button" />
      </div>,
    );
    const found = await seriousViolations(container);
    expect(found.some((v) => v.startsWith('image-alt'))).toBe(true);
    expect(found.some((v) => v.startsWith('button-name'))).toBe(true);
  });
});
