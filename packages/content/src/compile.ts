/** Compiles one chapter's markdown to a Chapter; classifies its blocks (tasks: compile-task.ts). */
import type { Code, List, Root, RootContent } from 'mdast';
import { parseFenceInfo } from './attrs.ts';
import { buildTask, isOutputFence, planTasks } from './compile-task.ts';
import type {
  CompileChapterOptions,
  CompileChapterResult,
  Item,
  Report,
  Role,
} from './compile-types.ts';
import { sha256, stableStringify } from './hash.ts';
import {
  BlockConverter,
  describeAttributes,
  type FoundAttributes,
  parseMarkdown,
  plainText,
} from './markdown.ts';
import {
  type Block,
  type Chapter,
  type ContentError,
  type ContentWarning,
  chapterSchema,
  type Example,
  type Task,
} from './schema.ts';
import { SourceText } from './source.ts';

export { parseTaskJson } from './compile-task.ts';
export type { CompileChapterOptions, CompileChapterResult, TaskFiles } from './compile-types.ts';

/** Classes of the dialect (ARCHITECTURE.md, "Content format"). */
export const KNOWN_CLASSES = [
  'example_for_playground',
  'task_text',
  'task_source',
  'run_static_type_checker',
  'task_hint',
  'task_answer',
  'illustration',
] as const;
const PLAYGROUND_VARIANT = /^example_for_playground_(\w+)$/;

/** The language whose examples and programs the grader runs. */
export const RUNNABLE_LANGUAGE = 'python';
const PYTHON_FENCES = new Set(['python', 'py', 'python3', 'py3']);

export function compileChapter(text: string, options: CompileChapterOptions): CompileChapterResult {
  const errors: ContentError[] = [];
  const warnings: ContentWarning[] = [];
  const file = options.file ?? `${options.chapterId}/text.md`;
  try {
    return compileChapterUnsafe(text, options, file, errors, warnings);
  } catch (err) {
    // Nothing a chapter contains may crash the compiler; if it does, it is our bug, except
    // for a text nested so deeply (thousands of > or list levels) that the parser overflows.
    const message =
      err instanceof RangeError && /call stack/i.test(err.message)
        ? 'the text is nested too deeply to parse (thousands of quote or list levels): flatten it'
        : `internal compiler error (please report it): ${(err as Error)?.message ?? String(err)}`;
    errors.push({ file, line: 1, column: 1, message });
    return { chapter: null, errors, warnings: sortDiagnostics(warnings) };
  }
}

