/** A block tree as chapter.get sends it: code blocks may carry the server's shiki HTML. */
type WithHtml = {
  kind: string;
  code?: string;
  html?: string | null;
  items?: WithHtml[][];
  children?: unknown;
};

/** code → highlighted HTML, for LessonBlocks' `highlighted` prop (a plain record: serialisable). */
export function highlightMap(
  blocks: readonly WithHtml[],
  into: Record<string, string> = {},
): Record<string, string> {
  for (const b of blocks) {
    if (b.kind === 'code' && typeof b.code === 'string' && b.html) into[b.code] = b.html;
    else if (b.kind === 'list' && b.items) for (const item of b.items) highlightMap(item, into);
    else if (b.kind === 'blockquote' && Array.isArray(b.children))
      highlightMap(b.children as WithHtml[], into);
  }
  return into;
}
