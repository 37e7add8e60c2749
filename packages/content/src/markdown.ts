import type {
  Definition,
  Heading,
  List,
  ListItem,
  Nodes,
  Paragraph,
  PhrasingContent,
  Root,
  RootContent,
  Text,
} from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import { type Attributes, parseFenceInfo, splitTrailingAttributes } from './attrs.ts';
import type { Block, Inline } from './schema.ts';
import { SlugRegistry, slugify } from './slug.ts';
import type { SourceText } from './source.ts';

const micromarkExtensions = [gfm()];
const mdastExtensions = [gfmFromMarkdown()];

export function parseMarkdown(text: string): Root {
  return fromMarkdown(text, { extensions: micromarkExtensions, mdastExtensions });
}

export interface FoundAttributes {
  attrs: Attributes;
  line: number;
  column: number;
}

/** Deeper lists/quotes/emphasis are cut off (and reported): keeps recursion, zod and renderers safe. */
export const MAX_DEPTH = 32;

const INTERNAL_LINK = /^\/courses\/([^/#?\s]+)\/chapters\/([^/#?\s]+)\/?(?:#(\S*))?$/;

/** Converts mdast to our block/inline model; trailing attribute blocks are split off. */
export class BlockConverter {
  readonly slugs = new SlugRegistry();
  private readonly definitions = new Map<string, Definition>();

  constructor(
    private readonly source: SourceText,
    root: Root,
    /** reports a problem found while converting (nested attributes, nesting too deep) */
    private readonly report: (line: number, column: number, message: string) => void = () => {},
  ) {
    // iterative: a hostile text may nest thousands of levels deep
    const stack: Nodes[] = [root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.type === 'definition') this.definitions.set(node.identifier, node);
      if ('children' in node) for (const child of node.children) stack.push(child as Nodes);
    }
  }

  private tooDeepReported = false;

  private nestedAttributes(found: FoundAttributes) {
    this.report(
      found.line,
      found.column,
      `attribute block {${describeAttributes(found.attrs)}} inside a list item or quote has no effect: ` +
        'attributes go at the end of a top-level paragraph, heading or fence, or of the last item of a list',
    );
  }

  private tooDeep(node: { position?: { start: { line: number; column: number } } }) {
    if (this.tooDeepReported) return;
    this.tooDeepReported = true;
    this.report(
      node.position?.start.line ?? 1,
      node.position?.start.column ?? 1,
      `lists, quotes or emphasis nested deeper than ${MAX_DEPTH} levels: flatten the structure`,
    );
  }

  /**
   * Strips a trailing `{...}` from the last text of a paragraph or heading (mutating a
   * shallow copy of its children) and says where the brace group starts in the source.
   */
  takeTrailingAttributes(node: Paragraph | Heading): {
    children: PhrasingContent[];
    found: FoundAttributes | null;
  } {
    const children = [...node.children];
    const last = children.at(-1);
    if (last?.type !== 'text') return { children, found: null };
    const split = splitTrailingAttributes(last.value);
    if (!split) return { children, found: null };
    const rest = split.rest.replace(/\s+$/, '');
    if (rest === '') children.pop();
    else children[children.length - 1] = { ...last, value: rest } satisfies Text;
    let line = node.position?.start.line ?? 1;
    let column = node.position?.start.column ?? 1;
    const end = last.position?.end.offset;
    if (end !== undefined) {
      const brace = this.source.text.lastIndexOf('{', end);
      if (brace >= 0) ({ line, column } = this.source.position(brace));
    }
    return { children, found: { attrs: split.attrs, line, column } };
  }

  /**
   * A list whose last item ends in an attribute block: the attributes belong to the
   * whole list (the statement of the seed's first task is written this way).
   */
  takeListAttributes(list: List): { list: List; found: FoundAttributes | null } {
    const lastItem = list.children.at(-1);
    const lastPara = lastItem?.children.at(-1);
    if (!lastItem || !lastPara || lastPara.type !== 'paragraph') return { list, found: null };
    const { children, found } = this.takeTrailingAttributes(lastPara);
    if (!found) return { list, found: null };
    const item: ListItem = {
      ...lastItem,
      children: [...lastItem.children.slice(0, -1), { ...lastPara, children }],
    };
    return { list: { ...list, children: [...list.children.slice(0, -1), item] }, found };
  }

  heading(node: Heading, explicitId: string | null, children: PhrasingContent[]): Block {
    const inlines = this.inlines(children);
    const id = this.slugs.claim(explicitId ?? slugify(plainText(inlines)));
    return { kind: 'heading', level: node.depth, id, children: inlines };
  }

  /** Converts one node to blocks (zero or one, except containers that flatten). */
  block(node: RootContent, nested: boolean, depth = 0): Block[] {
    if (depth > MAX_DEPTH) {
      this.tooDeep(node);
      return [];
    }
    const sub = (c: RootContent) => this.block(c, true, depth + 1);
    switch (node.type) {
      case 'heading': {
        const { children, found } = this.takeTrailingAttributes(node);
        if (found && nested && found.attrs.classes.length > 0) this.nestedAttributes(found);
        return [this.heading(node, found?.attrs.id ?? null, children)];
      }
      case 'paragraph': {
        const { children, found } = this.takeTrailingAttributes(node);
        if (found && nested && found.attrs.classes.length > 0) this.nestedAttributes(found);
        if (children.length === 0) return [];
        return [{ kind: 'paragraph', children: this.inlines(children) }];
      }
      case 'list':
        return [
          {
            kind: 'list',
            ordered: node.ordered === true,
            start: node.ordered ? (node.start ?? 1) : null,
            items: node.children.map((item) => item.children.flatMap(sub)),
          },
        ];
      case 'code': {
        if (nested) {
          const info = parseFenceInfo([node.lang, node.meta].filter(Boolean).join(' '));
          if (info.attrs && info.attrs.classes.length > 0) {
            this.nestedAttributes({
              attrs: info.attrs,
              line: node.position?.start.line ?? 1,
              column: node.position?.start.column ?? 1,
            });
          }
        }
        return [{ kind: 'code', lang: codeLang(node.lang), code: node.value }];
      }
      case 'blockquote':
        return [{ kind: 'blockquote', children: node.children.flatMap(sub) }];
      case 'thematicBreak':
        return [{ kind: 'thematicBreak' }];
      case 'table': {
        const [head, ...rows] = node.children;
        return [
          {
            kind: 'table',
            align: (node.align ?? []).map((a) => a ?? null),
            header: head ? head.children.map((cell) => this.inlines(cell.children)) : [],
            rows: rows.map((row) => row.children.map((cell) => this.inlines(cell.children))),
          },
        ];
      }
      case 'html':
        // Raw HTML is shown as text, never injected.
        return [{ kind: 'paragraph', children: [{ type: 'text', value: node.value }] }];
      case 'footnoteDefinition':
        return node.children.flatMap(sub);
      case 'listItem':
        return node.children.flatMap(sub);
      default:
        // definitions (used through references), yaml and anything unknown render nothing
        return [];
    }
  }

  inlines(nodes: PhrasingContent[], depth = 0): Inline[] {
    const out: Inline[] = [];
    for (const node of nodes) {
      if (depth > MAX_DEPTH) {
        this.tooDeep(node);
        break;
      }
      const inline = this.inline(node, depth);
      if (!inline) continue;
      const prev = out.at(-1);
      if (inline.type === 'text' && prev?.type === 'text') prev.value += inline.value;
      else out.push(inline);
    }
    return out;
  }

  private readonly refusedUrls = new Set<string>();

  /** Whether a link or image may keep its URL (`safeUrl`); a refused one is reported once. */
  private urlAllowed(
    url: string,
    kind: UrlKind,
    node: { position?: { start: { line: number; column: number } } },
  ): boolean {
    if (safeUrl(url, kind)) return true;
    const line = node.position?.start.line ?? 1;
    const column = node.position?.start.column ?? 1;
    const key = `${line}:${column}`;
    if (!this.refusedUrls.has(key)) {
      this.refusedUrls.add(key);
      this.report(
        line,
        column,
        `${kind} URL ${JSON.stringify(url)} is not allowed, shown as text: ` +
          (kind === 'link'
            ? 'links may be http:, https:, mailto: or relative'
            : 'images may be http:, https: or relative'),
      );
    }
    return false;
  }

  private inline(node: PhrasingContent, depth: number): Inline | null {
    const kids = (children: PhrasingContent[]) => this.inlines(children, depth + 1);
    switch (node.type) {
      case 'text':
        return { type: 'text', value: node.value };
      case 'inlineCode':
        return { type: 'code', value: node.value };
      case 'strong':
        return { type: 'strong', children: kids(node.children) };
      case 'emphasis':
        return { type: 'emphasis', children: kids(node.children) };
      case 'delete':
        return { type: 'delete', children: kids(node.children) };
      case 'break':
        return { type: 'break' };
      case 'html':
        return { type: 'text', value: node.value };
      case 'image':
        if (!this.urlAllowed(node.url, 'image', node))
          return { type: 'text', value: node.alt ?? '' };
        return { type: 'image', src: node.url, alt: node.alt ?? '', title: node.title ?? null };
      case 'imageReference': {
        const def = this.definitions.get(node.identifier);
        if (!def || !this.urlAllowed(def.url, 'image', node)) {
          return { type: 'text', value: node.alt ?? '' };
        }
        return { type: 'image', src: def.url, alt: node.alt ?? '', title: def.title ?? null };
      }
      case 'link': {
        const children = kids(node.children);
        if (!this.urlAllowed(node.url, 'link', node)) {
          return { type: 'text', value: plainText(children) };
        }
        return link(node.url, node.title ?? null, children);
      }
      case 'linkReference': {
        const def = this.definitions.get(node.identifier);
        const children = kids(node.children);
        if (!def || !this.urlAllowed(def.url, 'link', node)) {
          return { type: 'text', value: plainText(children) };
        }
        return link(def.url, def.title ?? null, children);
      }
      case 'footnoteReference':
        return { type: 'text', value: `[^${node.label ?? node.identifier}]` };
      default:
        return null;
    }
  }
}

export type UrlKind = 'link' | 'image';

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
const ALLOWED_SCHEMES: Record<UrlKind, ReadonlySet<string>> = {
  link: new Set(['http', 'https', 'mailto']),
  image: new Set(['http', 'https']),
};

/**
 * Whether a link (http:, https:, mailto:, relative) or an image (http:, https:, relative) URL
 * may reach the page. The URL is read the way a browser reads it (WHATWG URL): tabs and line
 * breaks anywhere are dropped, leading and trailing control characters and spaces trimmed, the
 * scheme compared without case. Character references (`&#106;avascript:`) are already decoded
 * by the parser. So `JAVASCRIPT:`, ` javascript:` and `java\tscript:` are all refused;
 * anything without a scheme (`/x`, `#x`, `?x`, `./x`, `../x`, `x/y:z`) is relative.
 */
export function safeUrl(url: string, kind: UrlKind): boolean {
  const noBreaks = url.replace(/[\t\n\r]/g, '');
  // trim C0 controls and spaces (code points up to U+0020) from both ends
  let start = 0;
  let end = noBreaks.length;
  while (start < end && noBreaks.charCodeAt(start) <= 0x20) start++;
  while (end > start && noBreaks.charCodeAt(end - 1) <= 0x20) end--;
  const scheme = SCHEME.exec(noBreaks.slice(start, end))?.[1];
  return scheme === undefined || ALLOWED_SCHEMES[kind].has(scheme.toLowerCase());
}

function link(href: string, title: string | null, children: Inline[]): Inline {
  const m = INTERNAL_LINK.exec(href);
  const internal = m
    ? { course: m[1]!, chapter: m[2]!, anchor: m[3] ? decodeSafe(m[3]) : null }
    : null;
  return { type: 'link', href, title, children, internal };
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function codeLang(lang: string | null | undefined): string | null {
  if (!lang) return null;
  const word = lang.trim().split(/\s|\{/)[0];
  return word ? word : null;
}

export function plainText(inlines: Inline[]): string {
  let out = '';
  for (const i of inlines) {
    if (i.type === 'text' || i.type === 'code') out += i.value;
    else if (i.type === 'image') out += i.alt;
    else if ('children' in i) out += plainText(i.children);
  }
  return out;
}

export function describeAttributes(attrs: Attributes): string {
  return [...attrs.classes.map((c) => `.${c}`), ...(attrs.id ? [`#${attrs.id}`] : [])].join(' ');
}
