import {
  type Chapter,
  type CompiledCourse,
  compiledCourseSchema,
  type Task,
} from '@lms/content/schema';
import {
  findPublishedTask,
  getCourse,
  getPublishedReleasePointer,
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
const courseCache = new Map<
  string,
  { courseId: string; courseSlug: string; course: CompiledCourse }
>();

/**
 * A course's release and content. `courseId` is the course's internal id: students' work
 * (drafts, progress, attempts) is keyed by it, since task ids are unique only within a course.
 */
export type PublishedCourse = {
  releaseId: string;
  courseId: string;
  courseSlug: string;
  course: CompiledCourse;
};

/** A release by id (published or archived since): attempts are graded against the release they were submitted to. */
export async function getReleaseById(db: Db, releaseId: string): Promise<PublishedCourse | null> {
  const cached = courseCache.get(releaseId);
  if (cached) return { releaseId, ...cached };
  const release = await getRelease(db, releaseId);
  if (!release) return null;
  return cacheRelease(releaseId, release.course, release.compiled);
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

function cacheRelease(
  releaseId: string,
  owner: { id: string; slug: string },
  compiled: unknown,
): PublishedCourse {
  const raw = typeof compiled === 'string' ? JSON.parse(compiled) : compiled;
  const parsed = compiledCourseSchema.safeParse(raw);
  if (!parsed.success) {
    // a published release that does not match the schema is a server bug, not the student's
    throw new Error(`release ${releaseId}: compiled content does not match the schema`);
  }
  const entry = { courseId: owner.id, courseSlug: owner.slug, course: parsed.data };
  courseCache.set(releaseId, entry);
  return { releaseId, ...entry };
}

/** The course's published release, and when it was published. */
export async function getPublishedCourse(
  db: Db,
  courseSlug: string,
): Promise<PublishedCourse & { publishedAt: Date | null }> {
  const release = await getPublishedReleasePointer(db, courseSlug);
  if (!release) throw new AppError('COURSE_NOT_FOUND', { course: courseSlug });
  return {
    ...(await publishedContent(db, release.id, courseSlug)),
    publishedAt: release.publishedAt,
  };
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

/**
 * The task as the currently published release of the page's course has it (task ids are
 * unique only within a course: another course's task of the same id is never found).
 */
export async function getPublishedTask(
  db: Db,
  input: { courseSlug: string; taskId: string },
): Promise<PublishedTask> {
  const published = await getPublishedCourse(db, input.courseSlug);
  return { ...published, ...findTask(published, input.taskId) };
}

/** The same by the course's internal id (an attempt's `courseId`). */
export async function getPublishedTaskOfCourse(
  db: Db,
  input: { courseId: string; taskId: string },
): Promise<PublishedTask> {
  const where = await findPublishedTask(db, input);
  if (!where) throw new AppError('TASK_NOT_FOUND', { task: input.taskId });
  const published = await publishedContent(db, where.releaseId, where.courseSlug);
  return { ...published, ...findTask(published, input.taskId) };
}

/**
 * The internal id of the course of this slug, published or not (reading one's own work needs
 * no published release); COURSE_NOT_FOUND when there is no such course.
 */
export async function courseIdOf(db: Db, courseSlug: string): Promise<string> {
  const known = courseIds.get(db)?.get(courseSlug);
  if (known) return known;
  const course = await getCourse(db, courseSlug);
  if (!course) throw new AppError('COURSE_NOT_FOUND', { course: courseSlug });
  const ids = courseIds.get(db) ?? new Map<string, string>();
  ids.set(courseSlug, course.id);
  courseIds.set(db, ids);
  return course.id;
}

/**
 * Course ids by slug, per database: a course's row is never deleted nor its slug changed, so
 * what was found once holds for the process's life (an unknown slug is asked again each time).
 */
let courseIds = new WeakMap<Db, Map<string, string>>();

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
  courseIds = new WeakMap();
}
