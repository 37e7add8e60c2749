import { DEFAULT_GRADE_LIMITS, gradeChecksSchema, INJECT_MARKER } from '@lms/grading';
import { z } from 'zod';

/**
 * The compiled form of a course: what `@lms/content` produces and every other part of the
 * system consumes (db stores it in a ContentRelease, the web app renders it, the grader
 * reads task checks and limits from it). Field names here are a contract: extend, don't rename.
 */
export const SCHEMA_VERSION = 1 as const;

export const sourcePositionSchema = z.object({
  file: z.string(), // path relative to the course directory, e.g. python_chapter_0320/text.md
  line: z.number().int().positive(),
  column: z.number().int().positive(),
});
export type SourcePosition = z.infer<typeof sourcePositionSchema>;

export type Inline =
  | { type: 'text'; value: string }
  | { type: 'code'; value: string }
  | { type: 'strong'; children: Inline[] }
  | { type: 'emphasis'; children: Inline[] }
  | { type: 'delete'; children: Inline[] }
  | { type: 'break' }
  | { type: 'image'; src: string; alt: string; title: string | null }
  | {
      type: 'link';
      href: string;
      title: string | null;
      children: Inline[];
      /** set when href is `/courses/<course>/chapters/<chapter>[#anchor]`: a link to our own route */
      internal: { course: string; chapter: string; anchor: string | null } | null;
    };

export const inlineSchema: z.ZodType<Inline> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('text'), value: z.string() }),
    z.object({ type: z.literal('code'), value: z.string() }),
    z.object({ type: z.literal('strong'), children: z.array(inlineSchema) }),
    z.object({ type: z.literal('emphasis'), children: z.array(inlineSchema) }),
    z.object({ type: z.literal('delete'), children: z.array(inlineSchema) }),
    z.object({ type: z.literal('break') }),
    z.object({
      type: z.literal('image'),
      src: z.string(),
      alt: z.string(),
      title: z.string().nullable(),
    }),
    z.object({
      type: z.literal('link'),
      href: z.string(),
      title: z.string().nullable(),
      children: z.array(inlineSchema),
      internal: z
        .object({ course: z.string(), chapter: z.string(), anchor: z.string().nullable() })
        .nullable(),
    }),
  ]),
);

export type Block =
  | { kind: 'heading'; level: number; id: string; children: Inline[] }
  | { kind: 'paragraph'; children: Inline[] }
  | { kind: 'list'; ordered: boolean; start: number | null; items: Block[][] }
  | { kind: 'code'; lang: string | null; code: string }
  | { kind: 'example'; exampleId: string }
  | { kind: 'task'; taskId: string }
  | { kind: 'illustration'; children: Inline[] }
  | { kind: 'blockquote'; children: Block[] }
  | {
      kind: 'table';
      align: Array<'left' | 'right' | 'center' | null>;
      header: Inline[][];
      rows: Inline[][][];
    }
  | { kind: 'thematicBreak' };

export const blockSchema: z.ZodType<Block> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('heading'),
      level: z.number().int().min(1).max(6),
      id: z.string(),
      children: z.array(inlineSchema),
    }),
    z.object({ kind: z.literal('paragraph'), children: z.array(inlineSchema) }),
    z.object({
      kind: z.literal('list'),
      ordered: z.boolean(),
      start: z.number().int().nullable(),
      items: z.array(z.array(blockSchema)),
    }),
    z.object({ kind: z.literal('code'), lang: z.string().nullable(), code: z.string() }),
    z.object({ kind: z.literal('example'), exampleId: z.string() }),
    z.object({ kind: z.literal('task'), taskId: z.string() }),
    z.object({ kind: z.literal('illustration'), children: z.array(inlineSchema) }),
    z.object({ kind: z.literal('blockquote'), children: z.array(blockSchema) }),
    z.object({
      kind: z.literal('table'),
      align: z.array(z.enum(['left', 'right', 'center']).nullable()),
      header: z.array(z.array(inlineSchema)),
      rows: z.array(z.array(z.array(inlineSchema))),
    }),
    z.object({ kind: z.literal('thematicBreak') }),
  ]),
);

/** An example (`example_for_playground`), with the expected-output fence that follows it, if any. */
export const exampleSchema = z.object({
  id: z.string(), // `<chapter id>_example_NN`, NN = 1-based ordinal in the chapter, zero-padded to 2
  lang: z.string(), // the fence's language, else the course's: 'python', 'cpp', 'go', ...
  code: z.string(),
  /**
   * true: a Python example the grader can run (Run button, output compared). false: code of
   * another language, shown as static code marked "not runnable here" (the grader is
   * Python-only). The compiler always sets it; optional in the type so that releases compiled
   * before it existed (all Python) still parse: read it as `example.runnable !== false`.
   */
  runnable: z.boolean().optional(),
  expectedOutput: z.string().nullable(),
  /** the NNN of `.example_for_playground_NNN`, when given */
  playgroundVariant: z.string().nullable(),
  source: sourcePositionSchema,
});
export type Example = z.infer<typeof exampleSchema>;

