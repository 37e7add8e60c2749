// The access table (src/server/access.ts), enforced: every procedure of appRouter is called as
// every caller kind against a fixture of two cohorts of the published test course, with a
// valid input, and each cell is checked:
// - deny: refused with the procedure's own refusal — UNAUTHORIZED signed out, else the sample's
//   `refusedAs` (FORBIDDEN for a role; a hiding NOT_FOUND names its appCode) — nothing else;
// - allow: succeeds (or fails with one of the sample's listed `businessErrors`; an unexpected
//   error such as INTERNAL_SERVER_ERROR or TASK_NOT_FOUND fails the cell);
// - own: the same on the caller's own work, and isolated: another user's object (an attempt
//   id) is refused with the sample's `namesObject` appCode, another user's work never appears
//   in the answer, and their rows (drafts, progress, attempts) are the same after the call.
// A second course with its own cohort and instructor shows that staff of one course are readers
// in another (hints and answers). A procedure without an entry (or an entry without a
// procedure) fails the first test.
import type { CompiledCourse } from '@lms/content/schema';
import {
  addMember,
  createAttempt,
  createCohort,
  type Db,
  publishCompiledCourse,
  recordAttemptResult,
  setSetting,
  upsertDraft,
} from '@lms/db';
import { type inferRouterInputs, type inferRouterOutputs, TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCESS,
  type Access,
  CALLER_KINDS,
  type CallerKind,
  type ProcedurePath,
  procedurePathsOf,
} from '../../src/server/access';
import type { Session } from '../../src/server/context';
import { APP_ERROR_CODES, type AppErrorCode } from '../../src/server/errors';
import type { GraderTransport } from '../../src/server/grader/transport';
import { type AppRouter, appRouter } from '../../src/server/root';
import { clearContentCache } from '../../src/server/services/content';
import { answerAfterKey } from '../../src/server/services/settings';
import {
  callerFor,
  courseIdOf,
  createTestDb,
  makeUser,
  publishTestCourse,
  testCourse,
} from './helpers';

const COURSE = 'testcourse';
/** A second course, studied by cohort C with its own instructor (no caller kind is in it). */
const OTHER_COURSE = 'othercourse';

/** The test course under another slug, with its own answers. */
function otherCourse(): CompiledCourse {
  const course = testCourse();
  return {
    ...course,
    id: OTHER_COURSE,
    title: 'Other course',
    hash: `${course.hash}-${OTHER_COURSE}`,
    chapters: course.chapters.map((ch) => ({
      ...ch,
      courseId: OTHER_COURSE,
      tasks: ch.tasks.map((t) => ({ ...t, answer: `ANSWER-OF-${OTHER_COURSE}-${t.id}\n` })),
    })),
  };
}

type SignedInKind = Exclude<CallerKind, 'anonymous'>;

/** A signed-in caller and their own work in the course (seeded: one graded attempt, a draft). */
type Person = {
  kind: SignedInKind;
  session: Session;
  userId: string;
  attemptId: string;
  attemptCode: string;
  draftCode: string;
};

type At<T, P extends string> = P extends `${infer H}.${infer R}`
  ? H extends keyof T
    ? At<T[H], R>
    : never
  : P extends keyof T
    ? T[P]
    : never;
type InputOf<P extends ProcedurePath> = At<inferRouterInputs<AppRouter>, P>;
type OutputOf<P extends ProcedurePath> = At<inferRouterOutputs<AppRouter>, P>;

/** `self`: the caller (null signed out); `target`: whose objects the input names. */
type Who = { self: Person | null; target: Person };

