/** Task planning and building: where each task lies among a chapter's blocks, and its Task. */
import { gradeLimitsSchema } from '@lms/grading';
import type { Code } from 'mdast';
import { z } from 'zod';
import type { CompileChapterOptions, Item, Report, TaskPlan } from './compile-types.ts';
import {
  type Block,
  type ContentWarning,
  DEFAULT_LIMITS,
  type Limits,
  legacyCheckOf,
  type Task,
  type TaskChecks,
} from './schema.ts';
import { parseJsonText } from './source.ts';

const taskJsonSchema = z
  .object({
    // the grader's own bounds: a task cannot ask for limits the grader refuses
    limits: gradeLimitsSchema.partial().strict().optional(),
  })
  .strict();

/** Nothing of a task's statement lies across these: a heading, a rule, another task's parts. */
function isBarrier(item: Item): boolean {
  return (
    item.node.type === 'heading' ||
    item.node.type === 'thematicBreak' ||
    item.role === 'source' ||
    item.role === 'hint' ||
    item.role === 'answer'
  );
}

/**
 * Finds every task: its source fence, the statement before it and the hints and answer after
 * it. The statement is every block from the first {.task_text} one up to the fence, marked or
 * not (a list or a paragraph between them belongs to it); with no marked block, the block
 * right before the fence (what senjun.ru shows as the statement), with a warning.
 */
export function planTasks(items: Item[], warn: Report): TaskPlan[] {
  const plans: TaskPlan[] = [];
  let floor = 0;
  for (let s = 0; s < items.length; s++) {
    const src = items[s]!;
    if (src.role !== 'source') continue;
    let first = -1;
    for (let k = s - 1; k >= floor && !isBarrier(items[k]!); k--) {
      if (items[k]!.role === 'text') first = k;
    }
    let start = s;
    const label = src.attrs?.id ?? 'task_source fence without an id';
    if (first >= 0) {
      start = first;
    } else if (s - 1 >= floor && !isBarrier(items[s - 1]!)) {
      start = s - 1;
      const before = items[s - 1]!;
      warn(
        before.line,
        before.column,
        `${label}: the statement is not marked: the ${describeNode(before)} right before the task_source fence is taken ` +
          'as the statement (as senjun.ru shows it); end the statement with {.task_text}',
      );
    } else {
      warn(
        src.line,
        src.column,
        `${label}: task without a statement: put the task text before its task_source fence, ending it with {.task_text}`,
      );
    }
    const hints: number[] = [];
    let j = s + 1;
    while (items[j]?.role === 'hint') hints.push(j++);
    let answer: number | null = null;
    if (items[j]?.role === 'answer') {
      answer = j++;
      while (items[j]?.role === 'hint') {
        const late = items[j]!;
        warn(
          late.line,
          late.column,
          `${label}: hint after the answer: hints go right after the task_source fence (order: text, source, hint, answer)`,
        );
        hints.push(j++);
      }
    }
    plans.push({ start, source: s, hints, answer, end: j });
    floor = j;
    s = j - 1;
  }
  return plans;
}

function describeNode(item: Item): string {
  switch (item.node.type) {
    case 'paragraph':
      return 'paragraph';
    case 'list':
      return 'list';
    case 'code':
      return item.role === 'example' ? 'example' : 'code block';
    default:
      return item.node.type;
  }
}

/** An unlabelled fenced block (not an indented one) without attributes. */
export function isOutputFence(item: Item): boolean {
  return item.node.type === 'code' && item.fenced && item.lang === null && item.attrs === null;
}

export interface BuildTaskInput {
  plan: TaskPlan;
  items: Item[];
  /** 1-based position of the task in the chapter, to name a task without an id */
  ordinal: number;
  statement: Block[];
  hint: Block[];
  exampleCode: (exampleId: string) => string | null;
  options: CompileChapterOptions;
  file: string;
  warn: Report;
  fail: Report;
  pushWarning: (warning: ContentWarning) => void;
  taskIds: Set<string>;
}

