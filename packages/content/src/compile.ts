import type { Code, List, Root, RootContent } from 'mdast';
import { z } from 'zod';
import { type Attributes, parseFenceInfo } from './attrs.ts';
import { sha256, stableStringify } from './hash.ts';
import { BlockConverter, type FoundAttributes, parseMarkdown, plainText } from './markdown.ts';
import {
  type Block,
  type Chapter,
  type ContentError,
  chapterSchema,
  DEFAULT_LIMITS,
  type Example,
  type Limits,
  limitsSchema,
  type Task,
  type TaskChecks,
} from './schema.ts';
import { SourceText } from './source.ts';

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

/** The files of one task directory, as read from disk (null = absent). */
export interface TaskFiles {
  testsPublic: string | null;
  testsHidden: string | null;
  wrapperTest: string | null;
  taskJson: string | null;
}

export interface CompileChapterOptions {
  courseId: string;
  chapterId: string;
  /** path shown in errors, relative to the course directory */
  file?: string;
  /**
   * Reads a task's check files. When given, a program task without checks is an error
   * ("missing checks"); when omitted (a text compiled in memory) checks are left empty.
   */
  loadTaskFiles?: (taskId: string) => TaskFiles;
  /** the task directory as shown in errors about its files */
  taskDirLabel?: (taskId: string) => string;
}

export interface CompileChapterResult {
  chapter: Chapter | null;
  errors: ContentError[];
}

type Role = 'text' | 'source' | 'hint' | 'answer' | 'example' | 'illustration' | 'plain';

/** A top-level node with its attribute block, if any, already split off. */
interface Item {
  node: RootContent;
  /** node with the attribute block removed (paragraph/heading/list) */
  stripped: RootContent;
  attrs: Attributes | null;
  attrsAt: { line: number; column: number } | null;
  role: Role;
  line: number;
  column: number;
  /** for code nodes: language without the attribute block */
  lang: string | null;
  /** for code nodes: written with ``` or ~~~ (not indented) */
  fenced: boolean;
}

const taskJsonSchema = z
  .object({
    limits: z
      .object({
        wallSeconds: z.number().positive().max(600),
        cpuSeconds: z.number().positive().max(600),
        memoryMb: z.number().int().positive().max(16384),
      })
      .partial()
      .strict()
      .optional(),
  })
  .strict();

export function compileChapter(text: string, options: CompileChapterOptions): CompileChapterResult {
  const errors: ContentError[] = [];
  const file = options.file ?? `${options.chapterId}/text.md`;
  try {
    return compileChapterUnsafe(text, options, file, errors);
  } catch (err) {
    // Nothing a chapter contains may crash the compiler; if it does, it is our bug, except
    // for a text nested so deeply (thousands of > or list levels) that the parser overflows.
    const message =
      err instanceof RangeError && /call stack/i.test(err.message)
        ? 'the text is nested too deeply to parse (thousands of quote or list levels): flatten it'
        : `internal compiler error (please report it): ${(err as Error)?.message ?? String(err)}`;
    errors.push({ file, line: 1, column: 1, message });
    return { chapter: null, errors };
  }
}

