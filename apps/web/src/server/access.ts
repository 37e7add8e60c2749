import type { AnyTRPCProcedure, AnyTRPCRouter, TRPCRouterRecord } from '@trpc/server';
import type { AppRouter } from './root';

/**
 * The access table: for every procedure of `appRouter`, who may call it. "Every procedure gets
 * an entry in the access table (who may call it) with a test": `test/server/access.test.ts`
 * calls every procedure as every caller kind against a fixture with two cohorts and checks
 * each cell, and fails when a procedure has no entry here (or an entry has no procedure). The
 * `satisfies` below makes a missing or unknown key a type error too.
 *
 * The cells say what the code does today (the procedure builders in trpc.ts, the checks in the
 * services); change a cell only together with the code that decides it.
 */

/**
 * Who calls, relative to one cohort's data (cohort A: the course the inputs name, and its
 * student's work):
 * - `anonymous`: no session;
 * - `student`: a student of cohort A, the owner of the work (drafts, attempts, progress);
 * - `otherStudent`: a student of another cohort (cohort B, same course);
 * - `instructor`: an instructor (global role) who teaches cohort A;
 * - `otherInstructor`: an instructor (global role) who teaches only cohort B;
 * - `admin`: the global admin role, in no cohort.
 * Rights over a course's data need the cohort as well as the global role: an instructor reads
 * the work of the students they teach (teachesStudent) and gets hints and answers at once only
 * in the courses of their own cohorts (isCourseStaff); the test's fixture also has a second
 * course with its own cohort and instructor, to show that staff of one course are readers in
 * another.
 */
export const CALLER_KINDS = [
  'anonymous',
  'student',
  'otherStudent',
  'instructor',
  'otherInstructor',
  'admin',
] as const;
export type CallerKind = (typeof CALLER_KINDS)[number];

/**
 * - `allow`: may call it, and gets the same answer whoever asks (for another user's object:
 *   reads it);
 * - `own`: may call it, but it reads or writes only the caller's own rows (another user's
 *   object is NOT_FOUND, another user's work never appears in the answer nor changes);
 * - `deny`: refused (UNAUTHORIZED signed out, FORBIDDEN for a role, NOT_FOUND where the code
 *   hides that it exists).
 */
export type Access = 'allow' | 'own' | 'deny';

export type AccessEntry = Readonly<Record<CallerKind, Access>> & {
  /** where the rule lives in the code, in a few words */
  readonly why: string;
};

/** Every procedure path of a router record, e.g. "attempt.submit". */
type PathsOf<TRecord, TPrefix extends string = ''> = {
  [K in keyof TRecord & string]: TRecord[K] extends AnyTRPCProcedure
    ? `${TPrefix}${K}`
    : TRecord[K] extends TRPCRouterRecord
      ? PathsOf<TRecord[K], `${TPrefix}${K}.`>
      : never;
}[keyof TRecord & string];

/** The procedure paths of the app router. */
export type ProcedurePath = PathsOf<AppRouter['_def']['record']>;

/** The procedure paths of a router at run time (tRPC 11 keeps them flat in `_def.procedures`). */
export function procedurePathsOf(router: AnyTRPCRouter): string[] {
  return Object.keys(router._def.procedures as Record<string, unknown>).sort();
}

/** Anyone, signed in or not, gets the same answer. */
const everyone = {
  anonymous: 'allow',
  student: 'allow',
  otherStudent: 'allow',
  instructor: 'allow',
  otherInstructor: 'allow',
  admin: 'allow',
} as const;

/** Anyone; a signed-in caller's answer also carries their own progress/drafts (never others'). */
const everyoneOwnProgress = {
  anonymous: 'allow',
  student: 'own',
  otherStudent: 'own',
  instructor: 'own',
  otherInstructor: 'own',
  admin: 'own',
} as const;

