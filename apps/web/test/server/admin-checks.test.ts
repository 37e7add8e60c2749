// The admins' checks of a draft (services/admin-checks.ts) through the real grader service
// (apps/grader on a random port): validate = compile + the course doctor; impact = the
// students' latest final attempts graded again against the draft's tightened checks.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileCourseFiles, SHIPPED_COURSE_DIR } from '@lms/content';
import { type Db, publishCompiledCourse } from '@lms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContextInner, type SignedInContext } from '../../src/server/context';
import { gradeOverHttp } from '../../src/server/grader/http';
import { createInProcessTransport, type GradeFn } from '../../src/server/grader/pipeline';
import {
  type ImpactResult,
  startImpact,
  startValidation,
  type ValidationResult,
  validateFiles,
} from '../../src/server/services/admin-checks';
import { getJob, jobSettled } from '../../src/server/services/admin-jobs';
import { clearContentCache } from '../../src/server/services/content';
import { callerFor, createTestDb, makeUser, startGraderService } from './helpers';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const bin = `${repo}apps/grader/bin/lms-grader.mjs`;
const available = existsSync(bin) && existsSync('/usr/bin/python3');
if (!available && process.env.CI) throw new Error(`admin-checks test: ${bin} or python3 missing`);
if (!available) console.warn(`admin-checks test skipped: ${bin} or /usr/bin/python3 missing`);

const COURSE = 'python';
const CHAPTER = 'python_chapter_0320';
const TASK = 'python_chapter_0320_task_0020';
const TESTS = `${CHAPTER}/tasks/${TASK}/tests_public.py`;
const SECRET = 'admin-checks-secret-0123456789abcdef';

/** A stricter public test for task 0020: no debugging output left on stderr. */
const TIGHTENED = `

@test("Нет отладочного вывода в stderr")
def no_debug_output(run):
    assert run.stderr == "", "Уберите отладочный вывод в stderr."
`;

function shippedFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(SHIPPED_COURSE_DIR, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(SHIPPED_COURSE_DIR);
  return files;
}

let t: Awaited<ReturnType<typeof createTestDb>>;
let db: Db;
let grader: Awaited<ReturnType<typeof startGraderService>> | undefined;
let grade: GradeFn;