function compileChapterUnsafe(
  text: string,
  options: CompileChapterOptions,
  file: string,
  errors: ContentError[],
): CompileChapterResult {
  const { chapterId, courseId } = options;
  const source = new SourceText(text);
  const err = (line: number, column: number, message: string) =>
    errors.push({ file, line, column, message });
  const root: Root = parseMarkdown(text);

  checkFences(root, source, err);

  const converter = new BlockConverter(source, root, err);

  const items = root.children.map((node) => classify(node, source, converter, err));

  const blocks: Block[] = [];
  const examples: Example[] = [];
  const tasks: Task[] = [];
  const taskIds = new Set<string>();
  let title: string | null = null;

  const toBlocks = (item: Item): Block[] => {
    if (item.stripped.type === 'heading') {
      const b = converter.heading(item.stripped, item.attrs?.id ?? null, item.stripped.children);
      if (title === null && item.stripped.depth === 1 && b.kind === 'heading') {
        title = plainText(b.children).trim();
      }
      return [b];
    }
    if (item.stripped.type === 'code') {
      return [{ kind: 'code', lang: item.lang, code: item.stripped.value }];
    }
    return converter.block(item.stripped, false);
  };

  let i = 0;
  while (i < items.length) {
    const item = items[i]!;
    switch (item.role) {
      case 'example': {
        const code = item.node as Code;
        const next = items[i + 1];
        let expectedOutput: string | null = null;
        if (next && isOutputFence(next)) {
          expectedOutput = (next.node as Code).value;
          i++;
        }
        const variant = item.attrs?.classes
          .map((c) => PLAYGROUND_VARIANT.exec(c)?.[1])
          .find(Boolean);
        const exampleId = `${chapterId}_example_${String(examples.length + 1).padStart(2, '0')}`;
        examples.push({
          id: exampleId,
          lang: item.lang ?? 'python',
          code: code.value,
          expectedOutput,
          playgroundVariant: variant ?? null,
          source: { file, line: item.line, column: item.column },
        });
        blocks.push({ kind: 'example', exampleId });
        i++;
        break;
      }
      case 'text':
      case 'source': {
        const statement: Item[] = [];
        while (items[i]?.role === 'text') statement.push(items[i++]!);
        const sourceItem = items[i]?.role === 'source' ? items[i++]! : null;
        if (!sourceItem) {
          const first = statement[0]!;
          err(
            first.line,
            first.column,
            'task statement ({.task_text}) is not followed by its source fence: ' +
              'add ```python {.task_source #<task id>} with the starter code right after the statement',
          );
          for (const s of statement) blocks.push(...toBlocks(s));
          break;
        }
        if (statement.length === 0) {
          err(
            sourceItem.line,
            sourceItem.column,
            'task_source fence without a statement: put the task text before it, ending its blocks with {.task_text}',
          );
        }
        const hints: Item[] = [];
        while (items[i]?.role === 'hint') hints.push(items[i++]!);
        const answerItem = items[i]?.role === 'answer' ? items[i++]! : null;
        const task = buildTask({
          statement,
          sourceItem,
          hints,
          answerItem,
          nextItem: items[i] ?? null,
          toBlocks,
          options,
          file,
          err,
          pushError: (e) => errors.push(e),
          taskIds,
        });
        if (task) {
          tasks.push(task);
          blocks.push({ kind: 'task', taskId: task.id });
        } else {
          for (const s of statement) blocks.push(...toBlocks(s));
        }
        break;
      }
      case 'hint':
        err(
          item.line,
          item.column,
          '{.task_hint} out of order: a hint goes right after its task_source fence (order: text, source, hint, answer)',
        );
        blocks.push(...toBlocks(item));
        i++;
        break;
      case 'answer':
        err(
          item.line,
          item.column,
          '{.task_answer} out of order: the answer fence goes right after the hint of its task (order: text, source, hint, answer)',
        );
        i++;
        break;
      case 'illustration': {
        const converted = toBlocks(item);
        for (const b of converted) {
          blocks.push(b.kind === 'paragraph' ? { kind: 'illustration', children: b.children } : b);
        }
        i++;
        break;
      }
      default: {
        const prev = items[i - 1];
        if (
          prev &&
          prev.node.type === 'code' &&
          isOutputFence(item) &&
          item.line === (prev.node.position?.end.line ?? -2) + 1
        ) {
          err(
            item.line,
            item.column,
            'expected-output fence with no example: an unlabelled fence right after another fence is read as ' +
              'expected output, but the fence above is not {.example_for_playground}. Mark that fence as an ' +
              'example, or separate the two fences with text, or give this one a language',
          );
        }
        blocks.push(...toBlocks(item));
        i++;
      }
    }
  }

  if (title === null) {
    err(
      1,
      1,
      'the chapter has no title: start it with a level-1 heading, e.g. "# Глава 1. Введение"',
    );
  }
  if (errors.length > 0) {
    errors.sort((a, b) =>
      a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.line - b.line || a.column - b.column,
    );
    return { chapter: null, errors };
  }

  const numberMatch = /_chapter_(\d+)$/.exec(chapterId);
  const withoutHash = {
    id: chapterId,
    courseId,
    number: numberMatch ? Number(numberMatch[1]) : 0,
    title: title ?? '',
    blocks,
    examples,
    tasks,
    sourceFile: file,
  };
  const chapter: Chapter = { ...withoutHash, hash: sha256(stableStringify(withoutHash)) };
  const parsed = chapterSchema.safeParse(chapter);
  if (!parsed.success) {
    err(1, 1, `internal compiler error (please report it): ${parsed.error.message}`);
    return { chapter: null, errors };
  }
  return { chapter, errors };
}

