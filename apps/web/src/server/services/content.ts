import {
  type Chapter,
  type CompiledCourse,
  compiledCourseSchema,
  type Task,
} from '@lms/content/schema';
import {
  findPublishedTask,
  getPublishedReleaseSummary,
  getRelease,
  listPublishedReleases,
} from '@lms/db';
import type { Db } from '../db';
import { AppError } from '../errors';

/**
 * Published content, read from the PUBLISHED ContentRelease. A release is immutable once
 * published, so its parsed CompiledCourse is cached by release id for the process lifetime;
 * only the cheap "which release is published" lookup hits the database per request.
 */
const courseCache = new Map<string, { courseSlug: string; course: CompiledCourse }>();

export type PublishedCourse = { releaseId: string; courseSlug: string; course: CompiledCourse };

/** A release by id (published or archived since): attempts are graded against the release they were submitted to. */
export async function getReleaseById(db: Db, releaseId: string): Promise<PublishedCourse | null> {
  const cached = courseCache.get(releaseId);
  if (cached) return { releaseId, ...cached };
  const release = await getRelease(db, releaseId);
  if (!release) return null;
  return cacheRelease(releaseId, release.course.slug, release.compiled);
}

/** A published release's content, cached (or read once) by id. */
async function publishedContent(
  db: Db,
  releaseId: string,
  courseSlug: string,
): Promise<PublishedCourse> {
  const published = await getReleaseById(db, releaseId);
  if (!published) throw new AppError('NOT_PUBLISHED', { course: courseSlug });
  return published;
}

function cacheRelease(releaseId: string, courseSlug: string, compiled: unknown): PublishedCourse {
  const raw = typeof compiled === 'string' ? JSON.parse(compiled) : compiled;
  const parsed = compiledCourseSchema.safeParse(raw);
  if (!parsed.success) {
    // a published release that does not match the schema is a server bug, not the student's
    throw new Error(`release ${releaseId}: compiled content does not match the schema`);
  }
  courseCache.set(releaseId, { courseSlug, course: parsed.data });
  return { releaseId, courseSlug, course: parsed.data };
}

export async function getPublishedCourse(db: Db, courseSlug: string): Promise<PublishedCourse> {
  const release = await getPublishedReleaseSummary(db, courseSlug);
  if (!release) throw new AppError('COURSE_NOT_FOUND', { course: courseSlug });
  return publishedContent(db, release.id, courseSlug);
}

/** Every course with a published release, in title order. */
export async function listPublishedCourses(db: Db): Promise<PublishedCourse[]> {
  const out: PublishedCourse[] = [];
  for (const r of await listPublishedReleases(db)) {
    out.push(await publishedContent(db, r.id, r.course.slug));
  }
  return out.sort((a, b) => a.course.title.localeCompare(b.course.title));
}

export type PublishedTask = PublishedCourse & { chapter: Chapter; task: Task };

/** The task as the currently published release of its course has it. */
export async function getPublishedTask(db: Db, taskId: string): Promise<PublishedTask> {
  const where = await findPublishedTask(db, taskId);
  if (!where) throw new AppError('TASK_NOT_FOUND', { task: taskId });
  const published = await publishedContent(db, where.releaseId, where.courseSlug);
  return { ...published, ...findTask(published, taskId) };
}

export function findTask(
  published: PublishedCourse,
  taskId: string,
): { chapter: Chapter; task: Task } {
  for (const chapter of published.course.chapters) {
    const task = chapter.tasks.find((t) => t.id === taskId);
    if (task) return { chapter, task };
  }
  throw new AppError('TASK_NOT_FOUND', { task: taskId });
}

export function findChapter(published: PublishedCourse, chapterId: string) {
  const chapters = published.course.chapters;
  const index = chapters.findIndex((c) => c.id === chapterId);
  const chapter = chapters[index];
  if (!chapter) {
    throw new AppError('CHAPTER_NOT_FOUND', {
      course: published.courseSlug,
      chapter: chapterId,
    });
  }
  return { chapter, prev: chapters[index - 1] ?? null, next: chapters[index + 1] ?? null };
}

/** For tests: drop cached releases. */
export function clearContentCache(): void {
  courseCache.clear();
}