type Sample<P extends ProcedurePath> = {
  /** a valid input for the fixture */
  input: (who: Who) => InputOf<P>;
  /**
   * the input names the target's object (an attempt id): for `own`, another user's is refused
   * with this appCode (a NOT_FOUND that hides it exists)
   */
  namesObject?: AppErrorCode;
  /**
   * the appCode of a signed-in caller's `deny` (signed out: always UNAUTHORIZED), or one per
   * caller kind (a role refusal for students, a hiding NOT_FOUND for another cohort's staff)
   */
  refusedAs?: AppErrorCode | Partial<Record<SignedInKind, AppErrorCode>>;
  /** business errors an `allow`/`own` call may end with (not about who calls); default none */
  businessErrors?: readonly AppErrorCode[];
  /** what an allowed answer must show (for `own`: the caller's own work) */
  check?: (result: OutputOf<P>, who: Who) => void;
};

const task = { courseSlug: COURSE, taskId: 't1' } as const;

/** Solved tasks of the course in the caller's progress: only the student solved t1 (seeded). */
const solvedBy = (self: Person | null) => (self ? (self.kind === 'student' ? 1 : 0) : null);

/** Cohort A, as the dashboards name it. */
const cohortA = { cohort: 'cohort-a' } as const;
/** Students: not an instructor; cohort B's instructor: cohort A hides that it exists. */
const COHORT_REFUSALS = {
  student: 'FORBIDDEN',
  otherStudent: 'FORBIDDEN',
  otherInstructor: 'COHORT_NOT_FOUND',
} as const;

