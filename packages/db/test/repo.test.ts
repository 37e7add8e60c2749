// The repository API on both providers, one describe per table; long because each provider
// runs the same cases (splitting by table would repeat the per-provider set-up in each file).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/client.ts';
import { DbError } from '../src/errors.ts';
import {
  addMember,
  audit,
  chapterProgress,
  cohortProgress,
  courseProgress,
  createAttempt,
  createCohort,
  createDraftRelease,
  createUser,
  finalAttemptsSince,
  findPublishedTask,
  getAttempt,
  getDraft,
  getPublishedRelease,
  getPublishedReleaseSummary,
  getTaskProgress,
  getUserByEmail,
  isInstructorOf,
  isSignupEnabled,
  listAttempts,
  listAuditLog,
  listCohortsForUser,
  listDrafts,
  listMembers,
  listPendingAttempts,
  listPublishedReleases,
  listReleases,
  listTaskProgress,
  MAX_CODE_CHARS,
  MAX_OUTPUT_CHARS,
  markAttemptRunning,
  publishCompiledCourse,
  publishRelease,
  recordAnswerRevealed,
  recordAttemptResult,
  recordHintOpened,
  recordQuickCheck,
  requeueAttempts,
  setSetting,
  setSignupEnabled,
  setUserRole,
  updateDraftRelease,
  upsertDraft,
  verifyPassword,
} from '../src/index.ts';
import { fixtureCourse, migratedDb, PROVIDERS_UNDER_TEST } from './helpers.ts';

const T1 = 'python_chapter_0010_task_0010';
const T2 = 'python_chapter_0010_task_0020';
const T3 = 'python_chapter_0020_task_0010';

