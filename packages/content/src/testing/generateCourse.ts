import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shipped course the generator copies from. */
export const SEED_COURSE_DIR = fileURLToPath(new URL('../../courses/python', import.meta.url));
const SEED_CHAPTER_ID = 'python_chapter_0320';

export interface GenerateCourseOptions {
  /** directory the course directory is created in */
  outDir: string;
  chapters: number;
  /** course id = directory name (default `python`) */
  courseId?: string;
}

/**
 * Makes an N-chapter course from the seed chapter, for tests and benchmarks: chapters
 * `<course>_chapter_0010`, `_0020`, …, each with renumbered task ids, its own check files
 * and doctor.json. Returns the course directory.
 */
export function generateCourse(options: GenerateCourseOptions): string {
  const courseId = options.courseId ?? 'python';
  const courseDir = join(options.outDir, courseId);
  mkdirSync(courseDir, { recursive: true });
  writeFileSync(
    join(courseDir, 'description.md'),
    `# Сгенерированный курс ${courseId}\n\n${options.chapters} глав, сделанных из главы ${SEED_CHAPTER_ID}.\n`,
  );
  const seedDir = join(SEED_COURSE_DIR, SEED_CHAPTER_ID);
  const seedText = readFileSync(join(seedDir, 'text.md'), 'utf8');
  for (let n = 1; n <= options.chapters; n++) {
    const chapterId = `${courseId}_chapter_${String(n * 10).padStart(4, '0')}`;
    const chapterDir = join(courseDir, chapterId);
    mkdirSync(chapterDir, { recursive: true });
    const text = seedText
      .replaceAll(SEED_CHAPTER_ID, chapterId)
      .replaceAll('/courses/python/', `/courses/${courseId}/`)
      .replace(/^# Глава \d+\./, `# Глава ${n}.`);
    writeFileSync(join(chapterDir, 'text.md'), text);
    const sidecar = join(seedDir, 'doctor.json');
    if (existsSync(sidecar)) cpSync(sidecar, join(chapterDir, 'doctor.json'));
    const tasksDir = join(seedDir, 'tasks');
    for (const task of existsSync(tasksDir) ? readdirSync(tasksDir) : []) {
      cpSync(
        join(tasksDir, task),
        join(chapterDir, 'tasks', task.replace(SEED_CHAPTER_ID, chapterId)),
        {
          recursive: true,
        },
      );
    }
  }
  return courseDir;
}
