import {
  type CompileCourseResult,
  type ContentError,
  compileCourseFiles,
  unsafePathReason,
} from '@lms/content';
import {
  archiveRelease,
  audit,
  createDraftRelease,
  getCourseDraft,
  getPublishedRelease,
  getRelease,
  getReleaseSource,
  listCourses,
  listReleases,
  publishRelease,
  republishRelease,
  updateDraftRelease,
} from '@lms/db';
import type { SignedInContext } from '../context';
import { AppError } from '../errors';
import { asAppErrors, refuse } from './admin-shared';
import { readCourseZip } from './admin-zip';

/*
 * The admins' content pages (routers/admin.ts, adminProcedure). Every edit goes to the course's
 * draft release (one per course); students keep reading the published one until Publish makes
 * the draft a new immutable release. An edit or an import that does not compile is refused with
 * every error at its file, line and column, and nothing is stored.
 */

/** What the pages show of a compile: where each problem is. */
type Diagnostics = { errors: ContentError[]; warnings: ContentError[] };

const diagnostics = (r: Pick<CompileCourseResult, 'errors' | 'warnings'>): Diagnostics => ({
  errors: r.errors,
  warnings: r.warnings,
});

/** Every course with its published release and its draft (if any). */
export async function listContent(ctx: SignedInContext) {
  const courses = await listCourses(ctx.db);
  return Promise.all(
    courses.map(async (c) => {
      const releases = await listReleases(ctx.db, c.slug);
      return {
        ...c,
        published: releases.find((r) => r.status === 'published') ?? null,
        draft: releases.find((r) => r.status === 'draft') ?? null,
        releases: releases.length,
      };
    }),
  );
}

/**
 * A zip of a course directory (ours or senjun's layout) becomes the course's draft (a new draft,
 * or the content of the existing one): refused, with each problem named, when the zip breaks a
 * rule of admin-zip.ts or the course does not compile. Audited `release.import`.
 */
export async function importCourseZip(ctx: SignedInContext, input: { zipBase64: string }) {
  const zip = Buffer.from(input.zipBase64, 'base64');
  const read = await readCourseZip(zip);
  if (!read.ok) return { ok: false as const, errors: read.errors, warnings: [] };
  const compiled = compileCourseFiles(read.courseId, read.files);
  if (!compiled.course) return { ok: false as const, ...diagnostics(compiled) };
  const course = compiled.course;
  const existing = await getCourseDraft(ctx.db, course.id);
  const release = await asAppErrors(() =>
    existing
      ? updateDraftRelease(ctx.db, existing.id, { compiled: course, source: read.files })
      : createDraftRelease(ctx.db, { compiled: course, source: read.files }),
  );
  await audit(ctx.db, {
    actorId: ctx.session.user.id,
    action: 'release.import',
    target: release.id,
    payload: { course: course.id, version: release.version, files: Object.keys(read.files).length },
  });
  return {
    ok: true as const,
    course: course.id,
    release,
    skipped: read.skipped,
    warnings: compiled.warnings,
  };
}

/** The course's draft with its files, and what is published (no draft: `draft` null). */
export async function getDraft(ctx: SignedInContext, input: { course: string }) {
  const [draft, published] = await Promise.all([
    getCourseDraft(ctx.db, input.course),
    getPublishedRelease(ctx.db, input.course),
  ]);
  if (!draft && !published) throw new AppError('COURSE_NOT_FOUND', { course: input.course });
  return {
    course: input.course,
    published: published ? { id: published.id, version: published.version } : null,
    draft: draft
      ? {
          id: draft.id,
          version: draft.version,
          createdAt: draft.createdAt,
          files: draft.source,
        }
      : null,
  };
}

/** Starts a draft from the published release's files (the existing draft if there is one). */
export async function startDraft(ctx: SignedInContext, input: { course: string }) {
  const existing = await getCourseDraft(ctx.db, input.course);
  if (existing) return { id: existing.id, version: existing.version, created: false };
  const published = await getPublishedRelease(ctx.db, input.course);
  if (!published) throw new AppError('NOT_PUBLISHED', { course: input.course });
  const source = (await getReleaseSource(ctx.db, published.id)) ?? {};
  if (Object.keys(source).length === 0)
    refuse(`the published release v${published.version} has no source files to edit: import a zip`);
  const draft = await asAppErrors(() =>
    createDraftRelease(ctx.db, { compiled: published.compiled, source }),
  );
  await audit(ctx.db, {
    actorId: ctx.session.user.id,
    action: 'release.draft',
    target: draft.id,
    payload: { course: input.course, version: draft.version, from: published.version },
  });
  return { id: draft.id, version: draft.version, created: true };
}