/** One valid input per procedure (a type error when a procedure has none). */
const SAMPLES: { [P in ProcedurePath]: Sample<P> } = {
  'health.check': {
    input: () => undefined,
    check: (r, { self }) => expect(r.user?.id ?? null).toBe(self?.userId ?? null),
  },
  'course.list': {
    input: () => undefined,
    check: (r, { self }) =>
      expect(r.find((c) => c.slug === COURSE)?.progress?.solved ?? null).toBe(solvedBy(self)),
  },
  'course.get': {
    input: () => ({ course: COURSE }),
    check: (r, { self }) => expect(r.chapters[0]?.progress?.solved ?? null).toBe(solvedBy(self)),
  },
  'course.continue': {
    input: () => ({ course: COURSE }),
    check: (r) => expect(r?.chapterId).toBe('c1'),
  },
  'chapter.get': {
    input: () => ({ course: COURSE, chapter: 'c1' }),
    check: (r, { self }) => {
      expect(r.progress?.solved ?? null).toBe(solvedBy(self));
      const t1 = r.chapter.tasks.find((t) => t.id === 't1');
      expect(t1?.draft?.code ?? null).toBe(self?.draftCode ?? null);
      // hints and answers at once for the course's staff only: admin, cohort A and B's
      // instructors (both cohorts study this course); anyone else once opened/revealed
      const staff = ['admin', 'instructor', 'otherInstructor'].includes(self?.kind ?? '');
      for (const task of r.chapter.tasks.filter((x) => x.kind === 'program')) {
        expect(task.answer !== null, `${task.id} answer`).toBe(staff || task.answerState.revealed);
        expect(task.hint !== null, `${task.id} hint`).toBe(
          staff || Boolean(task.progress?.hintOpened),
        );
      }
    },
  },
  'draft.get': {
    input: () => task,
    check: (r, { self }) => expect(r?.code).toBe(self?.draftCode),
  },
  'draft.save': {
    // saves the caller's seeded draft again: later checks still see it
    input: ({ self }) => ({ ...task, code: self?.draftCode ?? 'print("anonymous")' }),
  },
  'attempt.submit': {
    input: () => ({ ...task, code: 'print("submitted")' }),
    check: (r) => expect(r.status).toBe('queued'),
  },
  'attempt.recordQuick': {
    input: () => ({
      ...task,
      code: 'print("quick")',
      result: { status: 'passed', tests: [{ name: 'public', status: 'passed', message: null }] },
    }),
  },
  'attempt.get': {
    input: ({ target }) => ({ id: target.attemptId, courseSlug: COURSE }),
    namesObject: 'ATTEMPT_NOT_FOUND',
    // call() passes a subscription's first value, not the iterable
    check: (r, { target }) => expect((r as unknown as { id: string }).id).toBe(target.attemptId),
  },
  'attempt.list': {
    input: () => ({ ...task, stage: 'final' }),
    check: (r, { self }) => expect(r.map((a) => a.id)).toContain(self?.attemptId),
  },
  'attempt.watch': {
    input: ({ target }) => ({ id: target.attemptId, courseSlug: COURSE }),
    namesObject: 'ATTEMPT_NOT_FOUND',
    // call() passes a subscription's first value, not the iterable
    check: (r, { target }) => expect((r as unknown as { id: string }).id).toBe(target.attemptId),
  },
  'progress.openHint': {
    input: () => task,
    check: (r) => expect(r.taskId).toBe('t1'),
  },
  'progress.revealAnswer': {
    input: () => task,
    check: (r) => expect(r.answer).toContain('ANSWER-OF-t1'),
  },
  'settings.signup': { input: () => undefined },
  'settings.get': { input: () => undefined, refusedAs: 'FORBIDDEN' },
  'settings.setSignup': { input: () => ({ enabled: true }), refusedAs: 'FORBIDDEN' },
  // the fixture's own value: the answers stay open after one failed final check
  'settings.setAnswerAfterFailedAttempts': {
    input: () => ({ course: COURSE, attempts: 1 }),
    refusedAs: 'FORBIDDEN',
  },

  // the admins' console: FORBIDDEN for everyone signed in but the admin; the admin's calls
  // leave the fixture as it was (a role set to what it is, an active user activated, a
  // cohort's own course, a member already there); the rest are in admin-*.test.ts
  'admin.users.list': {
    input: () => ({ query: 'example.test' }),
    refusedAs: 'FORBIDDEN',
    check: (r) => expect(r.total).toBeGreaterThanOrEqual(6),
  },
  'admin.users.setRole': {
    input: ({ target }) => ({ userId: target.userId, role: 'student' }),
    refusedAs: 'FORBIDDEN',
    check: (r) => expect(r.role).toBe('student'),
  },
  'admin.users.setActive': {
    input: ({ target }) => ({ userId: target.userId, active: true }),
    refusedAs: 'FORBIDDEN',
    check: (r) => expect(r.disabledAt).toBeNull(),
  },
  'admin.users.resetLink': {
    input: ({ target }) => ({ userId: target.userId }),
    refusedAs: 'FORBIDDEN',
    check: (r) => expect(r.path).toMatch(/^\/reset-password\?token=/),
  },
  'admin.cohorts.list': {
    input: () => undefined,
    refusedAs: 'FORBIDDEN',
    check: (r) => expect(r.cohorts.map((c) => c.slug)).toContain('cohort-a'),
  },
  'admin.cohorts.get': {
    input: () => ({ cohortId: 'cohort-a' }),
    refusedAs: 'FORBIDDEN',
    check: (r, { target }) => expect(r.members.map((m) => m.userId)).toContain(target.userId),
  },
  'admin.cohorts.create': {
    // the slug is taken: refused, and no cohort is added under others' checks
    input: () => ({ slug: 'cohort-a', name: 'Sample' }),
    refusedAs: 'FORBIDDEN',
    businessErrors: ['INVALID_INPUT'],
  },
  'admin.cohorts.setCourse': {
    input: () => ({ cohortId: 'cohort-a', courseSlug: COURSE }),
    refusedAs: 'FORBIDDEN',
    check: (r) => expect(r.course?.slug).toBe(COURSE),
  },
  'admin.cohorts.addInstructor': {
    input: () => ({ cohortId: 'cohort-a', email: 'instructor@example.test' }),
    refusedAs: 'FORBIDDEN',
  },
  'admin.cohorts.removeMember': {
    // the admin is in no cohort: nothing to remove
    input: ({ self }) => ({ cohortId: 'cohort-a', userId: self?.userId ?? 'nobody' }),
    refusedAs: 'FORBIDDEN',
    businessErrors: ['NOT_FOUND'],
  },
  'admin.cohorts.enrol': {
    input: () => ({ cohortId: 'cohort-a', text: 'student@example.test', format: 'lines' }),
    refusedAs: 'FORBIDDEN',
    check: (r) => expect(r.rejected.map((x) => x.reason)).toEqual(['already_enrolled']),
  },
  'admin.content.list': {
    input: () => undefined,
    refusedAs: 'FORBIDDEN',
    check: (r) => expect(r.map((c) => c.slug)).toContain(COURSE),
  },
  'admin.content.importZip': {
    input: () => ({ zipBase64: Buffer.from('not a zip').toString('base64') }),
    refusedAs: 'FORBIDDEN',
    check: (r) => expect(r.ok).toBe(false),
  },
  'admin.content.draft': {
    input: () => ({ course: COURSE }),
    refusedAs: 'FORBIDDEN',
    check: (r) => expect(r.published).not.toBeNull(),
  },
  // the fixture's release has no source files: nothing to draft, edit or publish
  'admin.content.startDraft': {
    input: () => ({ course: COURSE }),
    refusedAs: 'FORBIDDEN',
    businessErrors: ['INVALID_INPUT'],
  },
  'admin.content.preview': {
    input: () => ({ course: COURSE, path: 'c1/text.md', text: '# One\n' }),
    refusedAs: 'FORBIDDEN',
    businessErrors: ['INVALID_INPUT'],
  },
  'admin.content.saveFile': {
    input: () => ({ course: COURSE, path: 'c1/text.md', text: '# One\n' }),
    refusedAs: 'FORBIDDEN',
    businessErrors: ['INVALID_INPUT'],
  },
  'admin.content.publish': {
    input: () => ({ course: COURSE }),
    refusedAs: 'FORBIDDEN',
    businessErrors: ['INVALID_INPUT'],
  },
  'admin.content.discardDraft': {
    input: () => ({ course: COURSE }),
    refusedAs: 'FORBIDDEN',
    businessErrors: ['INVALID_INPUT'],
  },
  'admin.content.history': {
    input: () => ({ course: COURSE }),
    refusedAs: 'FORBIDDEN',
    check: (r) => expect(r.map((x) => x.status)).toContain('published'),
  },
  'admin.content.diff': {
    input: () => ({ from: 'no-such-release', to: 'no-such-release' }),
    refusedAs: 'FORBIDDEN',
    businessErrors: ['NOT_FOUND'],
  },
  'admin.content.rollback': {
    input: () => ({ releaseId: 'no-such-release' }),
    refusedAs: 'FORBIDDEN',
    businessErrors: ['NOT_FOUND'],
  },
  // no draft in the fixture: nothing to validate or re-grade (no job starts)
  'admin.content.validate': {
    input: () => ({ course: COURSE, quick: true }),
    refusedAs: 'FORBIDDEN',
    businessErrors: ['INVALID_INPUT'],
  },
  'admin.content.impact': {
    input: () => ({ course: COURSE }),
    refusedAs: 'FORBIDDEN',
    businessErrors: ['INVALID_INPUT'],
  },
  'admin.content.jobs': {
    input: () => ({ course: COURSE }),
    refusedAs: 'FORBIDDEN',
    check: (r) => expect(r).toEqual({ draftId: null, validate: null, impact: null }),
  },
  'admin.audit': {
    input: () => ({ action: 'settings.' }),
    refusedAs: 'FORBIDDEN',
    check: (r) => {
      expect(r.entries).toHaveLength(Math.min(r.total, 50));
      for (const e of r.entries) expect(e.action.startsWith('settings.')).toBe(true);
    },
  },

  'cohort.mine': {
    input: () => undefined,
    refusedAs: 'FORBIDDEN',
    check: (r, { self }) => {
      const slugs = r.map((c) => c.slug).sort();
      if (self?.kind === 'admin') expect(slugs).toEqual(['cohort-a', 'cohort-b', 'cohort-c']);
      else expect(slugs).toEqual([self?.kind === 'instructor' ? 'cohort-a' : 'cohort-b']);
    },
  },
  'cohort.overview': {
    input: () => cohortA,
    refusedAs: COHORT_REFUSALS,
    check: (r, { target }) => {
      const i = r.students.findIndex((s) => s.id === target.userId);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(r.cells.find((c) => c[0] === i)?.[2]).toBe('first_try');
    },
  },
  'cohort.pulse': {
    input: () => cohortA,
    refusedAs: COHORT_REFUSALS,
    check: (r) => expect(r.version).toMatch(/\d/),
  },
  'cohort.task': {
    input: () => ({ ...cohortA, taskId: 't1' }),
    refusedAs: COHORT_REFUSALS,
    check: (r) => expect([r.students, r.solved]).toEqual([1, 1]),
  },
  'cohort.groups': {
    input: () => ({ ...cohortA, taskId: 't1' }),
    refusedAs: COHORT_REFUSALS,
    // cohort A's only student solved t1: no wrong answers (the staff's own failures are not
    // a cohort's students')
    check: (r) => expect(r.groups).toEqual([]),
  },
  'cohort.groupAttempts': {
    input: () => ({ ...cohortA, taskId: 't1', failKey: 'abc123' }),
    refusedAs: COHORT_REFUSALS,
    check: (r) => expect(r).toEqual([]),
  },
  'cohort.setGroupNote': {
    input: () => ({ ...cohortA, taskId: 't1', failKey: 'abc123', body: 'Read the task again.' }),
    refusedAs: COHORT_REFUSALS,
    check: (r) => expect(r?.body).toBe('Read the task again.'),
  },
  'cohort.attention': {
    input: () => cohortA,
    refusedAs: COHORT_REFUSALS,
    check: (r) => expect(r.struggling).toEqual([]),
  },
  'cohort.setAttention': {
    input: () => ({
      ...cohortA,
      failedAttempts: 3,
      withinMinutes: 30,
      inactiveDays: 7,
      groupGrowth: 3,
    }),
    refusedAs: COHORT_REFUSALS,
  },
  'cohort.disagreements': {
    input: () => cohortA,
    refusedAs: COHORT_REFUSALS,
    check: (r) => expect(r.programs).toEqual([]),
  },
  'cohort.student': {
    input: ({ target }) => ({ ...cohortA, studentId: target.userId }),
    refusedAs: COHORT_REFUSALS,
    check: (r, { target }) => {
      expect(r.student.id).toBe(target.userId);
      expect(r.events.some((e) => e.kind === 'attempt' && e.code === target.attemptCode)).toBe(
        true,
      );
    },
  },
  'cohort.charts': {
    input: () => cohortA,
    refusedAs: COHORT_REFUSALS,
    check: (r) => expect(r.attemptsToSolve).toEqual([{ attempts: 1, students: 1 }]),
  },
};

