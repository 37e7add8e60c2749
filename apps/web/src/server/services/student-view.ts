import type { Chapter, Example, Task } from '@lms/content/schema';
import { highlightPython, isHighlightable, type RenderedBlock, renderBlocks } from './highlight';

/**
 * What of a task may reach the browser before it is earned: statement, starter, limits,
 * flags and the PUBLIC tests (the quick check runs them in Pyodide). Never the answer,
 * the hidden tests or the legacy wrapper_test (it sees the full check).
 */
export type StudentTaskBase = {
  id: string;
  kind: Task['kind'];
  statement: RenderedBlock[];
  starter: string;
  flags: Task['flags'];
  limits: Task['limits'];
  publicTests: string | null;
  hasHint: boolean;
  /** false when the final check has nothing beyond the public tests */
  hasHiddenChecks: boolean;
};

export type StudentExample = Omit<Example, 'source'> & { html: string | null };

export type StudentChapterBase = {
  id: string;
  number: number;
  title: string;
  hash: string;
  blocks: RenderedBlock[];
  examples: StudentExample[];
  tasks: StudentTaskBase[];
  toc: Array<{ id: string; level: number; text: string }>;
};

const cache = new Map<string, Promise<StudentChapterBase>>();

/** The user-independent part of a chapter page, rendered once per release. */
export function studentChapter(releaseId: string, chapter: Chapter): Promise<StudentChapterBase> {
  const key = `${releaseId}:${chapter.id}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = renderStudentChapter(chapter);
    hit.catch(() => cache.delete(key));
    cache.set(key, hit);
  }
  return hit;
}

async function renderStudentChapter(chapter: Chapter): Promise<StudentChapterBase> {
  const [blocks, examples, tasks] = await Promise.all([
    renderBlocks(chapter.blocks),
    Promise.all(
      chapter.examples.map(async (e) => ({
        id: e.id,
        lang: e.lang,
        code: e.code,
        // compiled before the field existed: a Python example, runnable
        runnable: e.runnable ?? true,
        expectedOutput: e.expectedOutput,
        playgroundVariant: e.playgroundVariant,
        html: isHighlightable(e.lang) ? await highlightPython(e.code) : null,
      })),
    ),
    Promise.all(chapter.tasks.map(studentTask)),
  ]);
  return {
    id: chapter.id,
    number: chapter.number,
    title: chapter.title,
    hash: chapter.hash,
    blocks,
    examples,
    tasks,
    toc: chapter.blocks.flatMap((b) =>
      b.kind === 'heading' ? [{ id: b.id, level: b.level, text: inlineText(b.children) }] : [],
    ),
  };
}

async function studentTask(task: Task): Promise<StudentTaskBase> {
  // built field by field: a new field on Task never leaks by accident
  return {
    id: task.id,
    kind: task.kind,
    statement: await renderBlocks(task.statement),
    starter: task.starter,
    flags: { runStaticTypeChecker: task.flags.runStaticTypeChecker },
    limits: { ...task.limits },
    publicTests: task.checks.public,
    hasHint: task.hint.length > 0,
    hasHiddenChecks: Boolean(task.checks.hidden || task.checks.wrapperTest),
  };
}

type InlineLike = { type: string; value?: string; children?: InlineLike[] };
function inlineText(nodes: InlineLike[]): string {
  return nodes.map((n) => n.value ?? (n.children ? inlineText(n.children) : '')).join('');
}

export function clearStudentViewCache(): void {
  cache.clear();
}
