// The compiled lesson blocks as React, one renderer per block kind. Over 400 lines on purpose:
// the kinds are one switch over the content schema's union, read best side by side.
import type { Block, Inline } from '@lms/content/schema';
import type { ComponentType, ReactNode } from 'react';
import { cn, focusRing } from './cn.ts';
import { format, resolveMessages, type UiMessages } from './messages.ts';

/**
 * Renders compiled lesson content. No hooks, so it works as a React Server Component
 * (the chapter page can highlight code with shiki on the server and pass the HTML in).
 */

export interface LinkComponentProps {
  href: string;
  className?: string;
  title?: string;
  children?: ReactNode;
}
/** A link renderer; pass Next's `Link` so internal links navigate client-side. */
export type LinkComponent = ComponentType<LinkComponentProps>;

/**
 * Pre-highlighted HTML for a static code block (shiki's `<pre class="shiki">…</pre>`):
 * a function of (code, lang), or a record keyed by the code string. `undefined` means
 * "not highlighted": the block falls back to a plain `<pre><code>`.
 */
export type HighlightedCode =
  | ((code: string, lang: string | null) => string | undefined)
  | Record<string, string>;

export type InternalLink = NonNullable<Extract<Inline, { type: 'link' }>['internal']>;

export interface LessonBlocksProps {
  blocks: Block[];
  /** renders a runnable example in place; `index` is its 0-based ordinal among examples */
  renderExample?: (exampleId: string, index: number) => ReactNode;
  /** renders a task in place; `index` is its 0-based ordinal among tasks */
  renderTask?: (taskId: string, index: number) => ReactNode;
  highlighted?: HighlightedCode;
  linkComponent?: LinkComponent;
  /** route of an internal link; default `/courses/<course>/chapters/<chapter>#anchor` */
  internalHref?: (link: InternalLink) => string;
  /** rewrites image sources (e.g. relative paths of the course directory to a static route) */
  resolveImageSrc?: (src: string) => string;
  /** skip the first level-1 heading when the page shows the title itself */
  omitTitle?: boolean;
  messages?: Partial<UiMessages>;
  className?: string;
}

interface RenderContext {
  props: LessonBlocksProps;
  m: UiMessages;
  Link: LinkComponent;
  exampleIndex: number;
  taskIndex: number;
}

export function defaultInternalHref(link: InternalLink): string {
  const path = `/courses/${encodeURIComponent(link.course)}/chapters/${encodeURIComponent(link.chapter)}`;
  return link.anchor ? `${path}#${encodeURIComponent(link.anchor)}` : path;
}

function PlainLink({ href, className, title, children }: LinkComponentProps) {
  return (
    <a href={href} className={className} title={title}>
      {children}
    </a>
  );
}

export function LessonBlocks(props: LessonBlocksProps) {
  const ctx: RenderContext = {
    props,
    m: resolveMessages(props.messages),
    Link: props.linkComponent ?? PlainLink,
    exampleIndex: 0,
    taskIndex: 0,
  };
  let blocks = props.blocks;
  if (props.omitTitle) {
    const first = blocks.findIndex((b) => b.kind === 'heading' && b.level === 1);
    if (first >= 0) blocks = [...blocks.slice(0, first), ...blocks.slice(first + 1)];
  }
  return (
    <div className={cn('lesson text-base leading-7 text-slate-900', props.className)}>
      {renderBlocks(blocks, ctx)}
    </div>
  );
}

function renderBlocks(blocks: Block[], ctx: RenderContext): ReactNode[] {
  // Keys by position: blocks of compiled content are static for one render.
  return blocks.map((block, index) => renderBlock(block, ctx, index));
}

const headingTags = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'] as const;
const headingClasses: Record<number, string> = {
  1: 'text-3xl font-bold tracking-tight',
  2: 'text-2xl font-semibold tracking-tight',
  3: 'text-xl font-semibold',
  4: 'text-lg font-semibold',
  5: 'text-base font-semibold',
  6: 'text-base font-semibold text-slate-700',
};

