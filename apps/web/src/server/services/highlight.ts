import type { Block } from '@lms/content/schema';
import type { HighlighterCore } from 'shiki/core';

/**
 * Static code blocks are highlighted on the server (shiki, github-light, Python) and sent as
 * HTML next to the block, so the page needs no highlighter in the browser. One highlighter
 * per process, created on first use (it costs ~100 ms); the JavaScript regex engine avoids
 * loading the oniguruma wasm.
 */
let highlighter: Promise<HighlighterCore> | undefined;

function getHighlighter(): Promise<HighlighterCore> {
  highlighter ??= (async () => {
    const [{ createHighlighterCore }, { createJavaScriptRegexEngine }, theme, python] =
      await Promise.all([
        import('shiki/core'),
        import('shiki/engine/javascript'),
        import('shiki/themes/github-light.mjs'),
        import('shiki/langs/python.mjs'),
      ]);
    return createHighlighterCore({
      themes: [theme.default],
      langs: [python.default],
      engine: createJavaScriptRegexEngine(),
    });
  })();
  return highlighter;
}

const PYTHON_LANGS = new Set(['python', 'py', 'python3']);

export function isHighlightable(lang: string | null): boolean {
  return lang !== null && PYTHON_LANGS.has(lang.toLowerCase());
}

export async function highlightPython(code: string): Promise<string> {
  const h = await getHighlighter();
  return h.codeToHtml(code, { lang: 'python', theme: 'github-light' });
}

/** A block as the page gets it: code blocks carry their highlighted HTML (null: render plain). */
export type RenderedBlock =
  | Exclude<Block, { kind: 'code' } | { kind: 'list' } | { kind: 'blockquote' }>
  | { kind: 'code'; lang: string | null; code: string; html: string | null }
  | { kind: 'list'; ordered: boolean; start: number | null; items: RenderedBlock[][] }
  | { kind: 'blockquote'; children: RenderedBlock[] };

export async function renderBlocks(blocks: Block[]): Promise<RenderedBlock[]> {
  return Promise.all(blocks.map(renderBlock));
}

async function renderBlock(block: Block): Promise<RenderedBlock> {
  switch (block.kind) {
    case 'code':
      return {
        ...block,
        html: isHighlightable(block.lang) ? await highlightPython(block.code) : null,
      };
    case 'list':
      return { ...block, items: await Promise.all(block.items.map(renderBlocks)) };
    case 'blockquote':
      return { ...block, children: await renderBlocks(block.children) };
    default:
      return block;
  }
}
