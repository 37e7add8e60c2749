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
} as const satisfies Record<ProcedurePath, AccessEntry>;

/** Who may call `path`: the table's cell. */
export function accessOf(path: ProcedurePath, caller: CallerKind): Access {
  return ACCESS[path][caller];
}
