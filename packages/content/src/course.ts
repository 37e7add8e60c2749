import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { compileChapter, RUNNABLE_LANGUAGE, sortDiagnostics, type TaskFiles } from './compile.ts';
import { sha256, stableStringify } from './hash.ts';
import { BlockConverter, parseMarkdown, plainText } from './markdown.ts';
import {
  type Block,
  type Chapter,
  type CompiledCourse,
  type ContentError,
  type ContentWarning,
  compiledCourseSchema,
  SCHEMA_VERSION,
} from './schema.ts';
import { SourceText } from './source.ts';

export interface CompileCourseResult {
  /** the course; null when there is any error (a task that cannot be used) */
  course: CompiledCourse | null;
  errors: ContentError[];
  /** recoverable problems: compiled the way senjun.ru renders them, the chapter is kept */
  warnings: ContentWarning[];
  /** every chapter that compiled (all of them when course is not null) */
  chapters: Chapter[];
}

const CHAPTER_DIR = /_chapter_(\d+)$/;
/** The course's own fields (its chapters are validated one by one as they compile). */
const courseFieldsSchema = compiledCourseSchema.omit({ chapters: true });

/** Course directory names (their first word) and fence languages, by language. */
const LANGUAGE_NAMES: Record<string, string> = {
  python: 'python',
  python3: 'python',
  py: 'python',
  cpp: 'cpp',
  'c++': 'cpp',
  cxx: 'cpp',
  golang: 'go',
  go: 'go',
  haskell: 'haskell',
  hs: 'haskell',
  rust: 'rust',
  rs: 'rust',
};
const DIALECT_FENCE =
  /^ {0,3}(?:`{3,}|~{3,})[ \t]*([^\s{`]+)[^\n]*\.(?:task_source|example_for_playground)\b/gm;

/**
 * The programming language of a course: from its directory name (`python`, `cpp`, `golang`,
 * `haskell`, `rust`, or `<language>_…`), otherwise the language most of its task and example
 * fences are written in; Python when neither tells.
 */
export function courseLanguage(courseId: string, texts: string[] = []): string {
  const byName = LANGUAGE_NAMES[courseId.toLowerCase().split(/[_.\s-]/)[0] ?? ''];
  if (byName) return byName;
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const m of text.matchAll(DIALECT_FENCE)) {
      const lang = m[1]!.toLowerCase();
      if (lang === 'consoleoutput') continue;
      const name = LANGUAGE_NAMES[lang] ?? lang;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  let best: string = RUNNABLE_LANGUAGE;
  let bestCount = 0;
  for (const [name, n] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (n > bestCount) [best, bestCount] = [name, n];
  }
  return best;
}

/** Compiles a course directory (layout in docs/architecture.md and README.md); collects every error and warning. */
export function compileCourse(dir: string): CompileCourseResult {
  const courseDir = resolve(dir);
  const courseId = basename(courseDir);
  const errors: ContentError[] = [];
  const warnings: ContentWarning[] = [];
  if (!existsSync(courseDir) || !statSync(courseDir).isDirectory()) {
    return {
      course: null,
      errors: [
        { file: dir, line: 1, column: 1, message: `course directory ${dir} does not exist` },
      ],
      warnings,
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

  const sources: Array<{ name: string; text: string }> = [];
  for (const name of chapterDirs) {
    if (!name.startsWith(`${courseId}_chapter_`)) {
      warnings.push({
        file: name,
        line: 1,
        column: 1,
        message: `chapter directory ${name} does not belong to course ${courseId} (skipped): name it ${courseId}_chapter_NNNN`,
      });
      continue;
    }
    const textFile = join(courseDir, name, 'text.md');
    if (!existsSync(textFile)) {
      warnings.push({
        file: `${name}/text.md`,
        line: 1,
        column: 1,
        message: `chapter ${name} has no text.md (skipped): add the chapter text or remove the directory`,
      });
      continue;
    }
    sources.push({ name, text: readText(textFile) });
  }
  const language = courseLanguage(
    courseId,
    sources.map((s) => s.text),
  );

  const chapters: Chapter[] = [];
  const usedTaskIds = new Map<string, string>();
  for (const { name, text } of sources) {
    const tasksDir = join(courseDir, name, 'tasks');
    const result = compileChapter(text, {
      courseId,
      chapterId: name,
      language,
      file: `${name}/text.md`,
      loadTaskFiles: (taskId) => readTaskFiles(join(tasksDir, taskId)),
      taskDirLabel: (taskId) => `${name}/tasks/${taskId}`,
      usedTaskIds,
    });
    errors.push(...result.errors);
    warnings.push(...result.warnings);
    if (!result.chapter) continue;
    if (existsSync(tasksDir)) {
      const known = new Set(result.chapter.tasks.map((t) => t.id));
      for (const d of readdirSync(tasksDir, { withFileTypes: true })) {
        if (d.isDirectory() && !known.has(d.name)) {
          warnings.push({
            file: `${name}/tasks/${d.name}`,
            line: 1,
            column: 1,
            message: `task directory ${d.name} has no task in ${name}/text.md (unused): fix its name or remove it`,
          });
        }
      }
    }
    chapters.push(result.chapter);
  }

  sortDiagnostics(errors);
  sortDiagnostics(warnings);
  if (errors.length > 0) return { course: null, errors, warnings, chapters };
  const withoutHash = {
    schemaVersion: SCHEMA_VERSION,
    id: courseId,
    language,
    title,
    description,
    wrapperRunFallback,
    chapters,
  };
  // The course hash covers its own fields and its chapters' hashes (each covers its chapter):
  // the chapters are not serialised a second time. Likewise, the chapters were validated by
  // compileChapter, so only the course's own fields are validated here.
  const hash = sha256(stableStringify({ ...withoutHash, chapters: chapters.map((c) => c.hash) }));
  const course: CompiledCourse = { ...withoutHash, hash };
  const parsed = courseFieldsSchema.safeParse(course);
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
      warnings,
      chapters,
    };
  }
  return { course, errors, warnings, chapters };
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