let t: Awaited<ReturnType<typeof createTestDb>>;
let db: Db;
let people: Record<SignedInKind, Person>;
let callers: Record<CallerKind, ReturnType<typeof callerFor>>;
/** The instructor of cohort C, which studies OTHER_COURSE (not a caller kind of the table). */
let otherCourseInstructor: ReturnType<typeof callerFor>;

/** Final checks are stored and handed here, never graded: nothing changes behind a test's back. */
const dispatched: string[] = [];
const fakeGrader: GraderTransport = {
  kind: 'fake',
  dispatch: async (id) => {
    dispatched.push(id);
  },
};

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  clearContentCache();
  await publishTestCourse(db);
  const courseId = await courseIdOf(db, COURSE);
  // one failed final check opens a task's answer (DEFAULT 3): revealAnswer is allowed for all
  await setSetting(db, { key: answerAfterKey(COURSE), value: '1', actorId: null });

  const cohortA = await createCohort(db, { slug: 'cohort-a', name: 'A', courseSlug: COURSE });
  const cohortB = await createCohort(db, { slug: 'cohort-b', name: 'B', courseSlug: COURSE });
  // a second course, its own cohort and instructor
  await publishCompiledCourse(db, { compiled: otherCourse(), source: {}, publishedById: null });
  const cohortC = await createCohort(db, {
    slug: 'cohort-c',
    name: 'C',
    courseSlug: OTHER_COURSE,
  });
  const teacherC = await makeUser(db, 'instructor', 'instructor-c@example.test');
  await addMember(db, { cohortId: cohortC.id, userId: teacherC.user.id, role: 'instructor' });
  otherCourseInstructor = callerFor(db, teacherC.session, { grader: fakeGrader });
  const roles = {
    student: { role: 'student', cohort: cohortA.id },
    otherStudent: { role: 'student', cohort: cohortB.id },
    instructor: { role: 'instructor', cohort: cohortA.id },
    otherInstructor: { role: 'instructor', cohort: cohortB.id },
    admin: { role: 'admin', cohort: null },
  } as const;

  const made = await Promise.all(
    (Object.keys(roles) as SignedInKind[]).map(async (kind): Promise<Person> => {
      const { role, cohort } = roles[kind];
      const { user, session } = await makeUser(db, role, `${kind}@example.test`);
      if (cohort) {
        await addMember(db, {
          cohortId: cohort,
          userId: user.id,
          role: role === 'instructor' ? 'instructor' : 'student',
        });
      }
      // everyone's own work in the course: the student solved t1, the others failed it once
      const attemptCode = `# ATTEMPT-OF-${kind}\n`;
      const draftCode = `# DRAFT-OF-${kind}\n`;
      const { attempt } = await createAttempt(db, {
        userId: user.id,
        courseId,
        taskId: 't1',
        stage: 'final',
        code: attemptCode,
      });
      await recordAttemptResult(
        db,
        { attemptId: attempt.id },
        { status: kind === 'student' ? 'passed' : 'failed' },
      );
      await upsertDraft(db, { userId: user.id, courseId, taskId: 't1', code: draftCode });
      return { kind, session, userId: user.id, attemptId: attempt.id, attemptCode, draftCode };
    }),
  );
  people = Object.fromEntries(made.map((p) => [p.kind, p])) as Record<SignedInKind, Person>;
  callers = Object.fromEntries(
    CALLER_KINDS.map((kind) => [
      kind,
      callerFor(db, kind === 'anonymous' ? null : people[kind].session, {
        grader: fakeGrader,
        submitsPerMinute: 1000,
      }),
    ]),
  ) as Record<CallerKind, ReturnType<typeof callerFor>>;
}, 120_000);