describe.skipIf(!available)('admin checks of a draft through the real grader', () => {
  beforeAll(async () => {
    t = await createTestDb();
    db = t.db;
    clearContentCache();
    const files = shippedFiles();
    const { course, errors } = compileCourseFiles(COURSE, files);
    expect(errors).toEqual([]);
    await publishCompiledCourse(db, { compiled: course, source: files, publishedById: null });

    // this file's own slot uids (other test files' graders use 61000–64999)
    grader = await startGraderService({ uidBase: 65500, secret: SECRET });
    const url = grader.url;
    grade = (request) => gradeOverHttp(request, { url, secret: SECRET, timeoutMs: 120_000 });
  }, 120_000);

  afterAll(async () => {
    await grader?.stop();
    await t?.cleanup();
  });

  it('impact: a passing attempt the tightened tests reject flips to failing, by name; validate passes the draft', async () => {
    // two students solve task 0020: one with a leftover debug print on stderr, one cleanly
    const transport = createInProcessTransport({ db, grade, log: (l) => console.warn(l) });
    const weak = await makeUser(db, 'student', 'weak@example.test');
    const clean = await makeUser(db, 'student', 'clean@example.test');
    const answer = compileCourseFiles(COURSE, shippedFiles()).course!.chapters[0]!.tasks.find(
      (x) => x.id === TASK,
    )!.answer;
    const debug = answer.replace(
      'import asyncio\n',
      'import asyncio\nimport sys\nprint("debug", file=sys.stderr)\n',
    );
    expect(debug).not.toBe(answer);
    const submit = (session: typeof weak.session, code: string) =>
      callerFor(db, session, { grader: transport }).attempt.submit({
        courseSlug: COURSE,
        taskId: TASK,
        code,
      });
    await Promise.all([submit(weak.session, debug), submit(clean.session, answer)]);
    await transport.idle();
    const statuses = await db.attempt.findMany({ select: { status: true, message: true } });
    expect(
      statuses.map((s) => s.status),
      JSON.stringify(statuses) + (grader?.log() ?? ''),
    ).toEqual(['passed', 'passed']);

    // the admin tightens the public tests in a draft
    const { session } = await makeUser(db, 'admin');
    const admin = callerFor(db, session);
    const ctx = createContextInner({ db, session }) as SignedInContext;
    await admin.admin.content.startDraft({ course: COURSE });
    const files = (await admin.admin.content.draft({ course: COURSE })).draft!.files;
    const saved = await admin.admin.content.saveFile({
      course: COURSE,
      path: TESTS,
      text: files[TESTS] + TIGHTENED,
    });
    expect(saved.ok).toBe(true);

    // impact and a quick validate run side by side, each a background job
    const impactStart = await startImpact(ctx, { course: COURSE }, grade);
    expect(impactStart?.state).toBe('running');
    const validateStart = await startValidation(ctx, { course: COURSE, quick: true }, grade);
    expect(validateStart?.state).toBe('running');
    const draftId = (await admin.admin.content.jobs({ course: COURSE })).draftId!;
    await Promise.all([jobSettled('impact', draftId), jobSettled('validate', draftId)]);

    const impact = getJob<ImpactResult>('impact', draftId)!;
    expect(impact.state, impact.error ?? '').toBe('done');
    expect(impact.done).toBe(2);
    expect(impact.total).toBe(2);
    const r = impact.result!;
    expect(r.changedTasks).toEqual([TASK]);
    expect(r.totals).toEqual({ students: 2, solvedToFailing: 1, failingToSolved: 0, errors: 0 });
    const task = r.tasks[0]!;
    expect(task.solvedToFailing.map((f) => f.email)).toEqual(['weak@example.test']);
    expect(task.solvedToFailing[0]!.name).toBe('student user');
    expect(task.unchanged).toBe(1);

    const validate = getJob<ValidationResult>('validate', draftId)!;
    expect(validate.state, validate.error ?? '').toBe('done');
    const v = validate.result!;
    expect(v.ok, JSON.stringify(v.errors)).toBe(true);
    expect(v.summary?.answers).toEqual({ total: 2, passed: 2, failed: [] });
    expect(v.summary?.starters).toEqual({ total: 2, failed: 2, passed: [] });
    expect(v.summary?.examples.mismatched).toEqual([]);
    expect(v.summary?.examples.total).toBeGreaterThan(0);
    expect(validate.done).toBe(validate.total);
    const answerOf0020 = v.items.find((i) => i.kind === 'answer' && i.taskId === TASK);
    expect(answerOf0020).toMatchObject({ ok: true, outcome: 'passed' });

    // the published release is untouched by either job
    const jobs = await admin.admin.content.jobs({ course: COURSE });
    expect(jobs.impact?.stale).toBe(false);
    expect((await admin.admin.content.list())[0]!.published?.version).toBe(1);
  }, 180_000);

  it('validate: a draft that does not compile reports where, and nothing runs', async () => {
    const files = shippedFiles();
    const text = `${CHAPTER}/text.md`;
    const broken = files[text]!.replace(`{.task_source #${TASK}}`, '{.task_source}');
    const line = broken.split('\n').findIndex((l) => l.includes('{.task_source}')) + 1;
    let graded = 0;
    const r = await validateFiles(
      COURSE,
      { ...files, [text]: broken },
      {
        quick: true,
        grade: async (request) => {
          graded++;
          return grade(request);
        },
      },
    );
    expect(r.ok).toBe(false);
    expect(r.summary).toBeNull();
    expect(graded).toBe(0);
    expect(r.errors.some((e) => e.file === text && e.line === line)).toBe(true);
  });
});
