import {
  type Chapter,
  type CompiledCourse,
  compiledCourseSchema,
  type Task,
} from '@lms/content/schema';
import type { Db } from '../db';
import { AppError } from '../errors';

/**
 * Published content, read from the PUBLISHED ContentRelease. A release is immutable once
 * published, so its parsed CompiledCourse is cached by release id for the process lifetime;
 * only the cheap "which release is published" lookup hits the database per request.
 */
const courseCache = new Map<string, CompiledCourse>();

export type PublishedCourse = { releaseId: string; courseSlug: string; course: CompiledCourse };

/** A release by id (published or archived since): attempts are graded against the release they were submitted to. */
export async function getReleaseById(
  db: Db,
  releaseId: string,
  courseSlug: string,
): Promise<PublishedCourse> {
  let course = courseCache.get(releaseId);
  if (!course) {
    const row = await db.contentRelease.findUnique({
      where: { id: releaseId },
      select: { compiled: true },
    });
    if (!row)
      throw new AppError('NOT_PUBLISHED', `Course "${courseSlug}" has no published content.`);
    const raw = typeof row.compiled === 'string' ? JSON.parse(row.compiled) : row.compiled;
    const parsed = compiledCourseSchema.safeParse(raw);
    if (!parsed.success) {
      // a published release that does not match the schema is a server bug, not the student's
      throw new Error(`release ${releaseId}: compiled content does not match the schema`);
    }
    course = parsed.data;
    courseCache.set(releaseId, course);
  }
  return { releaseId, courseSlug, course };
}

export async function getPublishedCourse(db: Db, courseSlug: string): Promise<PublishedCourse> {
  const release = await db.contentRelease.findFirst({
    where: { status: 'published', course: { slug: courseSlug } },
    orderBy: { version: 'desc' },
    select: { id: true },
  });
  if (!release) throw new AppError('NOT_FOUND', `No published course "${courseSlug}".`);
  return getReleaseById(db, release.id, courseSlug);
}

/** Every course with a published release, in title order. */
export async function listPublishedCourses(db: Db): Promise<PublishedCourse[]> {
  const releases = await db.contentRelease.findMany({
    where: { status: 'published' },
    orderBy: [{ courseId: 'asc' }, { version: 'desc' }],
    select: { id: true, courseId: true, course: { select: { slug: true } } },
  });
  const seen = new Set<string>();
  const out: PublishedCourse[] = [];
  for (const r of releases) {
    if (seen.has(r.courseId)) continue;
    seen.add(r.courseId);
    out.push(await getReleaseById(db, r.id, r.course.slug));
  }
  return out.sort((a, b) => a.course.title.localeCompare(b.course.title));
}

export type PublishedTask = PublishedCourse & { chapter: Chapter; task: Task };

/** The task as the currently published release of its course has it. */
export async function getPublishedTask(db: Db, taskId: string): Promise<PublishedTask> {
  const row = await db.releaseTask.findFirst({
    where: { taskId, release: { status: 'published' } },
    orderBy: { release: { version: 'desc' } },
    select: { releaseId: true, release: { select: { course: { select: { slug: true } } } } },
  });
  if (!row) throw new AppError('NOT_FOUND', `No published task "${taskId}".`);
  const published = await getReleaseById(db, row.releaseId, row.release.course.slug);
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
  throw new AppError('NOT_FOUND', `No published task "${taskId}".`);
}

export function findChapter(published: PublishedCourse, chapterId: string) {
  const chapters = published.course.chapters;
  const index = chapters.findIndex((c) => c.id === chapterId);
  const chapter = chapters[index];
  if (!chapter) {
    throw new AppError(
      'NOT_FOUND',
      `Course "${published.courseSlug}" has no chapter "${chapterId}".`,
    );
  }
  return { chapter, prev: chapters[index - 1] ?? null, next: chapters[index + 1] ?? null };
}

/** For tests: drop cached releases. */
export function clearContentCache(): void {
  courseCache.clear();
}