afterAll(async () => {
  await t?.cleanup();
});

type Outcome = { ok: true; value: unknown } | { ok: false; code: string; appCode: string | null };

/** Calls `path` as `kind`; a subscription's answer is its first value. */
async function call(kind: CallerKind, path: ProcedurePath, input: unknown): Promise<Outcome> {
  const fn = path
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], callers[kind]) as (
    input: unknown,
  ) => Promise<unknown>;
  const procedures = appRouter._def.procedures as unknown as Record<
    string,
    { _def: { type: string } }
  >;
  try {
    const out = await fn(input);
    if (procedures[path]?._def.type === 'subscription') {
      for await (const first of out as AsyncIterable<unknown>) return { ok: true, value: first };
      return { ok: true, value: undefined };
    }
    return { ok: true, value: out };
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    const appCode = (error as { appCode?: string }).appCode ?? null;
    return { ok: false, code: error.code, appCode };
  }
}

/** The refusal a `deny` cell must end with: its tRPC code and appCode, nothing else. */
function refusalOf(path: ProcedurePath, kind: CallerKind): { code: string; appCode: string } {
  const refusedAs = (SAMPLES[path] as Sample<ProcedurePath>).refusedAs;
  const appCode: AppErrorCode | undefined =
    kind === 'anonymous'
      ? 'UNAUTHORIZED'
      : typeof refusedAs === 'string'
        ? refusedAs
        : refusedAs?.[kind];
  if (!appCode) throw new Error(`${path}: a signed-in deny cell needs the sample's refusedAs`);
  return { code: APP_ERROR_CODES[appCode], appCode };
}