/** The task, or null (with an error naming it) when it cannot be used. */
export function buildTask(input: BuildTaskInput): Task | null {
  const { plan, items, statement, options, warn, fail } = input;
  const { chapterId } = options;
  const sourceItem = items[plan.source]!;
  const answerItem = plan.answer === null ? null : items[plan.answer]!;
  const id = sourceItem.attrs?.id ?? null;
  const { line, column } = sourceItem;
  if (!id) {
    fail(
      line,
      column,
      `task ${input.ordinal} of ${chapterId} (task_source fence without an id) cannot be used: ` +
        `write \`\`\`python {.task_source #${chapterId}_task_NNNN}`,
    );
    return null;
  }
  const owner = input.taskIds.has(id) ? chapterId : options.usedTaskIds?.get(id);
  if (owner) {
    fail(
      line,
      column,
      `${id}: duplicate task id #${id}: already used in ${owner}; every task needs its own id (this one is left out)`,
    );
    return null;
  }
  input.taskIds.add(id);
  options.usedTaskIds?.set(id, chapterId);
  if (!new RegExp(`^${escapeRegExp(chapterId)}_task_\\d+$`).test(id)) {
    warn(
      line,
      column,
      `${id}: task id #${id} does not match its chapter: ids in ${chapterId} look like ${chapterId}_task_NNNN`,
    );
  }

  const kind = sourceItem.lang === 'consoleoutput' ? 'output' : 'program';
  const after = items[plan.end - 1] ?? sourceItem;
  const next = items[plan.end];
  const nextLine = next?.line ?? (after.node.position?.end.line ?? after.line) + 1;
  const nextColumn = next?.column ?? 1;
  if (plan.hints.length === 0) {
    warn(
      answerItem?.line ?? nextLine,
      answerItem?.column ?? nextColumn,
      `${id}: hint missing: after the task_source fence write a paragraph ending in {.task_hint} (order: text, source, hint, answer)`,
    );
  }
  if (!answerItem) {
    if (kind === 'output') {
      fail(
        nextLine,
        nextColumn,
        `${id}: answer missing: a "what does this print?" task is checked against its answer; ` +
          'after the hint add a fence ```consoleoutput {.task_answer} with the printed output',
      );
      return null;
    }
    warn(
      nextLine,
      nextColumn,
      `${id}: answer missing: after the hint add a fence \`\`\`python {.task_answer} with the reference solution`,
    );
  }

  let starter = (sourceItem.node as Code).value;
  if (kind === 'output') {
    // "What does this print?": the program is the last code block (or example) of the statement.
    starter = lastProgram(statement, input.exampleCode) ?? starter;
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
      fail(
        line,
        column,
        `${id}: missing checks, the task cannot be graded: add ${dir}/tests_public.py and/or tests_hidden.py (docs/check-format.md) or a wrapper_test`,
      );
      return null;
    }
    if (files.taskJson !== null) {
      const parsed = parseTaskJson(files.taskJson);
      if ('error' in parsed) {
        input.pushWarning({
          file: `${dir}/task.json`,
          line: parsed.line,
          column: parsed.column,
          message: `${id}: ${parsed.error} (the default limits are used)`,
        });
      } else {
        limits = parsed.limits;
      }
    }
  }

  return {
    id,
    chapterId,
    kind,
    statement,
    starter,
    hint: input.hint,
    answer: answerItem ? (answerItem.node as Code).value : '',
    flags: {
      runStaticTypeChecker: sourceItem.attrs?.classes.includes('run_static_type_checker') ?? false,
    },
    checks,
    legacyCheck: legacyCheckOf({ kind, checks }),
    limits,
    source: { file: input.file, line, column },
  };
}

/** The code of the statement's last code block or example. */
function lastProgram(
  statement: Block[],
  exampleCode: (exampleId: string) => string | null,
): string | null {
  for (let k = statement.length - 1; k >= 0; k--) {
    const b = statement[k]!;
    if (b.kind === 'code') return b.code;
    if (b.kind === 'example') return exampleCode(b.exampleId);
  }
  return null;
}

export function parseTaskJson(
  text: string,
): { limits: Limits } | { error: string; line: number; column: number } {
  const json = parseJsonText(text);
  if (!json.ok) {
    const { message, line, column } = json;
    return { error: `task.json is not valid JSON (${message}); fix the syntax`, line, column };
  }
  const data = json.data;
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
  return { limits: { ...DEFAULT_LIMITS, ...(result.data.limits ?? {}) } };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
