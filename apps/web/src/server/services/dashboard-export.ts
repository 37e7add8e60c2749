import { cohortAttemptsPage } from '@lms/db';
import { stringify } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';
import type { SignedInContext } from '../context';
import { overview, watchableCohort } from './dashboard';

/**
 * The dashboards' CSV exports (RFC 4180, made by csv-stringify, formulas escaped: students
 * choose their names): the matrix (one row per
 * student, one column per task) and every attempt (one row per attempt, streamed a page at a
 * time so a cohort's 100,000 attempts never sit in memory at once).
 */

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : '');

/** The progress matrix as CSV: a cell is "<state> (<final attempts>)", empty when not started. */
export async function matrixCsv(ctx: SignedInContext, ref: string): Promise<string> {
  const o = await overview(ctx, ref);
  const cells = new Map(o.cells.map((c) => [`${c[0]}/${c[1]}`, c]));
  const header = [
    'student',
    'email',
    'solved',
    'attempted',
    'last_activity',
    ...o.tasks.map((t) => t.id),
  ];
  const rows = o.students.map((s, si) => [
    s.name,
    s.email,
    s.solved,
    s.attempted,
    iso(s.lastActivityAt),
    ...o.tasks.map((_, ti) => {
      const c = cells.get(`${si}/${ti}`);
      return c ? `${c[2]} (${c[3]})` : '';
    }),
  ]);
  return stringifySync([header, ...rows], { escape_formulas: true });
}

const PAGE = 2000;

/** Every attempt of the cohort's students in the course, oldest first, as a CSV stream. */
export async function attemptsCsv(
  ctx: SignedInContext,
  ref: string,
): Promise<ReadableStream<Uint8Array>> {
  const scope = await watchableCohort(ctx, ref);
  const chapterOf = new Map(
    scope.published.course.chapters.flatMap((c) => c.tasks.map((t) => [t.id, c.id] as const)),
  );
  const csv = stringify({
    header: true,
    // a cell a spreadsheet would run as a formula (a name starting with =, +, -, @) is quoted
    escape_formulas: true,
    columns: [
      'attempt_id',
      'student',
      'email',
      'task',
      'chapter',
      'release',
      'stage',
      'status',
      'tests_passed',
      'tests_total',
      'created_at',
      'graded_at',
      'duration_ms',
      'engine',
      'python_version',
    ],
  });
  const encoder = new TextEncoder();
  let after: string | null = null;
  let ended = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // one page of rows per pull: the stream's reader sets the pace
      if (ended) return;
      const rows = await cohortAttemptsPage(ctx.db, { ...scope, after, take: PAGE });
      for (const a of rows) {
        csv.write([
          a.id,
          a.user.name,
          a.user.email,
          a.taskId,
          chapterOf.get(a.taskId) ?? '',
          a.release?.version ?? '',
          a.stage,
          a.status,
          a.testsPassed ?? '',
          a.testsTotal ?? '',
          iso(a.createdAt),
          iso(a.gradedAt),
          a.durationMs ?? '',
          a.engine ?? '',
          a.pythonVersion ?? '',
        ]);
      }
      after = rows.at(-1)?.id ?? after;
      if (rows.length < PAGE) {
        ended = true;
        csv.end();
      }
      let chunk: unknown = csv.read();
      while (chunk !== null) {
        controller.enqueue(encoder.encode(String(chunk)));
        chunk = csv.read();
      }
      if (ended) controller.close();
    },
  });
}