/** What a call ended with, to compare with what a cell expects. */
const outcomeOf = (o: Outcome) =>
  o.ok ? { ok: true } : { ok: false, code: o.code, appCode: o.appCode };

const describeOutcome = (o: Outcome) =>
  o.ok ? 'succeeded' : `failed with ${o.code}${o.appCode ? ` (${o.appCode})` : ''}`;

/** Whose work an `own` call must leave alone and never show. */
const victimOf = (self: Person): Person =>
  self.kind === 'student' ? people.otherStudent : people.student;

/** A user's rows of students' work, to compare before and after a call. */
async function footprint(userId: string): Promise<string> {
  const where = { userId };
  const orderBy = { id: 'asc' } as const;
  return JSON.stringify(
    await Promise.all([
      db.attempt.findMany({ where, orderBy }),
      db.draft.findMany({ where, orderBy }),
      db.progress.findMany({ where, orderBy }),
    ]),
  );
}

it('every procedure of appRouter has an entry in the access table and a sample, and back', () => {
  const procedures = procedurePathsOf(appRouter);
  expect(procedures.length).toBeGreaterThan(0);
  expect(Object.keys(ACCESS).sort(), 'access.ts ACCESS vs appRouter').toEqual(procedures);
  expect(Object.keys(SAMPLES).sort(), 'SAMPLES in this file vs appRouter').toEqual(procedures);
  for (const path of procedures) {
    const entry = ACCESS[path as ProcedurePath];
    for (const kind of CALLER_KINDS) {
      expect(['allow', 'own', 'deny'], `${path} × ${kind}`).toContain(entry[kind]);
    }
  }
});