describe.each(PROVIDERS_UNDER_TEST)('repository (%s)', (provider) => {
  let db: Db;
  let close: () => Promise<void>;
  let admin: { id: string };
  let student: { id: string };
  let student2: { id: string };
  let instructor: { id: string };
  /** the python course's id (published by the releases test): students' work is keyed by it */
  let py: string;

  beforeAll(async () => {
    ({ db, close } = await migratedDb(provider));
    admin = await createUser(db, {
      email: 'Admin@Example.org',
      name: 'A',
      role: 'admin',
      password: 'admin-secret',
    });
    instructor = await createUser(db, {
      email: 'i@example.org',
      name: 'I',
      role: 'instructor',
      password: 'pw-instructor',
    });
    student = await createUser(db, {
      email: 's1@example.org',
      name: 'S1',
      password: 'pw-student-1',
    });
    student2 = await createUser(db, { email: 's2@example.org', name: 'S2' });
  }, 60_000);
  afterAll(async () => close?.());

  it('users: normalized unique emails, argon2id credential account, roles with audit', async () => {
    expect(await getUserByEmail(db, 'admin@example.org')).toMatchObject({
      id: admin.id,
      role: 'admin',
    });
    await expect(createUser(db, { email: 'ADMIN@example.org', name: 'dup' })).rejects.toMatchObject(
      { code: 'CONFLICT' },
    );
    await expect(
      createUser(db, { email: 'x@y', name: 'bad', role: 'root' as never }),
    ).rejects.toBeInstanceOf(DbError);
    const acc = await db.account.findFirstOrThrow({
      where: { userId: admin.id },
      select: { providerId: true, accountId: true, password: true },
    });
    expect(acc.providerId).toBe('credential');
    expect(acc.accountId).toBe(admin.id);
    expect(acc.password).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword({ hash: acc.password!, password: 'admin-secret' })).toBe(true);
    expect(await verifyPassword({ hash: acc.password!, password: 'wrong' })).toBe(false);
    expect(await verifyPassword({ hash: 'garbage', password: 'x' })).toBe(false);

    const u = await setUserRole(db, { userId: student2.id, role: 'instructor', actorId: admin.id });
    expect(u.role).toBe('instructor');
    await setUserRole(db, { userId: student2.id, role: 'student', actorId: admin.id });
    const log = await listAuditLog(db, { action: 'user.role' });
    expect(log[0]).toMatchObject({
      actorId: admin.id,
      target: student2.id,
      payload: { from: 'instructor', to: 'student' },
    });
  });

  it('settings: sign-up on by default, toggled by an admin', async () => {
    expect(await isSignupEnabled(db)).toBe(true);
    await setSignupEnabled(db, false, admin.id);
    expect(await isSignupEnabled(db)).toBe(false);
    await setSignupEnabled(db, true, admin.id);
    expect(await isSignupEnabled(db)).toBe(true);
  });

  it('releases: publish, idempotent republish, immutability, archive of the previous version', async () => {
    const course = fixtureCourse();
    const first = await publishCompiledCourse(db, {
      compiled: course,
      source: { 'a.md': '# A' },
      publishedById: admin.id,
    });
    expect(first).toMatchObject({ created: true, release: { version: 1, status: 'published' } });
    py = first.release.course.id;
    const again = await publishCompiledCourse(db, {
      compiled: course,
      source: {},
      publishedById: admin.id,
    });
    expect(again).toMatchObject({ created: false, release: { id: first.release.id } });

    const published = await getPublishedRelease(db, 'python');
    expect(published?.id).toBe(first.release.id);
    expect((published!.compiled as { chapters: unknown[] }).chapters).toHaveLength(2);
    await expect(
      updateDraftRelease(db, first.release.id, { compiled: course, source: {} }),
    ).rejects.toMatchObject({ code: 'IMMUTABLE' });
    await expect(
      publishRelease(db, { releaseId: first.release.id, publishedById: admin.id }),
    ).rejects.toMatchObject({ code: 'IMMUTABLE' });

    const draft = await createDraftRelease(db, {
      compiled: { ...course, hash: 'fixture-hash-2' },
      source: {},
    });
    expect(draft).toMatchObject({ version: 2, status: 'draft' });
    expect((await getPublishedRelease(db, 'python'))?.id).toBe(first.release.id); // drafts are invisible
    await publishRelease(db, { releaseId: draft.id, publishedById: admin.id });
    const list = await listReleases(db, 'python');
    expect(list.map((r) => [r.version, r.status])).toEqual([
      [2, 'published'],
      [1, 'archived'],
    ]);
    expect((await listAuditLog(db, { action: 'release.publish' })).length).toBe(2);

    await expect(
      publishCompiledCourse(db, { compiled: { id: 'x' }, source: {}, publishedById: null }),
    ).rejects.toThrow(/compiled course: title/);
  });

  it('cohorts and memberships', async () => {
    const cohort = await createCohort(db, { slug: 'c1', name: 'Cohort 1', courseSlug: 'python' });
    expect(cohort.course?.slug).toBe('python');
    await expect(createCohort(db, { slug: 'c1', name: 'again' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await addMember(db, { cohortId: cohort.id, userId: student.id, role: 'student' });
    await addMember(db, { cohortId: cohort.id, userId: student2.id, role: 'student' });
    await addMember(db, { cohortId: cohort.id, userId: instructor.id, role: 'instructor' });
    await addMember(db, { cohortId: cohort.id, userId: instructor.id, role: 'instructor' }); // idempotent
    expect((await listMembers(db, cohort.id)).map((m) => m.role).sort()).toEqual([
      'instructor',
      'student',
      'student',
    ]);
    expect(await isInstructorOf(db, instructor.id, cohort.id)).toBe(true);
    expect(await isInstructorOf(db, student.id, cohort.id)).toBe(false);
    expect((await listCohortsForUser(db, student.id)).map((c) => c.slug)).toEqual(['c1']);
  });

  it('attempts: queued before grading, running, verdict recorded once, pending list for recovery', async () => {
    const { attempt, created } = await createAttempt(db, {
      userId: student.id,
      courseId: py,
      taskId: T1,
      stage: 'final',
      code: 'print(1)',
      idempotencyKey: 'sub-1',
    });
    expect(created).toBe(true);
    expect(attempt.status).toBe('queued');
    const retry = await createAttempt(db, {
      userId: student.id,
      courseId: py,
      taskId: T1,
      stage: 'final',
      code: 'print(1)',
      idempotencyKey: 'sub-1',
    });
    expect(retry).toMatchObject({ created: false, attempt: { id: attempt.id } });
    await expect(
      createAttempt(db, {
        userId: student2.id,
        courseId: py,
        taskId: T1,
        stage: 'final',
        code: '',
        idempotencyKey: 'sub-1',
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });

    expect((await listPendingAttempts(db)).map((a) => a.id)).toContain(attempt.id);
    expect(await markAttemptRunning(db, attempt.id)).toBe(true);
    const failed = await recordAttemptResult(
      db,
      { attemptId: attempt.id },
      {
        status: 'failed',
        results: [
          {
            name: 'prints 2',
            status: 'failed',
            message: 'expected 2',
            hidden: false,
            origin: 'public',
            durationMs: 3,
          },
        ],
        testsPassed: 0,
        testsTotal: 1,
        stdout: 'x'.repeat(MAX_OUTPUT_CHARS + 10),
        pythonImpl: 'cpython',
        pythonVersion: '3.11.2',
        engine: 'server',
        timings: { runMs: 12 },
      },
    );
    expect(failed.recorded).toBe(true);
    expect(failed.attempt).toMatchObject({
      status: 'failed',
      testsTotal: 1,
      pythonVersion: '3.11.2',
    });
    expect(failed.attempt.results?.[0]?.message).toBe('expected 2');
    expect(failed.attempt.stdout?.length).toBeLessThan(MAX_OUTPUT_CHARS + 100);
    expect(failed.attempt.stdout).toContain('[10 more characters cut]');
    // a retried job delivering the verdict again changes nothing
    const dup = await recordAttemptResult(db, { idempotencyKey: 'sub-1' }, { status: 'passed' });
    expect(dup).toMatchObject({ recorded: false, attempt: { status: 'failed' } });
    expect(await markAttemptRunning(db, attempt.id)).toBe(false);
    expect((await listPendingAttempts(db)).map((a) => a.id)).not.toContain(attempt.id);
    expect(
      await getTaskProgress(db, { userId: student.id, courseId: py, taskId: T1 }),
    ).toMatchObject({
      attempts: 1,
      firstSolvedAt: null,
    });
    await expect(
      recordAttemptResult(db, { attemptId: 'nope' }, { status: 'passed' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      recordAttemptResult(db, { attemptId: attempt.id }, { status: 'queued' as never }),
    ).rejects.toMatchObject({ code: 'INVALID' });
  });

  it('attempts: keep the message code with its parameters (verdicts and tests); old rows have none', async () => {
    const user = await createUser(db, { email: 'codes@example.org', name: 'C' });
    const { attempt } = await createAttempt(db, {
      userId: user.id,
      courseId: py,
      taskId: T1,
      stage: 'final',
      code: 'x',
    });
    expect(attempt.messageCode).toBeNull();
    const summary = {
      code: 'test_failed' as const,
      params: { test: 'wrapper_test' },
      detail: { code: 'exit_code' as const, params: { code: '3' } },
    };
    const graded = await recordAttemptResult(
      db,
      { attemptId: attempt.id },
      {
        status: 'failed',
        message: 'wrapper_test: код выхода 3',
        messageCode: summary,
        results: [
          {
            name: 'wrapper_test',
            status: 'failed',
            message: 'код выхода 3',
            messageCode: { code: 'exit_code', params: { code: '3' } },
            hidden: false,
            origin: 'wrapper',
            durationMs: 1,
          },
        ],
      },
    );
    expect(graded.attempt.messageCode).toEqual(summary);
    expect((await getAttempt(db, attempt.id))?.messageCode).toEqual(summary);
    expect((await getAttempt(db, attempt.id))?.results?.[0]?.messageCode).toEqual({
      code: 'exit_code',
      params: { code: '3' },
    });

    const quick = await recordQuickCheck(db, {
      userId: user.id,
      courseId: py,
      taskId: T1,
      code: 'y',
      result: {
        status: 'timeout',
        message: 'Программа не завершилась за 10 с и была остановлена',
        messageCode: { code: 'limit_wall', params: { seconds: 10 } },
      },
    });
    expect(quick.attempt.messageCode).toEqual({ code: 'limit_wall', params: { seconds: 10 } });
    const listed = await listAttempts(db, { userId: user.id, courseId: py, taskId: T1 });
    expect(listed.map((a) => a.messageCode?.code ?? null)).toEqual(['limit_wall', 'test_failed']);

    // a code this version does not know is refused on write and read as none
    const other = (
      await createAttempt(db, {
        userId: user.id,
        courseId: py,
        taskId: T1,
        stage: 'quick',
        code: 'z',
      })
    ).attempt;
    await expect(
      recordAttemptResult(
        db,
        { attemptId: other.id },
        { status: 'failed', messageCode: { code: 'made_up' as never } },
      ),
    ).rejects.toMatchObject({ code: 'INVALID' });
    await db.attempt.update({
      where: { id: other.id },
      data: { messageCode: { code: 'from_a_newer_version', params: {} } },
    });
    expect((await getAttempt(db, other.id))?.messageCode).toBeNull();
  });

  it('attempts: the final-attempt window a submit rate limit is decided on', async () => {
    const user = await createUser(db, { email: 'rate@example.org', name: 'R' });
    const since = new Date(Date.now() - 60_000);
    expect(await finalAttemptsSince(db, { userId: user.id, since, max: 10 })).toEqual({
      count: 0,
      oldestAt: null,
    });
    const created = [];
    for (const code of ['a = 1', 'b = 2', 'c = 3']) {
      const { attempt } = await createAttempt(db, {
        userId: user.id,
        courseId: py,
        taskId: T1,
        stage: 'final',
        code,
      });
      created.push(attempt);
    }
    // quick checks and other users' attempts are not counted
    await createAttempt(db, {
      userId: user.id,
      courseId: py,
      taskId: T1,
      stage: 'quick',
      code: 'q',
    });
    const other = await createUser(db, { email: 'rate2@example.org', name: 'R2' });
    await createAttempt(db, {
      userId: other.id,
      courseId: py,
      taskId: T1,
      stage: 'final',
      code: 'x',
    });
    const all = await finalAttemptsSince(db, { userId: user.id, since, max: 10 });
    expect(all).toEqual({ count: 3, oldestAt: created[0]!.createdAt });
    // counted up to max; the oldest stays the oldest
    expect(await finalAttemptsSince(db, { userId: user.id, since, max: 2 })).toEqual({
      count: 2,
      oldestAt: created[0]!.createdAt,
    });
    // attempts before the window are outside it
    const later = new Date(created[2]!.createdAt.getTime() + 1);
    expect(await finalAttemptsSince(db, { userId: user.id, since: later, max: 10 })).toEqual({
      count: 0,
      oldestAt: null,
    });
  });

  it('progress: quick checks are stored but do not solve; a passed final attempt does, once', async () => {
    const quick = await recordQuickCheck(db, {
      userId: student.id,
      courseId: py,
      taskId: T1,
      code: 'print(2)',
      result: { status: 'passed', engine: 'pyodide' },
    });
    expect(quick.attempt).toMatchObject({ stage: 'quick', status: 'passed' });
    let p = await getTaskProgress(db, { userId: student.id, courseId: py, taskId: T1 });
    expect(p).toMatchObject({ quickChecks: 1, attempts: 1, firstSolvedAt: null });

    const a = (
      await createAttempt(db, {
        userId: student.id,
        courseId: py,
        taskId: T1,
        stage: 'final',
        code: 'print(2)',
      })
    ).attempt;
    await recordAttemptResult(
      db,
      { attemptId: a.id },
      { status: 'passed', gradedAt: new Date('2030-01-01T00:00:00Z') },
    );
    const b = (
      await createAttempt(db, {
        userId: student.id,
        courseId: py,
        taskId: T1,
        stage: 'final',
        code: 'print(2)',
      })
    ).attempt;
    await recordAttemptResult(db, { attemptId: b.id }, { status: 'passed' });
    p = await getTaskProgress(db, { userId: student.id, courseId: py, taskId: T1 });
    expect(p.attempts).toBe(3);
    expect(p.firstSolvedAt?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(p.assisted).toBe(false);

    const c = (
      await createAttempt(db, {
        userId: student.id,
        courseId: py,
        taskId: T1,
        stage: 'final',
        code: '',
      })
    ).attempt;
    await recordAttemptResult(
      db,
      { attemptId: c.id },
      { status: 'sandbox_error', message: 'bwrap failed' },
    );
    expect(
      (await getTaskProgress(db, { userId: student.id, courseId: py, taskId: T1 })).attempts,
    ).toBe(3); // not the student's fault

    const history = await listAttempts(db, { userId: student.id, courseId: py, taskId: T1 });
    expect(history.map((h) => h.id)[0]).toBe(c.id);
    expect(history).toHaveLength(5);
    expect(
      await listAttempts(db, { userId: student.id, courseId: py, taskId: T1, stage: 'quick' }),
    ).toHaveLength(1);
  });

  it('progress: hint and answer; revealing the answer before solving marks the solve assisted', async () => {
    const h1 = await recordHintOpened(db, { userId: student.id, courseId: py, taskId: T2 });
    const h2 = await recordHintOpened(db, { userId: student.id, courseId: py, taskId: T2 });
    expect(h1.hintOpenedAt).toBeInstanceOf(Date);
    expect(h2.hintOpenedAt?.getTime()).toBe(h1.hintOpenedAt?.getTime());
    const r = await recordAnswerRevealed(db, { userId: student.id, courseId: py, taskId: T2 });
    expect(r).toMatchObject({ assisted: true });
    const a = (
      await createAttempt(db, {
        userId: student.id,
        courseId: py,
        taskId: T2,
        stage: 'final',
        code: 'x',
      })
    ).attempt;
    await recordAttemptResult(db, { attemptId: a.id }, { status: 'passed' });
    expect(
      await getTaskProgress(db, { userId: student.id, courseId: py, taskId: T2 }),
    ).toMatchObject({
      assisted: true,
      attempts: 1,
    });
    // revealing after solving does not make it assisted
    await recordAnswerRevealed(db, { userId: student.id, courseId: py, taskId: T1 });
    expect(
      (await getTaskProgress(db, { userId: student.id, courseId: py, taskId: T1 })).assisted,
    ).toBe(false);
  });

  it('chapter, course and cohort progress over the published task index', async () => {
    const course = await courseProgress(db, { userId: student.id, courseSlug: 'python' });
    expect(course).toMatchObject({ totalTasks: 3, solved: 2, attempted: 2, assisted: 1 });
    expect(course.chapters.map((c) => [c.chapterId, c.totalTasks, c.solved])).toEqual([
      ['python_chapter_0010', 2, 2],
      ['python_chapter_0020', 1, 0],
    ]);
    const ch = await chapterProgress(db, {
      userId: student.id,
      courseSlug: 'python',
      chapterId: 'python_chapter_0020',
    });
    expect(ch.tasks.map((t) => t.taskId)).toEqual([T3]);
    expect((await courseProgress(db, { userId: student2.id, courseSlug: 'python' })).solved).toBe(
      0,
    );

    const cohort = (await listCohortsForUser(db, student.id))[0]!;
    const cp = await cohortProgress(db, { cohortId: cohort.id });
    expect(cp.students.map((s) => [s.name, s.solved, s.quickChecks])).toEqual([
      ['S1', 2, 1],
      ['S2', 0, 0],
    ]);
    expect(cp.tasks.map((t) => [t.taskId, t.solvedBy])).toEqual([
      [T1, 1],
      [T2, 1],
      [T3, 0],
    ]);
    expect(cp.students[0]!.lastActivityAt).toBeInstanceOf(Date);
    await expect(cohortProgress(db, { cohortId: 'nope' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('drafts: one per user and task, last write wins', async () => {
    expect(await getDraft(db, { userId: student.id, courseId: py, taskId: T3 })).toBeNull();
    await upsertDraft(db, { userId: student.id, courseId: py, taskId: T3, code: 'a = 1' });
    await upsertDraft(db, { userId: student.id, courseId: py, taskId: T3, code: 'a = 2' });
    expect(await getDraft(db, { userId: student.id, courseId: py, taskId: T3 })).toMatchObject({
      code: 'a = 2',
    });
    expect(await db.draft.count({ where: { userId: student.id } })).toBe(1);
    await upsertDraft(db, { userId: student.id, courseId: py, taskId: T1, code: 'b = 1' });
    const both = await listDrafts(db, { userId: student.id, courseId: py, taskIds: [T3, T1, T2] });
    expect(both.map((d) => [d.taskId, d.code])).toEqual([
      [T1, 'b = 1'],
      [T3, 'a = 2'],
    ]);
    expect(await listDrafts(db, { userId: student2.id, courseId: py, taskIds: [T1, T3] })).toEqual(
      [],
    );
    expect(await listDrafts(db, { userId: student.id, courseId: py, taskIds: [] })).toEqual([]);
    await expect(
      upsertDraft(db, {
        userId: student.id,
        courseId: py,
        taskId: T3,
        code: 'x'.repeat(MAX_CODE_CHARS + 1),
      }),
    ).rejects.toMatchObject({ code: 'INVALID' });
  });

  it('audit entries keep their payload', async () => {
    await audit(db, {
      actorId: admin.id,
      action: 'test.action',
      target: 't',
      payload: { n: 1, list: ['a'] },
    });
    const [e] = await listAuditLog(db, { action: 'test.action' });
    expect(e).toMatchObject({ actorId: admin.id, target: 't', payload: { n: 1, list: ['a'] } });
  });

  it('web needs: published release/task lookups without content, requeue, startedAt, progress rows, audited setting with its own action', async () => {
    const published = await getPublishedRelease(db, 'python');
    const summary = await getPublishedReleaseSummary(db, 'python');
    expect(summary).toMatchObject({ id: published!.id, status: 'published' });
    expect(summary).not.toHaveProperty('compiled');
    expect(await getPublishedReleaseSummary(db, 'nope')).toBeNull();
    const all = await listPublishedReleases(db);
    expect(all.map((r) => [r.id, r.course.slug])).toEqual([[published!.id, 'python']]);
    expect(await findPublishedTask(db, { courseSlug: 'python', taskId: T3 })).toEqual({
      releaseId: published!.id,
      courseId: py,
      courseSlug: 'python',
      chapterId: 'python_chapter_0020',
      position: 2,
    });
    expect(await findPublishedTask(db, { courseId: py, taskId: T3 })).toMatchObject({
      releaseId: published!.id,
    });
    expect(
      await findPublishedTask(db, { courseSlug: 'python', taskId: 'no_such_task' }),
    ).toBeNull();
    expect(await findPublishedTask(db, { courseSlug: 'nope', taskId: T3 })).toBeNull();

    const { attempt } = await createAttempt(db, {
      userId: student2.id,
      courseId: py,
      taskId: T3,
      stage: 'final',
      code: 'x = 1',
    });
    expect(await requeueAttempts(db, [attempt.id])).toBe(0); // queued already
    expect(await markAttemptRunning(db, attempt.id)).toBe(true);
    expect(await requeueAttempts(db, [attempt.id])).toBe(1);
    expect(
      (await listAttempts(db, { userId: student2.id, courseId: py, taskId: T3 }))[0]!.status,
    ).toBe('queued');
    const startedAt = new Date('2026-01-02T03:04:05Z');
    await recordAttemptResult(db, { attemptId: attempt.id }, { status: 'failed', startedAt });
    expect(await requeueAttempts(db, [attempt.id])).toBe(0); // graded: left alone
    expect(await requeueAttempts(db, [])).toBe(0);
    const graded = (await listAttempts(db, { userId: student2.id, courseId: py, taskId: T3 }))[0]!;
    expect(graded).toMatchObject({ status: 'failed', startedAt });

    const rows = await listTaskProgress(db, {
      userId: student2.id,
      courseId: py,
      taskIds: [T1, T3],
    });
    expect(rows.map((r) => [r.taskId, r.attempts])).toEqual([[T3, 1]]);
    expect(await listTaskProgress(db, { userId: student2.id, courseId: py, taskIds: [] })).toEqual(
      [],
    );

    await setSetting(db, {
      key: 'signup.enabled',
      value: 'false',
      actorId: admin.id,
      action: 'settings.signup',
      payload: { enabled: false },
    });
    expect(await isSignupEnabled(db)).toBe(false);
    const [e] = await listAuditLog(db, { action: 'settings.signup' });
    expect(e).toMatchObject({
      actorId: admin.id,
      target: 'signup.enabled',
      payload: { enabled: false },
    });
    await setSignupEnabled(db, true, admin.id);
    const [d] = await listAuditLog(db, { action: 'setting.set' });
    expect(d).toMatchObject({ target: 'signup.enabled', payload: { value: 'true' } });
  });
});