function compileChapterUnsafe(
  text: string,
  options: CompileChapterOptions,
  file: string,
  errors: ContentError[],
  warnings: ContentWarning[],
): CompileChapterResult {
  const { chapterId, courseId } = options;
  const language = options.language ?? RUNNABLE_LANGUAGE;
  const source = new SourceText(text);
  const warn: Report = (line, column, message) => warnings.push({ file, line, column, message });
  const fail: Report = (line, column, message) => errors.push({ file, line, column, message });
  const root: Root = parseMarkdown(text);

  checkFences(root, source, warn);

  const converter = new BlockConverter(source, root, warn);
  const items = root.children.map((node) => classify(node, source, converter, warn));
  const plans = planTasks(items, warn);

  const blocks: Block[] = [];
  const examples: Example[] = [];
  const tasks: Task[] = [];
  const taskIds = new Set<string>();
  let title: string | null = null;
  let anyHeading: string | null = null;

  /** Converts items[i] (an example takes its output fence along) into `out`; returns the next index. */
  const convert = (i: number, limit: number, out: Block[]): number => {
    const item = items[i]!;
    const node = item.stripped;
    if (item.role === 'example' && node.type === 'code') {
      const next = i + 1 < limit ? items[i + 1] : undefined;
      let expectedOutput: string | null = null;
      if (next && isOutputFence(next)) expectedOutput = (next.node as Code).value;
      const variant = item.attrs?.classes.map((c) => PLAYGROUND_VARIANT.exec(c)?.[1]).find(Boolean);
      const exampleId = `${chapterId}_example_${String(examples.length + 1).padStart(2, '0')}`;
      const lang = item.lang ?? language;
      examples.push({
        id: exampleId,
        lang,
        code: node.value,
        runnable: isRunnable(lang, language),
        expectedOutput,
        playgroundVariant: variant ?? null,
        source: { file, line: item.line, column: item.column },
      });
      out.push({ kind: 'example', exampleId });
      return expectedOutput === null ? i + 1 : i + 2;
    }
    if (node.type === 'heading') {
      const b = converter.heading(node, item.attrs?.id ?? null, node.children);
      if (b.kind === 'heading') {
        const plain = plainText(b.children).trim();
        if (title === null && node.depth === 1) title = plain;
        anyHeading ??= plain;
      }
      out.push(b);
      return i + 1;
    }
    if (node.type === 'code') {
      // An unlabelled fence after an ordinary fence is its printed output: two code blocks.
      out.push({ kind: 'code', lang: item.lang, code: node.value });
      return i + 1;
    }
    const converted = converter.block(node, false);
    for (const b of converted) {
      out.push(
        item.role === 'illustration' && b.kind === 'paragraph'
          ? { kind: 'illustration', children: b.children }
          : b,
      );
    }
    return i + 1;
  };
  const convertRange = (from: number, to: number): Block[] => {
    const out: Block[] = [];
    for (let i = from; i < to; ) i = convert(i, to, out);
    return out;
  };

  const planAt = new Map(plans.map((p) => [p.start, p]));
  let ordinal = 0;
  let i = 0;
  while (i < items.length) {
    const plan = planAt.get(i);
    if (plan) {
      ordinal++;
      const statement = convertRange(plan.start, plan.source);
      const task = buildTask({
        plan,
        items,
        ordinal,
        statement,
        hint: plan.hints.flatMap((h) => convertRange(h, h + 1)),
        exampleCode: (id) => examples.find((e) => e.id === id)?.code ?? null,
        options,
        file,
        warn,
        fail,
        pushWarning: (w) => warnings.push(w),
        taskIds,
      });
      if (task) {
        tasks.push(task);
        blocks.push({ kind: 'task', taskId: task.id });
      } else {
        // an unusable task: its statement is still text of the chapter
        blocks.push(...statement);
      }
      i = plan.end;
      continue;
    }
    const item = items[i]!;
    switch (item.role) {
      case 'text': {
        if (items[i - 1]?.role !== 'text') {
          warn(
            item.line,
            item.column,
            'task statement ({.task_text}) without a task_source fence after it (before the next heading, ' +
              'task or hint): shown as ordinary text. Add ```python {.task_source #<task id>} after the statement',
          );
        }
        i = convert(i, items.length, blocks);
        break;
      }
      case 'hint':
        warn(
          item.line,
          item.column,
          '{.task_hint} out of order: a hint goes right after its task_source fence (order: text, source, hint, answer); shown as ordinary text',
        );
        i = convert(i, items.length, blocks);
        break;
      case 'answer':
        warn(
          item.line,
          item.column,
          '{.task_answer} out of order: the answer fence goes right after the hint of its task (order: text, source, hint, answer); left out of the chapter',
        );
        i++;
        break;
      default:
        i = convert(i, items.length, blocks);
    }
  }

  if (title === null) {
    warn(
      1,
      1,
      `the chapter has no title: start it with a level-1 heading, e.g. "# Глава 1. Введение" (using ${anyHeading === null ? 'the chapter id' : 'its first heading'})`,
    );
  }

  const numberMatch = /_chapter_(\d+)$/.exec(chapterId);
  const withoutHash = {
    id: chapterId,
    courseId,
    number: numberMatch ? Number(numberMatch[1]) : 0,
    title: title ?? anyHeading ?? chapterId,
    blocks,
    examples,
    tasks,
    sourceFile: file,
  };
  const chapter: Chapter = { ...withoutHash, hash: sha256(stableStringify(withoutHash)) };
  const parsed = chapterSchema.safeParse(chapter);
  if (!parsed.success) {
    fail(1, 1, `internal compiler error (please report it): ${parsed.error.message}`);
    return { chapter: null, errors: sortDiagnostics(errors), warnings: sortDiagnostics(warnings) };
  }
  return { chapter, errors: sortDiagnostics(errors), warnings: sortDiagnostics(warnings) };
}

/** Can the grader run an example written in `lang` in a course of `courseLanguage`? */
export function isRunnable(lang: string, courseLanguage: string): boolean {
  return courseLanguage === RUNNABLE_LANGUAGE && PYTHON_FENCES.has(lang.toLowerCase());
}