// the cells of procedures that exist: one a procedure lacks fails the test above
const cells = procedurePathsOf(appRouter)
  .filter((path): path is ProcedurePath => path in ACCESS)
  .flatMap((path) =>
    CALLER_KINDS.map((kind) => ({ path, kind, access: ACCESS[path][kind] as Access })),
  );

for (const { path, kind, access } of cells) {
  const sample = SAMPLES[path] as Sample<ProcedurePath>;

  it(`${path} as ${kind}: ${access}`, async () => {
    const self = kind === 'anonymous' ? null : people[kind];
    // allow and deny name the student's (cohort A's) objects; own names the caller's own
    const target = access === 'own' && self ? self : people.student;
    const who = { self, target };
    const victim = access === 'own' && self ? victimOf(self) : null;
    const before = victim ? await footprint(victim.userId) : null;

    const outcome = await call(kind, path, sample.input(who));

    if (access === 'deny') {
      expect(outcomeOf(outcome), describeOutcome(outcome)).toEqual({
        ok: false,
        ...refusalOf(path, kind),
      });
      return;
    }
    // allowed: a success, or one of the procedure's listed business errors (never a refusal,
    // an internal error, or a NOT_FOUND of a bad sample)
    const business =
      !outcome.ok && (sample.businessErrors ?? []).some((c) => c === outcome.appCode);
    expect(outcome.ok || business, describeOutcome(outcome)).toBe(true);
    if (outcome.ok) sample.check?.(outcome.value as never, who);

    if (victim && before !== null) {
      // nothing of the other user's work in the answer, nor changed by the call
      const answer = JSON.stringify(outcome.ok ? (outcome.value ?? null) : null);
      for (const marker of [victim.attemptId, victim.attemptCode, victim.draftCode]) {
        expect(answer).not.toContain(JSON.stringify(marker).slice(1, -1));
      }
      expect(await footprint(victim.userId)).toBe(before);
      if (sample.namesObject) {
        const foreign = await call(kind, path, sample.input({ self, target: victim }));
        expect(outcomeOf(foreign), "another user's object").toEqual({
          ok: false,
          code: APP_ERROR_CODES[sample.namesObject],
          appCode: sample.namesObject,
        });
      }
    }
  });
}

