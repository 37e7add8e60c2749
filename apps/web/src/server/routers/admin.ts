import { USER_ROLES } from '@lms/db/types';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { auditLogPage } from '../services/admin-audit';
import { draftJobs, startImpact, startValidation } from '../services/admin-checks';
import {
  assignInstructor,
  cohortDetail,
  createCohortAdmin,
  enrolStudents,
  listCohortsAdmin,
  removeCohortMember,
  setCohortCourseAdmin,
} from '../services/admin-cohorts';
import {
  diffReleases,
  discardDraft,
  getDraft,
  importCourseZip,
  listContent,
  previewFile,
  publishDraft,
  releaseHistory,
  rollbackTo,
  saveFile,
  startDraft,
} from '../services/admin-content';
import {
  changeUserRole,
  listUsersPage,
  passwordResetLink,
  setUserActive,
} from '../services/admin-users';
import { ZIP_LIMITS } from '../services/admin-zip';
import { adminProcedure } from '../trpc';
import { slug } from './inputs';

/** The admins' console: people, cohorts, content and the audit log. Every procedure is adminProcedure. */

const id = z.string().min(1).max(64);
const email = z.string().trim().min(3).max(320);
const page = z.number().int().min(1).max(100_000).default(1);
const pageSize = z.number().int().min(1).max(200).default(50);
/** a course file's path inside the course directory (checked again by unsafePathReason) */
const coursePath = z.string().min(1).max(300);
/** a course file's text: the compiler's per-file cap (COURSE_FILE_LIMITS) is checked in bytes */
const fileText = z.string().max(2 * 1024 * 1024, 'a course file may have at most 2 MiB');
const courseInput = z.object({ course: slug });

const usersRouter = {
  list: adminProcedure
    .input(
      z.object({
        query: z.string().max(200).optional(),
        role: z.enum(USER_ROLES).optional(),
        status: z.enum(['active', 'disabled']).optional(),
        page,
        pageSize,
      }),
    )
    .query(({ ctx, input }) => listUsersPage(ctx, input)),
  setRole: adminProcedure
    .input(z.object({ userId: id, role: z.enum(USER_ROLES) }))
    .mutation(({ ctx, input }) => changeUserRole(ctx, input)),
  setActive: adminProcedure
    .input(z.object({ userId: id, active: z.boolean() }))
    .mutation(({ ctx, input }) => setUserActive(ctx, input)),
  resetLink: adminProcedure
    .input(z.object({ userId: id }))
    .mutation(({ ctx, input }) => passwordResetLink(ctx, input)),
} satisfies TRPCRouterRecord;

const cohortsRouter = {
  list: adminProcedure.query(({ ctx }) => listCohortsAdmin(ctx)),
  get: adminProcedure
    .input(z.object({ cohortId: id }))
    .query(({ ctx, input }) => cohortDetail(ctx, input)),
  create: adminProcedure
    .input(
      z.object({
        slug,
        name: z.string().trim().min(1).max(200),
        courseSlug: slug.nullish(),
      }),
    )
    .mutation(({ ctx, input }) => createCohortAdmin(ctx, input)),
  setCourse: adminProcedure
    .input(z.object({ cohortId: id, courseSlug: slug.nullable() }))
    .mutation(({ ctx, input }) => setCohortCourseAdmin(ctx, input)),
  addInstructor: adminProcedure
    .input(z.object({ cohortId: id, email }))
    .mutation(({ ctx, input }) => assignInstructor(ctx, input)),
  removeMember: adminProcedure
    .input(z.object({ cohortId: id, userId: id }))
    .mutation(({ ctx, input }) => removeCohortMember(ctx, input)),
  enrol: adminProcedure
    .input(
      z.object({
        cohortId: id,
        text: z.string().max(1024 * 1024, 'at most 1 MiB of e-mails or CSV at once'),
        format: z.enum(['lines', 'csv']),
      }),
    )
    .mutation(({ ctx, input }) => enrolStudents(ctx, input)),
} satisfies TRPCRouterRecord;

const contentRouter = {
  list: adminProcedure.query(({ ctx }) => listContent(ctx)),
  importZip: adminProcedure
    .input(
      z.object({
        zipBase64: z
          .string()
          .max(
            Math.ceil((ZIP_LIMITS.maxZipBytes * 4) / 3) + 4,
            `the zip may have at most ${ZIP_LIMITS.maxZipBytes / 1024 / 1024} MiB`,
          )
          .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64'),
      }),
    )
    .mutation(({ ctx, input }) => importCourseZip(ctx, input)),
  draft: adminProcedure.input(courseInput).query(({ ctx, input }) => getDraft(ctx, input)),
  startDraft: adminProcedure
    .input(courseInput)
    .mutation(({ ctx, input }) => startDraft(ctx, input)),
  // a mutation (POST) though nothing is stored: the text can be MiBs, more than a GET's URL holds
  preview: adminProcedure
    .input(z.object({ course: slug, path: coursePath, text: fileText }))
    .mutation(({ ctx, input }) => previewFile(ctx, input)),
  saveFile: adminProcedure
    .input(z.object({ course: slug, path: coursePath, text: fileText }))
    .mutation(({ ctx, input }) => saveFile(ctx, input)),
  publish: adminProcedure.input(courseInput).mutation(({ ctx, input }) => publishDraft(ctx, input)),
  discardDraft: adminProcedure
    .input(courseInput)
    .mutation(({ ctx, input }) => discardDraft(ctx, input)),
  history: adminProcedure.input(courseInput).query(({ ctx, input }) => releaseHistory(ctx, input)),
  diff: adminProcedure
    .input(z.object({ from: id, to: id }))
    .query(({ ctx, input }) => diffReleases(ctx, input)),
  rollback: adminProcedure
    .input(z.object({ releaseId: id }))
    .mutation(({ ctx, input }) => rollbackTo(ctx, input)),
  /** starts validating the draft in the background (quick: without check strength) */
  validate: adminProcedure
    .input(z.object({ course: slug, quick: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => startValidation(ctx, input)),
  /** starts the impact preview of the draft's changed checks in the background */
  impact: adminProcedure.input(courseInput).mutation(({ ctx, input }) => startImpact(ctx, input)),
  /** the draft's validate and impact jobs: progress and results (the page polls it) */
  jobs: adminProcedure.input(courseInput).query(({ ctx, input }) => draftJobs(ctx, input)),
} satisfies TRPCRouterRecord;

export const adminRouter = {
  users: usersRouter,
  cohorts: cohortsRouter,
  content: contentRouter,
  audit: adminProcedure
    .input(
      z.object({
        actorEmail: z.string().max(320).optional(),
        action: z.string().max(100).optional(),
        from: z.date().optional(),
        to: z.date().optional(),
        page,
        pageSize,
      }),
    )
    .query(({ ctx, input }) => auditLogPage(ctx, input)),
} satisfies TRPCRouterRecord;