/** An unlabelled fenced block (not an indented one) without attributes. */
function isOutputFence(item: Item): boolean {
  return item.node.type === 'code' && item.fenced && item.lang === null && item.attrs === null;
}

function describe(attrs: Attributes): string {
  return [...attrs.classes.map((c) => `.${c}`), ...(attrs.id ? [`#${attrs.id}`] : [])].join(' ');
}

function classify(
  node: RootContent,
  source: SourceText,
  converter: BlockConverter,
  err: (line: number, column: number, message: string) => void,
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
      err(
        line,
        column,
        `cannot read the attribute block in the fence info "${info}": write it as {.class #id}, e.g. \`\`\`python {.task_source #<task id>}`,
      );
    }
  }
  const attrs = found?.attrs ?? null;
  const at = found ? { line: found.line, column: found.column } : null;
  const roles = new Set<Role>();
  for (const cls of attrs?.classes ?? []) {
    const role = roleOf(cls);
    if (role === null) {
      err(
        at!.line,
        at!.column,
        `unknown class .${cls}: the dialect knows ${KNOWN_CLASSES.map((c) => `.${c}`).join(', ')} and .example_for_playground_NNN`,
      );
    } else if (role !== 'plain') roles.add(role);
  }
  let role: Role = 'plain';
  if (roles.size > 1) {
    err(
      at!.line,
      at!.column,
      `conflicting classes {${describe(attrs!)}}: a block takes one of them`,
    );
  } else if (roles.size === 1) {
    role = [...roles][0]!;
  }
  if ((role === 'example' || role === 'source' || role === 'answer') && node.type !== 'code') {
    err(
      at!.line,
      at!.column,
      `.${classOfRole(role)} belongs on a code fence, not on a ${node.type}`,
    );
    role = 'plain';
  }
  const fenced = node.type === 'code' && /^(`{3,}|~{3,})/.test(source.line(line).slice(column - 1));
  return { node, stripped, attrs, attrsAt: at, role, line, column, lang, fenced };
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

interface BuildTaskInput {
  statement: Item[];
  sourceItem: Item;
  hints: Item[];
  answerItem: Item | null;
  nextItem: Item | null;
  toBlocks: (item: Item) => Block[];
  options: CompileChapterOptions;
  file: string;
  err: (line: number, column: number, message: string) => void;
  pushError: (error: ContentError) => void;
  taskIds: Set<string>;
}

function buildTask(input: BuildTaskInput): Task | null {
  const { statement, sourceItem, hints, answerItem, nextItem, toBlocks, options, err } = input;
  const { chapterId } = options;
  const id = sourceItem.attrs?.id ?? null;
  const label = id ?? 'task';
  let ok = true;
  if (!id) {
    err(
      sourceItem.line,
      sourceItem.column,
      `task_source fence without an id: write \`\`\`python {.task_source #${chapterId}_task_NNNN}`,
    );
    ok = false;
  } else if (!new RegExp(`^${escapeRegExp(chapterId)}_task_\\d+$`).test(id)) {
    err(
      sourceItem.line,
      sourceItem.column,
      `task id #${id} does not match its chapter: ids in ${chapterId} look like ${chapterId}_task_NNNN`,
    );
    ok = false;
  } else if (input.taskIds.has(id)) {
    err(
      sourceItem.line,
      sourceItem.column,
      `duplicate task id #${id}: every task needs its own id`,
    );
    ok = false;
  }
  if (id) input.taskIds.add(id);

  const after = hints.at(-1) ?? sourceItem;
  const afterEnd = (after.node.position?.end.line ?? after.line) + 1;
  if (hints.length === 0) {
    const where = answerItem ?? nextItem;
    err(
      where?.line ?? afterEnd,
      where?.column ?? 1,
      `${label}: hint missing: after the task_source fence write a paragraph ending in {.task_hint} (order: text, source, hint, answer)`,
    );
    ok = false;
  }
  if (!answerItem) {
    const misplacedHint = nextItem?.role === 'hint';
    err(
      nextItem?.line ?? afterEnd,
      nextItem?.column ?? 1,
      misplacedHint
        ? `${label}: hint out of order: all hints must come right after the source fence, before the answer`
        : `${label}: answer missing: after the hint add a fence \`\`\`python {.task_answer} with the reference solution`,
    );
    ok = false;
  }
  if (!ok || !id || !answerItem) return null;

  const sourceCode = sourceItem.node as Code;
  const kind = sourceItem.lang === 'consoleoutput' ? 'output' : 'program';
  const statementBlocks = statement.flatMap((s) => toBlocks(s));
  let starter = sourceCode.value;
  if (kind === 'output') {
    // "What does this print?": the program is the last code block of the statement.
    const program = [...statementBlocks].reverse().find((b) => b.kind === 'code');
    if (program && program.kind === 'code') starter = program.code;
  }

  let checks: TaskChecks = { public: null, hidden: null, wrapperTest: null };
  let limits: Limits = { ...DEFAULT_LIMITS };
  if (options.loadTaskFiles) {
    const files = options.loadTaskFiles(id);
    checks = {
      public: files.testsPublic,
      hidden: files.testsHidden,
      wrapperTest: files.wrapperTest,
    };
    const dir = options.taskDirLabel?.(id) ?? `${chapterId}/tasks/${id}`;
    if (kind === 'program' && !checks.public && !checks.hidden && !checks.wrapperTest) {
      err(
        sourceItem.line,
        sourceItem.column,
        `${id}: missing checks: add ${dir}/tests_public.py and/or tests_hidden.py (docs/check-format.md) or a wrapper_test`,
      );
      ok = false;
    }
    if (files.taskJson !== null) {
      const parsed = parseTaskJson(files.taskJson);
      if ('error' in parsed) {
        input.pushError({
          file: `${dir}/task.json`,
          line: parsed.line,
          column: parsed.column,
          message: `${id}: ${parsed.error}`,
        });
        ok = false;
      } else {
        limits = parsed.limits;
      }
    }
  }
  if (!ok) return null;

  return {
    id,
    chapterId,
    kind,
    statement: statementBlocks,
    starter,
    hint: hints.flatMap((h) => toBlocks(h)),
    answer: (answerItem.node as Code).value,
    flags: {
      runStaticTypeChecker: sourceItem.attrs?.classes.includes('run_static_type_checker') ?? false,
    },
    checks,
    limits,
    source: { file: input.file, line: sourceItem.line, column: sourceItem.column },
  };
}

export function parseTaskJson(
  text: string,
): { limits: Limits } | { error: string; line: number; column: number } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    const pos = at ? new SourceText(text).position(Number(at[1])) : { line: 1, column: 1 };
    return { error: `task.json is not valid JSON (${message}); fix the syntax`, ...pos };
  }
  const result = taskJsonSchema.safeParse(data);
  if (!result.success) {
    const issues = result.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    return {
      error: `task.json has wrong fields (${issues}); expected {"limits": {"wallSeconds": 10, "cpuSeconds": 5, "memoryMb": 256}}`,
      line: 1,
      column: 1,
    };
  }
  return { limits: limitsSchema.parse({ ...DEFAULT_LIMITS, ...(result.data.limits ?? {}) }) };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Fences micromark closed at the end of the document or container: the author forgot the closing ```. */
function checkFences(
  root: Root,
  source: SourceText,
  err: (line: number, column: number, message: string) => void,
) {
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
          err(
            start.line,
            start.column,
            `unclosed code fence: add a line ${fence[1]} to close the fence opened here`,
          );
        }
      }
    }
    if (Array.isArray(node.children)) for (const c of node.children) stack.push(c as AnyNode);
  }
}