/** Signed in (protectedProcedure), on the caller's own rows only. */
const signedInOwn = {
  anonymous: 'deny',
  student: 'own',
  otherStudent: 'own',
  instructor: 'own',
  otherInstructor: 'own',
  admin: 'own',
} as const;

/** adminProcedure. */
const adminOnly = {
  anonymous: 'deny',
  student: 'deny',
  otherStudent: 'deny',
  instructor: 'deny',
  otherInstructor: 'deny',
  admin: 'allow',
} as const;

/**
 * instructorProcedure, then the cohort: the cohort's own instructors and admins
 * (dashboard.ts watchableCohort); another cohort's instructor gets COHORT_NOT_FOUND.
 */
const cohortStaff = {
  anonymous: 'deny',
  student: 'deny',
  otherStudent: 'deny',
  instructor: 'allow',
  otherInstructor: 'deny',
  admin: 'allow',
} as const;

const COHORT_WHY =
  'instructorProcedure; watchableCohort: an instructor member of the cohort or an admin, else COHORT_NOT_FOUND';

export const ACCESS = {
  'health.check': {
    ...everyone,
    why: 'publicProcedure; answers who the caller is',
  },

  'course.list': {
    ...everyoneOwnProgress,
    why: 'publicProcedure; every published course, progress of ctx.session.user only',
  },
  'course.get': {
    ...everyoneOwnProgress,
    why: 'publicProcedure; progress and "continue" of ctx.session.user only',
  },
  'course.continue': {
    ...everyoneOwnProgress,
    why: "publicProcedure; the caller's latest attempt or draft",
  },

  'chapter.get': {
    ...everyoneOwnProgress,
    why: "publicProcedure; the caller's drafts and progress; the course's staff (isCourseStaff: an admin, or an instructor of a cohort of that course) also get hints and answers",
  },

  'draft.get': {
    ...signedInOwn,
    why: 'protectedProcedure; getOwnDraft reads by ctx.session.user.id',
  },
  'draft.save': {
    ...signedInOwn,
    why: 'protectedProcedure; saveDraft writes by ctx.session.user.id',
  },

  'attempt.submit': {
    ...signedInOwn,
    why: "protectedProcedure; the attempt is the caller's (rate limits per caller)",
  },
  'attempt.recordQuick': {
    ...signedInOwn,
    why: "protectedProcedure; the quick check is the caller's (rate limit per caller)",
  },
  'attempt.get': {
    anonymous: 'deny',
    student: 'own',
    otherStudent: 'own',
    instructor: 'allow',
    otherInstructor: 'own',
    admin: 'allow',
    why: 'protectedProcedure; readAttempt: the owner, an admin, or an instructor who teaches the owner in a cohort of the course (teachesStudent), else ATTEMPT_NOT_FOUND',
  },
  'attempt.list': {
    ...signedInOwn,
    why: 'protectedProcedure; listOwnAttempts filters by ctx.session.user.id (staff too)',
  },
  'attempt.watch': {
    anonymous: 'deny',
    student: 'own',
    otherStudent: 'own',
    instructor: 'allow',
    otherInstructor: 'own',
    admin: 'allow',
    why: 'protectedProcedure; readAttempt as attempt.get',
  },

  'progress.openHint': {
    ...signedInOwn,
    why: "protectedProcedure; records the caller's own hint opening",
  },
  'progress.revealAnswer': {
    ...signedInOwn,
    why: "protectedProcedure; answerOpens on the caller's own progress (the course's staff, isCourseStaff: at once)",
  },

  'settings.signup': {
    ...everyone,
    why: 'publicProcedure; the sign-up page reads it signed out',
  },
  'settings.get': { ...adminOnly, why: 'adminProcedure' },
  'settings.setSignup': { ...adminOnly, why: 'adminProcedure (audited)' },
  'settings.setAnswerAfterFailedAttempts': { ...adminOnly, why: 'adminProcedure (audited)' },

  // the admins' console (routers/admin.ts): every procedure is adminProcedure
  'admin.users.list': { ...adminOnly, why: 'adminProcedure' },
  'admin.users.setRole': { ...adminOnly, why: 'adminProcedure (audited; not their own role)' },
  'admin.users.setActive': { ...adminOnly, why: 'adminProcedure (audited; ends the sessions)' },
  'admin.users.resetLink': { ...adminOnly, why: 'adminProcedure (audited)' },
  'admin.cohorts.list': { ...adminOnly, why: 'adminProcedure' },
  'admin.cohorts.get': { ...adminOnly, why: 'adminProcedure' },
  'admin.cohorts.create': { ...adminOnly, why: 'adminProcedure (audited)' },
  'admin.cohorts.setCourse': { ...adminOnly, why: 'adminProcedure (audited)' },
  'admin.cohorts.addInstructor': { ...adminOnly, why: 'adminProcedure (audited)' },
  'admin.cohorts.removeMember': { ...adminOnly, why: 'adminProcedure (audited)' },
  'admin.cohorts.enrol': { ...adminOnly, why: 'adminProcedure (audited)' },
  'admin.content.list': { ...adminOnly, why: 'adminProcedure' },
  'admin.content.importZip': { ...adminOnly, why: 'adminProcedure (audited)' },
  'admin.content.draft': { ...adminOnly, why: 'adminProcedure' },
  'admin.content.startDraft': { ...adminOnly, why: 'adminProcedure (audited)' },
  'admin.content.preview': { ...adminOnly, why: 'adminProcedure' },
  'admin.content.saveFile': { ...adminOnly, why: 'adminProcedure (audited)' },
  'admin.content.publish': { ...adminOnly, why: 'adminProcedure (audited)' },
  'admin.content.discardDraft': { ...adminOnly, why: 'adminProcedure (audited)' },
  'admin.content.history': { ...adminOnly, why: 'adminProcedure' },
  'admin.content.diff': { ...adminOnly, why: 'adminProcedure' },
  'admin.content.rollback': { ...adminOnly, why: 'adminProcedure (audited)' },
  'admin.content.validate': { ...adminOnly, why: 'adminProcedure (a background job)' },
  'admin.content.impact': { ...adminOnly, why: 'adminProcedure (a background job)' },
  'admin.content.jobs': { ...adminOnly, why: 'adminProcedure' },
  'admin.audit': { ...adminOnly, why: 'adminProcedure' },

  'cohort.mine': {
    anonymous: 'deny',
    student: 'deny',
    otherStudent: 'deny',
    instructor: 'own',
    otherInstructor: 'own',
    admin: 'allow',
    why: "instructorProcedure; myCohorts: an instructor's own cohorts (membership role instructor), an admin's all",
  },
  'cohort.overview': { ...cohortStaff, why: COHORT_WHY },
  'cohort.pulse': { ...cohortStaff, why: COHORT_WHY },
  'cohort.task': { ...cohortStaff, why: COHORT_WHY },
  'cohort.groups': { ...cohortStaff, why: COHORT_WHY },
  'cohort.groupAttempts': { ...cohortStaff, why: COHORT_WHY },
  'cohort.setGroupNote': { ...cohortStaff, why: `${COHORT_WHY} (audited)` },
  'cohort.attention': { ...cohortStaff, why: COHORT_WHY },
  'cohort.setAttention': { ...cohortStaff, why: `${COHORT_WHY} (audited)` },
  'cohort.disagreements': { ...cohortStaff, why: COHORT_WHY },
  'cohort.student': { ...cohortStaff, why: `${COHORT_WHY}; the student must be in the cohort` },
  'cohort.charts': { ...cohortStaff, why: COHORT_WHY },
} as const satisfies Record<ProcedurePath, AccessEntry>;

/** Who may call `path`: the table's cell. */
export function accessOf(path: ProcedurePath, caller: CallerKind): Access {
  return ACCESS[path][caller];
}