export function sortDiagnostics<T extends ContentError>(list: T[]): T[] {
  return list.sort((a, b) =>
    a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.line - b.line || a.column - b.column,
  );
}

function classify(
  node: RootContent,
  source: SourceText,
  converter: BlockConverter,
  warn: Report,
): Item {
  const line = node.position?.start.line ?? 1;
  const column = node.position?.start.column ?? 1;
  let stripped: RootContent = node;
  let found: FoundAttributes | null = null;
  let lang: string | null = null;
  if (node.type === 'paragraph' || node.type === 'heading') {
    const r = converter.takeTrailingAttributes(node);
    stripped = { ...node, children: r.children } as RootContent;
    found = r.found;
  } else if (node.type === 'list') {
    const r = converter.takeListAttributes(node as List);
    stripped = r.list;
    found = r.found;
  } else if (node.type === 'code') {
    const info = [node.lang, node.meta].filter(Boolean).join(' ');
    const parsed = parseFenceInfo(info);
    lang = parsed.lang;
    if (parsed.attrs) found = { attrs: parsed.attrs, line, column };
    if (parsed.malformed) {
      warn(
        line,
        column,
        `cannot read the attribute block in the fence info "${info}" (shown as an ordinary code block): write it as {.class #id}, e.g. \`\`\`python {.task_source #<task id>}`,
      );
    }
  }
  const attrs = found?.attrs ?? null;
  const at = found ? { line: found.line, column: found.column } : { line, column };
  const roles = new Set<Role>();
  for (const cls of attrs?.classes ?? []) {
    const role = roleOf(cls);
    if (role === null) {
      warn(
        at.line,
        at.column,
        `unknown class .${cls} (ignored): the dialect knows ${KNOWN_CLASSES.map((c) => `.${c}`).join(', ')} and .example_for_playground_NNN`,
      );
    } else if (role !== 'plain') roles.add(role);
  }
  let role: Role = 'plain';
  if (roles.size > 1) {
    warn(
      at.line,
      at.column,
      `conflicting classes {${describeAttributes(attrs!)}}: a block takes one of them; shown as an ordinary block`,
    );
  } else if (roles.size === 1) {
    role = [...roles][0]!;
  }
  if ((role === 'example' || role === 'source' || role === 'answer') && node.type !== 'code') {
    warn(
      at.line,
      at.column,
      `.${classOfRole(role)} belongs on a code fence, not on a ${node.type}; shown as an ordinary block`,
    );
    role = 'plain';
  }
  const fenced = node.type === 'code' && /^(`{3,}|~{3,})/.test(source.line(line).slice(column - 1));
  return { node, stripped, attrs, role, line, column, lang, fenced };
}

function roleOf(cls: string): Role | null {
  switch (cls) {
    case 'example_for_playground':
      return 'example';
    case 'task_text':
      return 'text';
    case 'task_source':
      return 'source';
    case 'task_hint':
      return 'hint';
    case 'task_answer':
      return 'answer';
    case 'illustration':
      return 'illustration';
    case 'run_static_type_checker':
      return 'plain';
    default:
      return PLAYGROUND_VARIANT.test(cls) ? 'example' : null;
  }
}

function classOfRole(role: Role): string {
  return role === 'example'
    ? 'example_for_playground'
    : role === 'source'
      ? 'task_source'
      : 'task_answer';
}

/** Fences micromark closed at the end of the document or container: the author forgot the closing ```. */
function checkFences(root: Root, source: SourceText, warn: Report) {
  type AnyNode = { type: string; children?: unknown[]; position?: Code['position'] };
  // iterative: a hostile text may nest thousands of levels deep
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'code' && node.position) {
      const { start, end } = node.position;
      const opener = source.line(start.line).slice(start.column - 1);
      const fence = /^(`{3,}|~{3,})/.exec(opener);
      if (fence) {
        const ch = fence[1]![0]!;
        const closer = source
          .line(end.line)
          .replace(/^[\s>]*/, '')
          .trimEnd();
        const closed =
          end.line > start.line &&
          closer.length >= fence[1]!.length &&
          [...closer].every((c) => c === ch);
        if (!closed) {
          warn(
            start.line,
            start.column,
            `unclosed code fence (it runs to the end of its block): add a line ${fence[1]} to close the fence opened here`,
          );
        }
      }
    }
    if (Array.isArray(node.children)) for (const c of node.children) stack.push(c as AnyNode);
  }
}
