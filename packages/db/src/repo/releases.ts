import { chapterSchema, compiledCourseSchema, taskSchema } from '@lms/content/schema';
import { z } from 'zod';
import type { Db } from '../client.ts';
import { DbError, isUniqueViolation } from '../errors.ts';
import type { Prisma } from '../generated/sqlite/client.ts';
import type { JsonValue, ReleaseStatus } from '../types.ts';
import { audit, type DbOrTx } from './audit.ts';

/**
 * The part of `@lms/content`'s CompiledCourse that the data layer reads (ids, title, hash);
 * the rest is stored as the compiler made it.
 */
const compiledCourseShape = compiledCourseSchema
  .pick({ title: true })
  .extend({
    id: compiledCourseSchema.shape.id.min(1),
    hash: compiledCourseSchema.shape.hash.min(1),
    chapters: z.array(
      z
        .object({
          id: chapterSchema.shape.id.min(1),
          tasks: z.array(z.object({ id: taskSchema.shape.id.min(1) }).loose()),
        })
        .loose(),
    ),
  })
  .loose();
export type CompiledCourseLike = z.infer<typeof compiledCourseShape>;

export function parseCompiledCourse(compiled: unknown): CompiledCourseLike {
  const r = compiledCourseShape.safeParse(compiled);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new DbError(
      'INVALID',
      `compiled course: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  const seen = new Set<string>();
  for (const ch of r.data.chapters) {
    for (const t of ch.tasks) {
      if (seen.has(t.id))
        throw new DbError('INVALID', `compiled course: task id ${t.id} appears twice`);
      seen.add(t.id);
    }
  }
  return r.data;
}

export const releaseSummarySelect = {
  id: true,
  version: true,
  status: true,
  contentHash: true,
  publishedAt: true,
  createdAt: true,
  publishedBy: { select: { id: true, name: true, email: true } },
  course: { select: { id: true, slug: true, title: true } },
} satisfies Prisma.ContentReleaseSelect;
type ReleaseSummaryRow = Prisma.ContentReleaseGetPayload<{ select: typeof releaseSummarySelect }>;
export type ReleaseSummary = Omit<ReleaseSummaryRow, 'status'> & { status: ReleaseStatus };

export type PublishedRelease = ReleaseSummary & {
  /** the CompiledCourse as published */
  compiled: JsonValue;
};

const toSummary = <T extends { status: string }>(r: T) => ({
  ...r,
  status: r.status as ReleaseStatus,
});

/** Creates a draft release (next version of the course; the course row is created if new). */
export async function createDraftRelease(
  db: Db,
  input: { compiled: unknown; source: Record<string, string>; courseTitle?: string },
): Promise<ReleaseSummary> {
  const compiled = parseCompiledCourse(input.compiled);
  for (let tries = 0; ; tries++) {
    try {
      return await db.$transaction(async (tx) => {
        const course = await tx.course.upsert({
          where: { slug: compiled.id },
          create: { slug: compiled.id, title: input.courseTitle ?? compiled.title },
          update: { title: input.courseTitle ?? compiled.title },
          select: { id: true },
        });
        const last = await tx.contentRelease.findFirst({
          where: { courseId: course.id },
          orderBy: { version: 'desc' },
          select: { version: true },
        });
        const release = await tx.contentRelease.create({
          data: {
            courseId: course.id,
            version: (last?.version ?? 0) + 1,
            status: 'draft',
            compiled: input.compiled as Prisma.InputJsonValue,
            source: input.source,
            contentHash: compiled.hash,
          },
          select: releaseSummarySelect,
        });
        await tx.releaseTask.createMany({ data: taskIndex(release.id, compiled) });
        return toSummary(release);
      });
    } catch (error) {
      // two concurrent drafts of one course picked the same version: retry with the next one
      if (isUniqueViolation(error) && tries < 3) continue;
      throw error;
    }
  }
}

function taskIndex(releaseId: string, compiled: CompiledCourseLike) {
  let position = 0;
  return compiled.chapters.flatMap((ch) =>
    ch.tasks.map((t) => ({ releaseId, taskId: t.id, chapterId: ch.id, position: position++ })),
  );
}

async function requireDraft(db: DbOrTx, releaseId: string) {
  const r = await db.contentRelease.findUnique({
    where: { id: releaseId },
    select: { status: true, version: true },
  });
  if (!r) throw new DbError('NOT_FOUND', `no release ${releaseId}`);
  if (r.status !== 'draft') {
    throw new DbError(
      'IMMUTABLE',
      `release v${r.version} is ${r.status}; only drafts can change (publish a new release instead)`,
    );
  }
}

/** Replaces a draft's content. Throws IMMUTABLE for a published or archived release. */
export async function updateDraftRelease(
  db: Db,
  releaseId: string,
  input: { compiled: unknown; source: Record<string, string> },
): Promise<ReleaseSummary> {
  const compiled = parseCompiledCourse(input.compiled);
  return db.$transaction(async (tx) => {
    await requireDraft(tx, releaseId);
    const r = await tx.contentRelease.update({
      where: { id: releaseId, status: 'draft' },
      data: {
        compiled: input.compiled as Prisma.InputJsonValue,
        source: input.source,
        contentHash: compiled.hash,
      },
      select: releaseSummarySelect,
    });
    await tx.releaseTask.deleteMany({ where: { releaseId } });
    await tx.releaseTask.createMany({ data: taskIndex(releaseId, compiled) });
    return toSummary(r);
  });
}

/**
 * Publishes a draft: it becomes the course's published release, the previously published one
 * is archived, and an audit entry `release.publish` is written. Throws IMMUTABLE unless draft.
 */
export async function publishRelease(
  db: Db,
  input: { releaseId: string; publishedById: string | null },
): Promise<ReleaseSummary> {
  return db.$transaction(async (tx) => {
    await requireDraft(tx, input.releaseId);
    const draft = await tx.contentRelease.findUniqueOrThrow({
      where: { id: input.releaseId },
      select: { courseId: true },
    });
    await tx.contentRelease.updateMany({
      where: { courseId: draft.courseId, status: 'published' },
      data: { status: 'archived' },
    });
    const r = await tx.contentRelease.update({
      where: { id: input.releaseId, status: 'draft' },
      data: { status: 'published', publishedAt: new Date(), publishedById: input.publishedById },
      select: releaseSummarySelect,
    });
    await audit(tx, {
      actorId: input.publishedById,
      action: 'release.publish',
      target: r.id,
      payload: { course: r.course.slug, version: r.version, contentHash: r.contentHash },
    });
    return toSummary(r);
  });
}

/**
 * Create + publish in one call. Idempotent: when the course's published release already has
 * this content hash, returns it unchanged (`created: false`).
 */
export async function publishCompiledCourse(
  db: Db,
  input: {
    compiled: unknown;
    source: Record<string, string>;
    publishedById: string | null;
    courseTitle?: string;
  },
): Promise<{ release: ReleaseSummary; created: boolean }> {
  const compiled = parseCompiledCourse(input.compiled);
  const current = await db.contentRelease.findFirst({
    where: { course: { slug: compiled.id }, status: 'published' },
    select: releaseSummarySelect,
  });
  if (current && current.contentHash === compiled.hash)
    return { release: toSummary(current), created: false };
  const draft = await createDraftRelease(db, input);
  const release = await publishRelease(db, {
    releaseId: draft.id,
    publishedById: input.publishedById,
  });
  return { release, created: true };
}

/** Archives a release (published or draft). A course without a published release shows nothing. */
export async function archiveRelease(
  db: Db,
  input: { releaseId: string; actorId: string | null },
): Promise<void> {
  await db.$transaction(async (tx) => {
    const r = await tx.contentRelease.updateMany({
      where: { id: input.releaseId, status: { in: ['draft', 'published'] } },
      data: { status: 'archived' },
    });
    if (r.count === 0)
      throw new DbError('NOT_FOUND', `no draft or published release ${input.releaseId}`);
    await audit(tx, { actorId: input.actorId, action: 'release.archive', target: input.releaseId });
  });
}

/** The course's published release with its compiled content, or null. */
export async function getPublishedRelease(
  db: DbOrTx,
  courseSlug: string,
): Promise<PublishedRelease | null> {
  const r = await db.contentRelease.findFirst({
    where: { course: { slug: courseSlug }, status: 'published' },
    orderBy: { version: 'desc' },
    select: { ...releaseSummarySelect, compiled: true },
  });
  return r ? { ...toSummary(r), compiled: r.compiled as JsonValue } : null;
}

/** The course's published release without its content (cheap: callers that cache content by release id). */
export async function getPublishedReleaseSummary(
  db: DbOrTx,
  courseSlug: string,
): Promise<ReleaseSummary | null> {
  const r = await db.contentRelease.findFirst({
    where: { course: { slug: courseSlug }, status: 'published' },
    orderBy: { version: 'desc' },
    select: releaseSummarySelect,
  });
  return r ? toSummary(r) : null;
}

/**
 * Which release of the course is published, in one query: what every student request asks
 * (the summary above also reads who published it and the course, two more queries).
 */
export async function getPublishedReleasePointer(
  db: DbOrTx,
  courseSlug: string,
): Promise<{ id: string; courseId: string; publishedAt: Date | null } | null> {
  return db.contentRelease.findFirst({
    where: { course: { slug: courseSlug }, status: 'published' },
    orderBy: { version: 'desc' },
    select: { id: true, courseId: true, publishedAt: true },
  });
}

/** The published release of every course that has one (no content), in course-slug order. */
export async function listPublishedReleases(db: DbOrTx): Promise<ReleaseSummary[]> {
  const rows = await db.contentRelease.findMany({
    where: { status: 'published' },
    orderBy: [{ course: { slug: 'asc' } }, { version: 'desc' }],
    select: releaseSummarySelect,
  });
  const seen = new Set<string>();
  return rows.filter((r) => !seen.has(r.course.id) && seen.add(r.course.id)).map(toSummary);
}

/**
 * Where a task is published in a course (task ids are unique only within a course): the
 * course's current published release that has it, and its chapter; null if none. The course
 * by its internal id (an attempt's `courseId`) or by its slug (a page's URL).
 */
export async function findPublishedTask(
  db: DbOrTx,
  input: ({ courseId: string } | { courseSlug: string }) & { taskId: string },
): Promise<{
  releaseId: string;
  courseId: string;
  courseSlug: string;
  chapterId: string;
  position: number;
} | null> {
  const course = 'courseId' in input ? { id: input.courseId } : { slug: input.courseSlug };
  const row = await db.releaseTask.findFirst({
    where: { taskId: input.taskId, release: { status: 'published', course } },
    orderBy: { release: { version: 'desc' } },
    select: {
      releaseId: true,
      chapterId: true,
      position: true,
      release: { select: { course: { select: { id: true, slug: true } } } },
    },
  });
  if (!row) return null;
  return {
    releaseId: row.releaseId,
    courseId: row.release.course.id,
    courseSlug: row.release.course.slug,
    chapterId: row.chapterId,
    position: row.position,
  };
}

/** A course by its slug (published or not), or null: its internal id keys students' work. */
export async function getCourse(
  db: DbOrTx,
  courseSlug: string,
): Promise<{ id: string; slug: string; title: string } | null> {
  return db.course.findUnique({
    where: { slug: courseSlug },
    select: { id: true, slug: true, title: true },
  });
}

/** A release by id with compiled content (any status; for admins/previews). */
export async function getRelease(db: DbOrTx, releaseId: string): Promise<PublishedRelease | null> {
  const r = await db.contentRelease.findUnique({
    where: { id: releaseId },
    select: { ...releaseSummarySelect, compiled: true },
  });
  return r ? { ...toSummary(r), compiled: r.compiled as JsonValue } : null;
}

/** The source files ({path: text}) a release was compiled from. */
export async function getReleaseSource(
  db: DbOrTx,
  releaseId: string,
): Promise<Record<string, string> | null> {
  const r = await db.contentRelease.findUnique({
    where: { id: releaseId },
    select: { source: true },
  });
  return r ? (r.source as Record<string, string>) : null;
}

/** All releases of a course, newest first (no content). */
export async function listReleases(db: DbOrTx, courseSlug: string): Promise<ReleaseSummary[]> {
  const rows = await db.contentRelease.findMany({
    where: { course: { slug: courseSlug } },
    orderBy: { version: 'desc' },
    select: releaseSummarySelect,
  });
  return rows.map(toSummary);
}

export async function listCourses(
  db: DbOrTx,
): Promise<Array<{ id: string; slug: string; title: string }>> {
  return db.course.findMany({
    orderBy: { slug: 'asc' },
    select: { id: true, slug: true, title: true },
  });
}

/** Task index of the course's published release, in course order. */
export async function listPublishedTasks(
  db: DbOrTx,
  courseSlug: string,
): Promise<Array<{ taskId: string; chapterId: string; position: number }>> {
  return db.releaseTask.findMany({
    where: { release: { status: 'published', course: { slug: courseSlug } } },
    orderBy: { position: 'asc' },
    select: { taskId: true, chapterId: true, position: true },
  });
}

/** A release with its content and source files (any status; the admins' editor and history). */
export type ReleaseWithSource = PublishedRelease & { source: Record<string, string> };

/** The course's newest draft release with its content and source, or null. */
export async function getCourseDraft(
  db: DbOrTx,
  courseSlug: string,
): Promise<ReleaseWithSource | null> {
  const r = await db.contentRelease.findFirst({
    where: { course: { slug: courseSlug }, status: 'draft' },
    orderBy: { version: 'desc' },
    select: { ...releaseSummarySelect, compiled: true, source: true },
  });
  return r
    ? {
        ...toSummary(r),
        compiled: r.compiled as JsonValue,
        source: r.source as Record<string, string>,
      }
    : null;
}

/**
 * Rollback without rewriting history: the content (compiled and source) of an earlier release
 * of the course becomes a NEW release, published at once and audited as `release.rollback`
 * (besides the `release.publish` of publishing). CONFLICT when that content is what is
 * published now.
 */
export async function republishRelease(
  db: Db,
  input: { releaseId: string; actorId: string | null },
): Promise<ReleaseSummary> {
  const from = await db.contentRelease.findUnique({
    where: { id: input.releaseId },
    select: {
      version: true,
      compiled: true,
      source: true,
      contentHash: true,
      course: { select: { slug: true, title: true } },
    },
  });
  if (!from) throw new DbError('NOT_FOUND', `no release ${input.releaseId}`);
  const current = await getPublishedReleaseSummary(db, from.course.slug);
  if (current && current.contentHash === from.contentHash) {
    throw new DbError(
      'CONFLICT',
      `release v${from.version} has the content of the published v${current.version}: nothing to roll back`,
    );
  }
  const draft = await createDraftRelease(db, {
    compiled: from.compiled,
    source: from.source as Record<string, string>,
    courseTitle: from.course.title,
  });
  let published: ReleaseSummary;
  try {
    published = await publishRelease(db, { releaseId: draft.id, publishedById: input.actorId });
  } catch (error) {
    // not published: the copy must not stay behind as the newest draft (the editor's draft)
    await db.contentRelease.deleteMany({ where: { id: draft.id, status: 'draft' } });
    throw error;
  }
  await audit(db, {
    actorId: input.actorId,
    action: 'release.rollback',
    target: published.id,
    payload: { course: from.course.slug, fromVersion: from.version, version: published.version },
  });
  return published;
}

/** A student's latest graded final attempt of a task (the admins' impact preview re-grades it). */
export type LatestFinalAttempt = {
  attemptId: string;
  taskId: string;
  status: string;
  code: string;
  releaseId: string | null;
  user: { id: string; name: string; email: string };
};

/**
 * Every student's latest graded final attempt (Progress.lastFinalId) of these tasks of a course
 * (the course by slug), in (task, user e-mail) order, at most `limit` (default 5000).
 */
export async function listLatestFinalAttempts(
  db: DbOrTx,
  input: { courseSlug: string; taskIds: string[]; limit?: number },
): Promise<LatestFinalAttempt[]> {
  if (input.taskIds.length === 0) return [];
  const rows = await db.progress.findMany({
    where: {
      course: { slug: input.courseSlug },
      taskId: { in: input.taskIds },
      lastFinalId: { not: null },
    },
    orderBy: [{ taskId: 'asc' }, { user: { email: 'asc' } }],
    take: input.limit ?? 5000,
    select: {
      taskId: true,
      lastFinalId: true,
      user: { select: { id: true, name: true, email: true } },
    },
  });
  const ids = rows.map((r) => r.lastFinalId!);
  const attempts = await db.attempt.findMany({
    where: { id: { in: ids } },
    select: { id: true, status: true, code: true, releaseId: true },
  });
  const byId = new Map(attempts.map((a) => [a.id, a]));
  return rows.flatMap((r) => {
    const a = byId.get(r.lastFinalId!);
    if (!a) return [];
    return [
      {
        attemptId: a.id,
        taskId: r.taskId,
        status: a.status,
        code: a.code,
        releaseId: a.releaseId,
        user: r.user,
      },
    ];
  });
}