it('final checks went to the fake grader only, one per signed-in caller', () => {
  // attempt.submit is `own` for the five signed-in kinds, refused signed out
  expect(dispatched).toHaveLength(
    CALLER_KINDS.filter((k) => ACCESS['attempt.submit'][k] !== 'deny').length,
  );
});

describe('staff of one course are readers in another (hints and answers)', () => {
  const page = (api: ReturnType<typeof callerFor>, course: string) =>
    api.chapter.get({ course, chapter: 'c1' });
  /** revealAnswer of t2 (nobody's final checks there): what it ended with */
  async function reveal(api: ReturnType<typeof callerFor>, courseSlug: string) {
    try {
      await api.progress.revealAnswer({ courseSlug, taskId: 't2' });
      return { ok: true };
    } catch (error) {
      if (!(error instanceof TRPCError)) throw error;
      return { ok: false, code: error.code, appCode: (error as { appCode?: string }).appCode };
    }
  }
  const locked = { ok: false, code: 'FORBIDDEN', appCode: 'ANSWER_LOCKED' };
  const answers = (r: Awaited<ReturnType<typeof page>>) =>
    r.chapter.tasks.map((task) => [task.answer, task.hint !== null, task.answerState.available]);

  it("course A's instructors get none of course B's hints and answers", async () => {
    for (const kind of ['instructor', 'otherInstructor'] as const) {
      const r = await page(callers[kind], OTHER_COURSE);
      expect(answers(r), kind).toEqual([
        [null, false, false],
        [null, false, false],
      ]);
      expect(JSON.stringify(r)).not.toContain(`ANSWER-OF-${OTHER_COURSE}`);
      expect(await reveal(callers[kind], OTHER_COURSE), kind).toEqual(locked);
    }
  });

  it("course B's instructor gets course B's at once, and none of course A's", async () => {
    const own = await page(otherCourseInstructor, OTHER_COURSE);
    expect(answers(own)).toEqual([
      [`ANSWER-OF-${OTHER_COURSE}-t1\n`, true, true],
      [`ANSWER-OF-${OTHER_COURSE}-t2\n`, true, true],
    ]);
    expect(await reveal(otherCourseInstructor, OTHER_COURSE)).toEqual({ ok: true });
    const other = await page(otherCourseInstructor, COURSE);
    expect(answers(other)).toEqual([
      [null, false, false],
      [null, false, false],
    ]);
    expect(await reveal(otherCourseInstructor, COURSE)).toEqual(locked);
  });

  it("an admin gets every course's at once; an instructor in no cohort, none", async () => {
    const admin = await page(callers.admin, OTHER_COURSE);
    expect(admin.chapter.tasks.map((task) => task.answer)).toEqual([
      `ANSWER-OF-${OTHER_COURSE}-t1\n`,
      `ANSWER-OF-${OTHER_COURSE}-t2\n`,
    ]);
    const { session } = await makeUser(db, 'instructor');
    const loner = callerFor(db, session, { grader: fakeGrader });
    for (const course of [COURSE, OTHER_COURSE]) {
      expect(answers(await page(loner, course)), course).toEqual([
        [null, false, false],
        [null, false, false],
      ]);
      expect(await reveal(loner, course), course).toEqual(locked);
    }
  });
});
