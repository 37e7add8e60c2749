import type { Block } from '@lms/content/schema';
import { cn, focusRing } from './cn.ts';
import { inlineText } from './LessonBlocks.tsx';
import { resolveMessages, type UiMessages } from './messages.ts';

export interface HeadingEntry {
  id: string;
  level: number;
  text: string;
}

/**
 * Headings with ids, in document order (also inside blockquotes and lists), limited to
 * `levels` (default h2 and h3: the title is the page's own h1).
 */
export function collectHeadings(blocks: Block[], levels: number[] = [2, 3]): HeadingEntry[] {
  const out: HeadingEntry[] = [];
  const walk = (list: Block[]) => {
    for (const block of list) {
      if (block.kind === 'heading') {
        if (block.id && levels.includes(block.level)) {
          out.push({ id: block.id, level: block.level, text: inlineText(block.children).trim() });
        }
      } else if (block.kind === 'blockquote') {
        walk(block.children);
      } else if (block.kind === 'list') {
        for (const item of block.items) walk(item);
      }
    }
  };
  walk(blocks);
  return out;
}

interface TocNode {
  entry: HeadingEntry;
  children: TocNode[];
}

/** Nests each heading under the closest preceding heading of a lower level. */
function nest(headings: HeadingEntry[]): TocNode[] {
  const roots: TocNode[] = [];
  const stack: TocNode[] = [];
  for (const entry of headings) {
    const node: TocNode = { entry, children: [] };
    while (stack.length && stack[stack.length - 1]!.entry.level >= entry.level) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else roots.push(node);
    stack.push(node);
  }
  return roots;
}

export interface TableOfContentsProps {
  headings: HeadingEntry[];
  /** id of the section in view: marked with aria-current="location" */
  activeId?: string | null;
  /** shown as the nav's heading; set `title={null}` to hide it (the nav keeps its label) */
  title?: string | null;
  messages?: Partial<UiMessages>;
  className?: string;
}

export function TableOfContents({
  headings,
  activeId,
  title,
  messages,
  className,
}: TableOfContentsProps) {
  const m = resolveMessages(messages);
  if (headings.length === 0) return null;
  const label = title ?? m.tableOfContents;
  const renderList = (nodes: TocNode[], depth: number) => (
    <ol className={cn('space-y-1', depth > 0 && 'mt-1 ml-3 border-l border-slate-200 pl-3')}>
      {nodes.map((node) => {
        const active = node.entry.id === activeId;
        return (
          <li key={node.entry.id}>
            <a
              href={`#${node.entry.id}`}
              aria-current={active ? 'location' : undefined}
              className={cn(
                'block rounded px-1 py-0.5 text-sm hover:text-sky-700',
                active ? 'font-semibold text-sky-800' : 'text-slate-700',
                focusRing,
              )}
            >
              {node.entry.text}
            </a>
            {node.children.length ? renderList(node.children, depth + 1) : null}
          </li>
        );
      })}
    </ol>
  );
  return (
    <nav aria-label={label} className={cn('text-slate-800', className)}>
      {title === null ? null : (
        <p className="mb-2 text-xs font-semibold tracking-wide text-slate-600 uppercase">{label}</p>
      )}
      {renderList(nest(headings), 0)}
    </nav>
  );
}