async function requireDraft(ctx: SignedInContext, course: string) {
  const draft = await getCourseDraft(ctx.db, course);
  if (!draft) refuse(`course "${course}" has no draft: start one first`);
  return draft;
}

function checkPath(path: string) {
  const why = unsafePathReason(path);
  if (why) refuse(`${path}: ${why}`);
}

/** The draft's files with `path` set to `text`, compiled (nothing stored). */
function compileWith(course: string, files: Record<string, string>, path: string, text: string) {
  checkPath(path);
  const next = { ...files, [path]: text };
  return { files: next, result: compileCourseFiles(course, next) };
}

/**
 * The live preview of an edit (nothing stored): the problems of the whole course and the
 * compiled chapter the file belongs to, for the same components students see.
 */
export async function previewFile(
  ctx: SignedInContext,
  input: { course: string; path: string; text: string },
) {
  const draft = await requireDraft(ctx, input.course);
  const { result } = compileWith(input.course, draft.source, input.path, input.text);
  const chapterId = input.path.split('/')[0];
  const chapter = result.chapters.find((c) => c.id === chapterId) ?? null;
  return { ...diagnostics(result), chapter };
}

/**
 * Saves one file of the draft (a chapter's text.md, a task's tests…): compiled with the rest of
 * the draft first; with any error nothing is stored and the errors come back with their lines.
 */
export async function saveFile(
  ctx: SignedInContext,
  input: { course: string; path: string; text: string },
) {
  const draft = await requireDraft(ctx, input.course);
  const { files, result } = compileWith(input.course, draft.source, input.path, input.text);
  if (!result.course) return { ok: false as const, ...diagnostics(result) };
  const compiled = result.course;
  const release = await asAppErrors(() =>
    updateDraftRelease(ctx.db, draft.id, { compiled, source: files }),
  );
  await audit(ctx.db, {
    actorId: ctx.session.user.id,
    action: 'release.edit',
    target: release.id,
    payload: { course: input.course, version: release.version, path: input.path },
  });
  return { ok: true as const, release, ...diagnostics(result) };
}

/** Publishes the draft as a new immutable release (the previous one is archived; audited). */
export async function publishDraft(ctx: SignedInContext, input: { course: string }) {
  const draft = await requireDraft(ctx, input.course);
  return asAppErrors(() =>
    publishRelease(ctx.db, { releaseId: draft.id, publishedById: ctx.session.user.id }),
  );
}

/** Drops the draft (archived: history keeps it); students never saw it. */
export async function discardDraft(ctx: SignedInContext, input: { course: string }) {
  const draft = await requireDraft(ctx, input.course);
  await asAppErrors(() =>
    archiveRelease(ctx.db, { releaseId: draft.id, actorId: ctx.session.user.id }),
  );
  return { discarded: draft.id };
}

/** Every release of the course, newest first, with who published it and when. */
export async function releaseHistory(ctx: SignedInContext, input: { course: string }) {
  return listReleases(ctx.db, input.course);
}

/** At most this many characters of changed text in one diff answer. */
const DIFF_TEXT_CAP = 4 * 1024 * 1024;

/**
 * What differs between two releases of a course, file by file (text and tests): each changed,
 * added or removed file with both texts (null where absent).
 */
export async function diffReleases(ctx: SignedInContext, input: { from: string; to: string }) {
  const [a, b] = await Promise.all([getRelease(ctx.db, input.from), getRelease(ctx.db, input.to)]);
  if (!a || !b) throw new AppError('NOT_FOUND');
  if (a.course.id !== b.course.id) refuse('the two releases are of different courses');
  const [sa, sb] = await Promise.all([
    getReleaseSource(ctx.db, a.id),
    getReleaseSource(ctx.db, b.id),
  ]);
  const before = sa ?? {};
  const after = sb ?? {};
  const paths = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const files: Array<{ path: string; before: string | null; after: string | null }> = [];
  let size = 0;
  let truncated = false;
  for (const path of paths) {
    const x = before[path] ?? null;
    const y = after[path] ?? null;
    if (x === y) continue;
    size += (x?.length ?? 0) + (y?.length ?? 0);
    if (size > DIFF_TEXT_CAP) {
      truncated = true;
      break;
    }
    files.push({ path, before: x, after: y });
  }
  return {
    from: { id: a.id, version: a.version },
    to: { id: b.id, version: b.version },
    files,
    truncated,
  };
}

/** Rollback: an earlier release's content published as a new release (history kept; audited). */
export async function rollbackTo(ctx: SignedInContext, input: { releaseId: string }) {
  return asAppErrors(() =>
    republishRelease(ctx.db, { releaseId: input.releaseId, actorId: ctx.session.user.id }),
  );
}