/**
 * Resource limits of one graded run, as stored in a compiled course. Read leniently: a
 * release compiled under older, wider bounds still renders; the compiler checks a
 * `task.json` against the grader's own bounds (`gradeLimitsSchema`).
 */
export const limitsSchema = z.object({
  wallSeconds: z.number().positive(),
  cpuSeconds: z.number().positive(),
  memoryMb: z.number().int().positive(),
});
export type Limits = z.infer<typeof limitsSchema>;
export const DEFAULT_LIMITS: Limits = DEFAULT_GRADE_LIMITS;

/**
 * A task's checks. `public` and `hidden` are Python sources in our check format (see
 * docs/check-format.md and `@lms/grading`); public tests may be shipped to the
 * browser for the quick check, hidden ones never leave the server. `wrapperTest` is the
 * legacy `wrapper_test` file of such courses.
 */
export const taskChecksSchema = gradeChecksSchema.required();
export type TaskChecks = z.infer<typeof taskChecksSchema>;

export const taskSchema = z.object({
  id: z.string(), // e.g. python_chapter_0320_task_0010
  chapterId: z.string(),
  /** 'program': the student writes code; 'output': "what does this print?" (consoleoutput source) */
  kind: z.enum(['program', 'output']),
  statement: z.array(blockSchema),
  /** starter code (program) or the program whose output the student predicts (output) */
  starter: z.string(),
  hint: z.array(blockSchema),
  /** reference answer: code (program) or the expected output text (output) */
  answer: z.string(),
  flags: z.object({ runStaticTypeChecker: z.boolean() }),
  checks: taskChecksSchema,
  /**
   * Legacy check: the program can tamper with it. True when the task is checked by a
   * `wrapper_test` alone (no tests_public/tests_hidden) into which the student's text is
   * injected as code: the program then runs inside the check and can read it or end it with
   * a pass (docs/check-format.md#converting-a-wrapper_test). Derived by the compiler; optional
   * for releases compiled before it existed: read it with `hasLegacyCheck(task)`.
   */
  legacyCheck: z.boolean().optional(),
  limits: limitsSchema,
  source: sourcePositionSchema,
});
export type Task = z.infer<typeof taskSchema>;

/**
 * Whether a task's only check is a legacy `wrapper_test` the program runs inside (see
 * `Task.legacyCheck`): a program task's wrapper always runs the code; an output task's only
 * when it injects the typed text as code (`#INJECT-b585472fa`), not as a string.
 */
export function legacyCheckOf(task: Pick<Task, 'kind' | 'checks'>): boolean {
  const { public: pub, hidden, wrapperTest } = task.checks;
  if (!wrapperTest || pub || hidden) return false;
  return task.kind === 'program' || wrapperTest.includes(INJECT_MARKER);
}

/** `task.legacyCheck`, derived from its checks for a release compiled before the field existed. */
export function hasLegacyCheck(task: Pick<Task, 'kind' | 'checks' | 'legacyCheck'>): boolean {
  return task.legacyCheck ?? legacyCheckOf(task);
}

export const chapterSchema = z.object({
  id: z.string(), // python_chapter_0320
  courseId: z.string(),
  number: z.number().int(), // 320
  title: z.string(), // text of the first level-1 heading
  blocks: z.array(blockSchema),
  examples: z.array(exampleSchema),
  tasks: z.array(taskSchema),
  /** sha256 hex of the chapter's compiled content (stable across runs) */
  hash: z.string(),
  sourceFile: z.string(),
});
export type Chapter = z.infer<typeof chapterSchema>;

export const compiledCourseSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  id: z.string(), // directory name, e.g. python
  /**
   * the course's programming language ('python', 'cpp', 'go', 'haskell', 'rust', ...), from
   * its directory name; only Python examples are runnable. The compiler always sets it;
   * optional in the type for releases compiled before it existed (read absent as 'python').
   */
  language: z.string().optional(),
  title: z.string(),
  description: z.array(blockSchema),
  wrapperRunFallback: z.string().nullable(),
  chapters: z.array(chapterSchema),
  hash: z.string(),
});
export type CompiledCourse = z.infer<typeof compiledCourseSchema>;

/**
 * A content error, located in the source: a task that cannot be used (no id, a duplicate id,
 * no check of any kind), or a course that cannot be read at all. The message names the task.
 */
export const contentErrorSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  message: z.string(),
});
export type ContentError = z.infer<typeof contentErrorSchema>;

/**
 * A recoverable content problem (same shape as an error): the compiler did what senjun.ru
 * does with such text and kept the chapter, but the author may want to fix it.
 */
export const contentWarningSchema = contentErrorSchema;
export type ContentWarning = z.infer<typeof contentWarningSchema>;
