/** The types compile.ts and compile-task.ts share: the compiler's options and a classified block. */
import type { RootContent } from 'mdast';
import type { Attributes } from './attrs.ts';
import type { Chapter, ContentError, ContentWarning } from './schema.ts';

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
  /** the course's language (`courseLanguage()`); default python. Only Python examples are runnable. */
  language?: string;
  /** path shown in errors, relative to the course directory */
  file?: string;
  /**
   * Reads a task's check files. When given, a program task without checks is an error
   * ("missing checks"); when omitted (a text compiled in memory) checks are left empty.
   */
  loadTaskFiles?: (taskId: string) => TaskFiles;
  /** the task directory as shown in errors about its files */
  taskDirLabel?: (taskId: string) => string;
  /**
   * Task ids of the course's earlier chapters (id → chapter id): a task reusing one is a
   * duplicate. The chapter's own task ids are added to it.
   */
  usedTaskIds?: Map<string, string>;
}

export interface CompileChapterResult {
  /**
   * The chapter; null only when the text cannot be compiled at all (an internal compiler
   * error, a text nested too deeply to parse). A task with an error is left out of it (its
   * statement stays in the text), the rest of the chapter is kept.
   */
  chapter: Chapter | null;
  /** unusable tasks (no id, duplicate id, no checks) and internal failures */
  errors: ContentError[];
  /** recoverable problems: the chapter was compiled the way senjun.ru renders it */
  warnings: ContentWarning[];
}

export type Role = 'text' | 'source' | 'hint' | 'answer' | 'example' | 'illustration' | 'plain';

/** A top-level node with its attribute block, if any, already split off. */
export interface Item {
  node: RootContent;
  /** node with the attribute block removed (paragraph/heading/list) */
  stripped: RootContent;
  attrs: Attributes | null;
  role: Role;
  line: number;
  column: number;
  /** for code nodes: language without the attribute block */
  lang: string | null;
  /** for code nodes: written with ``` or ~~~ (not indented) */
  fenced: boolean;
}

/** Where one task lies in the item list: statement [start, source), hints, answer, up to end. */
export interface TaskPlan {
  start: number;
  source: number;
  hints: number[];
  answer: number | null;
  /** index after the task's last item */
  end: number;
}

export type Report = (line: number, column: number, message: string) => void;