function renderBlock(block: Block, ctx: RenderContext, key: number): ReactNode {
  switch (block.kind) {
    case 'heading': {
      const level = Math.min(Math.max(block.level, 1), 6);
      const Tag = headingTags[level - 1]!;
      const title = inlineText(block.children);
      return (
        <div
          key={key}
          className={cn(
            'group relative flex items-baseline gap-2',
            level <= 2 ? 'mt-10 mb-4' : 'mt-8 mb-3',
          )}
        >
          <Tag id={block.id || undefined} className={cn('scroll-mt-20', headingClasses[level])}>
            {renderInlines(block.children, ctx)}
          </Tag>
          {block.id ? (
            <a
              href={`#${block.id}`}
              className={cn(
                'rounded px-1 text-slate-500 no-underline opacity-0 transition-opacity group-hover:opacity-100 hover:text-sky-700 focus-visible:opacity-100',
                focusRing,
              )}
            >
              <span aria-hidden="true">#</span>
              <span className="sr-only">{format(ctx.m.headingAnchor, { title })}</span>
            </a>
          ) : null}
        </div>
      );
    }
    case 'paragraph':
      return (
        <p key={key} className="my-4">
          {renderInlines(block.children, ctx)}
        </p>
      );
    case 'list': {
      const items = block.items.map((item, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: static content
        <li key={index} className="my-1 pl-1 [&>p]:my-1">
          {renderBlocks(item, ctx)}
        </li>
      ));
      return block.ordered ? (
        <ol key={key} start={block.start ?? undefined} className="my-4 list-decimal pl-7">
          {items}
        </ol>
      ) : (
        <ul key={key} className="my-4 list-disc pl-7">
          {items}
        </ul>
      );
    }
    case 'code':
      return <CodeBlock key={key} code={block.code} lang={block.lang} ctx={ctx} />;
    case 'example': {
      const index = ctx.exampleIndex++;
      const rendered = ctx.props.renderExample?.(block.exampleId, index);
      return (
        <div key={key} className="my-6" data-example-id={block.exampleId}>
          {rendered ?? null}
        </div>
      );
    }
    case 'task': {
      const index = ctx.taskIndex++;
      const rendered = ctx.props.renderTask?.(block.taskId, index);
      return (
        <div key={key} className="my-8" data-task-id={block.taskId}>
          {rendered ?? null}
        </div>
      );
    }
    case 'illustration': {
      const caption = block.children
        .filter((c): c is Extract<Inline, { type: 'image' }> => c.type === 'image')
        .map((c) => c.title)
        .find((t) => t);
      return (
        <figure key={key} className="my-6 flex flex-col items-center gap-2">
          <div className="max-w-full [&_img]:mx-auto [&_img]:max-h-[32rem] [&_img]:max-w-full">
            {renderInlines(block.children, ctx)}
          </div>
          {caption ? (
            <figcaption className="text-center text-sm text-slate-600">{caption}</figcaption>
          ) : null}
        </figure>
      );
    }
    case 'blockquote':
      return (
        <blockquote key={key} className="my-4 border-l-4 border-slate-300 pl-4 text-slate-700">
          {renderBlocks(block.children, ctx)}
        </blockquote>
      );
    case 'table':
      return (
        <div key={key} className="my-6 overflow-x-auto">
          <table className="min-w-full border-collapse text-sm">
            <thead>
              <tr>
                {block.header.map((cell, index) => (
                  <th
                    // biome-ignore lint/suspicious/noArrayIndexKey: static content
                    key={index}
                    scope="col"
                    className={cn(
                      'border-b-2 border-slate-300 px-3 py-2 font-semibold',
                      alignClass(block.align[index]),
                    )}
                  >
                    {renderInlines(cell, ctx)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {block.rows.map((row, rowIndex) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: static content
                <tr key={rowIndex} className="border-b border-slate-200">
                  {row.map((cell, index) => (
                    <td
                      // biome-ignore lint/suspicious/noArrayIndexKey: static content
                      key={index}
                      className={cn('px-3 py-2 align-top', alignClass(block.align[index]))}
                    >
                      {renderInlines(cell, ctx)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    case 'thematicBreak':
      return <hr key={key} className="my-8 border-slate-200" />;
    default: {
      // A block kind added to the schema later: show nothing rather than crash the page.
      const unknown: never = block;
      void unknown;
      return null;
    }
  }
}

function alignClass(align: 'left' | 'right' | 'center' | null | undefined): string {
  if (align === 'right') return 'text-right';
  if (align === 'center') return 'text-center';
  return 'text-left';
}

export function lookupHighlighted(
  highlighted: HighlightedCode | undefined,
  code: string,
  lang: string | null,
): string | undefined {
  if (!highlighted) return undefined;
  if (typeof highlighted === 'function') return highlighted(code, lang);
  return Object.hasOwn(highlighted, code) ? highlighted[code] : undefined;
}

function CodeBlock({ code, lang, ctx }: { code: string; lang: string | null; ctx: RenderContext }) {
  const html = lookupHighlighted(ctx.props.highlighted, code, lang);
  const frame =
    'my-4 overflow-x-auto rounded-lg border border-slate-200 bg-slate-50 p-4 font-mono text-sm leading-6';
  if (html !== undefined) {
    return (
      <div
        className={cn(
          'my-4 text-sm leading-6 [&_pre]:overflow-x-auto [&_pre]:rounded-lg [&_pre]:border [&_pre]:border-slate-200 [&_pre]:p-4',
          '[&_pre]:focus-visible:outline-2 [&_pre]:focus-visible:outline-sky-600',
        )}
        data-lang={lang ?? undefined}
        // biome-ignore lint/security/noDangerouslySetInnerHtml: HTML produced by the server's highlighter from trusted course content
        dangerouslySetInnerHTML={{ __html: html }}
      />
    );
  }
  return (
    <pre
      // Scrollable, so it must be reachable with the keyboard (axe: scrollable-region-focusable).
      // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable code must be keyboard scrollable
      tabIndex={0}
      className={cn(frame, focusRing)}
      data-lang={lang ?? undefined}
    >
      <code className={lang ? `language-${lang}` : undefined}>{code}</code>
    </pre>
  );
}

function renderInlines(inlines: Inline[], ctx: RenderContext): ReactNode[] {
  return inlines.map((inline, index) => renderInline(inline, ctx, index));
}

function renderInline(inline: Inline, ctx: RenderContext, key: number): ReactNode {
  switch (inline.type) {
    case 'text':
      return inline.value;
    case 'code':
      return (
        <code
          key={key}
          className="rounded bg-slate-100 px-1 py-0.5 font-mono text-[0.875em] text-slate-900"
        >
          {inline.value}
        </code>
      );
    case 'strong':
      return (
        <strong key={key} className="font-semibold">
          {renderInlines(inline.children, ctx)}
        </strong>
      );
    case 'emphasis':
      return <em key={key}>{renderInlines(inline.children, ctx)}</em>;
    case 'delete':
      return <del key={key}>{renderInlines(inline.children, ctx)}</del>;
    case 'break':
      return <br key={key} />;
    case 'image': {
      const src = ctx.props.resolveImageSrc ? ctx.props.resolveImageSrc(inline.src) : inline.src;
      return (
        <img
          key={key}
          src={src}
          alt={inline.alt}
          title={inline.title ?? undefined}
          loading="lazy"
          className="inline-block max-w-full"
        />
      );
    }
    case 'link': {
      const className = cn(
        'rounded-sm text-sky-700 underline underline-offset-2 hover:text-sky-900',
        focusRing,
      );
      const children = renderInlines(inline.children, ctx);
      if (inline.internal) {
        const href = (ctx.props.internalHref ?? defaultInternalHref)(inline.internal);
        const Link = ctx.Link;
        return (
          <Link key={key} href={href} className={className} title={inline.title ?? undefined}>
            {children}
          </Link>
        );
      }
      // Defence in depth: a release compiled before the compiler refused unsafe URLs may hold
      // any href. Read it as a browser does (tabs and line breaks dropped, leading controls and
      // spaces trimmed, scheme without case); only http:, https:, mailto: or relative survive.
      const bare = inline.href.replace(/[\t\n\r]/g, '');
      let start = 0;
      while (start < bare.length && bare.charCodeAt(start) <= 0x20) start++;
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(bare.slice(start))?.[1]?.toLowerCase();
      if (scheme !== undefined && scheme !== 'http' && scheme !== 'https' && scheme !== 'mailto') {
        return <span key={key}>{children}</span>;
      }
      if (inline.href.startsWith('#')) {
        return (
          <a key={key} href={inline.href} className={className} title={inline.title ?? undefined}>
            {children}
          </a>
        );
      }
      return (
        <a
          key={key}
          href={inline.href}
          className={className}
          title={inline.title ?? undefined}
          rel="noopener noreferrer"
        >
          {children}
        </a>
      );
    }
    default: {
      const unknown: never = inline;
      void unknown;
      return null;
    }
  }
}

/** Plain text of inline content (for TOC entries, labels and search). */
export function inlineText(inlines: Inline[]): string {
  let out = '';
  for (const inline of inlines) {
    switch (inline.type) {
      case 'text':
      case 'code':
        out += inline.value;
        break;
      case 'break':
        out += ' ';
        break;
      case 'image':
        out += inline.alt;
        break;
      case 'strong':
      case 'emphasis':
      case 'delete':
      case 'link':
        out += inlineText(inline.children);
        break;
    }
  }
  return out;
}
