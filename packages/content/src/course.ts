import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { compileChapter, type TaskFiles } from './compile.ts';
import { sha256, stableStringify } from './hash.ts';
import { BlockConverter, parseMarkdown, plainText } from './markdown.ts';
import {
  type Block,
  type Chapter,
  type CompiledCourse,
  type ContentError,
  compiledCourseSchema,
  SCHEMA_VERSION,
} from './schema.ts';
import { SourceText } from './source.ts';

export interface CompileCourseResult {
  course: CompiledCourse | null;
  errors: ContentError[];
  /** the chapters that compiled without errors (all of them when course is not null) */
  chapters: Chapter[];
}

const CHAPTER_DIR = /_chapter_(\d+)$/;

/** Compiles a course directory (layout in ARCHITECTURE.md); collects every error. */
export function compileCourse(dir: string): CompileCourseResult {
  const courseDir = resolve(dir);
  const courseId = basename(courseDir);
  const errors: ContentError[] = [];
  if (!existsSync(courseDir) || !statSync(courseDir).isDirectory()) {
    return {
      course: null,
      errors: [
        { file: dir, line: 1, column: 1, message: `course directory ${dir} does not exist` },
      ],
      chapters: [],
    };
  }

  let title = courseId;
  let description: Block[] = [];
  const descriptionFile = join(courseDir, 'description.md');
  if (existsSync(descriptionFile)) {
    ({ title, description } = compileDescription(readText(descriptionFile), courseId));
  }
  const fallbackFile = join(courseDir, 'wrapper_run_fallback');
  const wrapperRunFallback = existsSync(fallbackFile) ? readText(fallbackFile) : null;

  const chapterDirs = readdirSync(courseDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && CHAPTER_DIR.test(d.name))
    .map((d) => d.name)
    .sort((a, b) => chapterNumber(a) - chapterNumber(b) || (a < b ? -1 : a > b ? 1 : 0));

  const chapters: Chapter[] = [];
  const taskOwner = new Map<string, string>();
  for (const name of chapterDirs) {
    if (!name.startsWith(`${courseId}_chapter_`)) {
      errors.push({
        file: name,
        line: 1,
        column: 1,
        message: `chapter directory ${name} does not belong to course ${courseId}: name it ${courseId}_chapter_NNNN`,
      });
      continue;
    }
    const textFile = join(courseDir, name, 'text.md');
    if (!existsSync(textFile)) {
      errors.push({
        file: `${name}/text.md`,
        line: 1,
        column: 1,
        message: `chapter ${name} has no text.md: add the chapter text or remove the directory`,
      });
      continue;
    }
    const tasksDir = join(courseDir, name, 'tasks');
    const result = compileChapter(readText(textFile), {
      courseId,
      chapterId: name,
      file: `${name}/text.md`,
      loadTaskFiles: (taskId) => readTaskFiles(join(tasksDir, taskId)),
      taskDirLabel: (taskId) => `${name}/tasks/${taskId}`,
    });
    errors.push(...result.errors);
    if (!result.chapter) continue;
    for (const task of result.chapter.tasks) {
      const owner = taskOwner.get(task.id);
      if (owner) {
        errors.push({
          ...task.source,
          message: `duplicate task id #${task.id}: already used in ${owner}`,
        });
      }
      taskOwner.set(task.id, name);
    }
    if (existsSync(tasksDir)) {
      const known = new Set(result.chapter.tasks.map((t) => t.id));
      for (const d of readdirSync(tasksDir, { withFileTypes: true })) {
        if (d.isDirectory() && !known.has(d.name)) {
          errors.push({
            file: `${name}/tasks/${d.name}`,
            line: 1,
            column: 1,
            message: `task directory ${d.name} has no task in ${name}/text.md: fix its name or remove it`,
          });
        }
      }
    }
    chapters.push(result.chapter);
  }

  errors.sort(compareErrors);
  if (errors.length > 0) return { course: null, errors, chapters };
  const withoutHash = {
    schemaVersion: SCHEMA_VERSION,
    id: courseId,
    title,
    description,
    wrapperRunFallback,
    chapters,
  };
  const course: CompiledCourse = { ...withoutHash, hash: sha256(stableStringify(withoutHash)) };
  const parsed = compiledCourseSchema.safeParse(course);
  if (!parsed.success) {
    return {
      course: null,
      errors: [
        {
          file: '.',
          line: 1,
          column: 1,
          message: `internal compiler error: ${parsed.error.message}`,
        },
      ],
      chapters,
    };
  }
  return { course, errors, chapters };
}

function compareErrors(a: ContentError, b: ContentError): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.column - b.column;
}

function chapterNumber(name: string): number {
  return Number(CHAPTER_DIR.exec(name)?.[1] ?? 0);
}

function readText(file: string): string {
  return readFileSync(file, 'utf8');
}

function readOptional(file: string): string | null {
  return existsSync(file) ? readText(file) : null;
}

export function readTaskFiles(taskDir: string): TaskFiles {
  return {
    testsPublic: readOptional(join(taskDir, 'tests_public.py')),
    testsHidden: readOptional(join(taskDir, 'tests_hidden.py')),
    wrapperTest: readOptional(join(taskDir, 'wrapper_test')),
    taskJson: readOptional(join(taskDir, 'task.json')),
  };
}

/** description.md: its first level-1 heading is the course title, the rest the description. */
export function compileDescription(
  text: string,
  courseId: string,
): { title: string; description: Block[] } {
  const root = parseMarkdown(text);
  const converter = new BlockConverter(new SourceText(text), root, () => {});
  let title: string | null = null;
  const description: Block[] = [];
  for (const node of root.children) {
    if (title === null && node.type === 'heading' && node.depth === 1) {
      title = plainText(converter.inlines(node.children)).trim();
      continue;
    }
    description.push(...converter.block(node, false));
  }
  return { title: title || courseId, description };
}
