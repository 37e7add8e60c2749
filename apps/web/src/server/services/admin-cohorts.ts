import {
  addMember,
  audit,
  createCohort,
  createPasswordResetToken,
  createUser,
  DbError,
  getCohort,
  getUserByEmail,
  isSignupEnabled,
  isUserDisabled,
  listCohorts,
  listCourses,
  listMembers,
  membershipRole,
  removeMember,
  setCohortCourse,
} from '@lms/db';
import { CsvError, parse as parseCsv } from 'csv-parse/sync';
import type { SignedInContext } from '../context';
import { AppError } from '../errors';
import { asAppErrors, refuse } from './admin-shared';
import { resetPath } from './admin-users';
import { hasRole } from './roles';

/* The admins' cohorts page (routers/admin.ts, adminProcedure): cohorts, their course, staff, enrolment. */

/** Lines (or CSV rows) one enrolment may hold. */
export const ENROL_MAX_ENTRIES = 2000;
/** How long an invited account's "set your password" link stays valid. */
export const INVITE_LINK_TTL_SECONDS = 7 * 24 * 3600;

/** Every cohort with its course and member counts, and the courses a cohort may study. */
export async function listCohortsAdmin(ctx: SignedInContext) {
  const [cohorts, courses] = await Promise.all([listCohorts(ctx.db), listCourses(ctx.db)]);
  const counts = await ctx.db.membership.groupBy({
    by: ['cohortId', 'role'],
    _count: { _all: true },
  });
  const count = (cohortId: string, role: string) =>
    counts.find((c) => c.cohortId === cohortId && c.role === role)?._count._all ?? 0;
  return {
    cohorts: cohorts.map((c) => ({
      ...c,
      students: count(c.id, 'student'),
      instructors: count(c.id, 'instructor'),
    })),
    courses,
  };
}

/** A new cohort, optionally of a course (audited `cohort.create`). */
export async function createCohortAdmin(
  ctx: SignedInContext,
  input: { slug: string; name: string; courseSlug?: string | null },
) {
  const cohort = await asAppErrors(() =>
    createCohort(ctx.db, {
      slug: input.slug,
      name: input.name,
      ...(input.courseSlug ? { courseSlug: input.courseSlug } : {}),
    }),
  );
  await audit(ctx.db, {
    actorId: ctx.session.user.id,
    action: 'cohort.create',
    target: cohort.id,
    payload: { slug: cohort.slug, course: cohort.course?.slug ?? null },
  });
  return cohort;
}

async function requireCohort(ctx: SignedInContext, cohortId: string) {
  const cohort = await getCohort(ctx.db, cohortId);
  if (!cohort) throw new AppError('NOT_FOUND');
  return cohort;
}

/** Attaches the cohort to a course, or detaches it (null); audited `cohort.course`. */
export async function setCohortCourseAdmin(
  ctx: SignedInContext,
  input: { cohortId: string; courseSlug: string | null },
) {
  const before = await requireCohort(ctx, input.cohortId);
  const cohort = await asAppErrors(() =>
    setCohortCourse(ctx.db, { cohortId: before.id, courseSlug: input.courseSlug }),
  );
  await audit(ctx.db, {
    actorId: ctx.session.user.id,
    action: 'cohort.course',
    target: cohort.id,
    payload: { from: before.course?.slug ?? null, to: cohort.course?.slug ?? null },
  });
  return cohort;
}

/** The cohort and its members (instructors first). */
export async function cohortDetail(ctx: SignedInContext, input: { cohortId: string }) {
  const cohort = await requireCohort(ctx, input.cohortId);
  return { cohort, members: await listMembers(ctx.db, cohort.id) };
}

/**
 * Makes an existing instructor (or admin) an instructor of the cohort (audited
 * `cohort.instructor`). A student must first be given the instructor role on the people page.
 */
export async function assignInstructor(
  ctx: SignedInContext,
  input: { cohortId: string; email: string },
) {
  const cohort = await requireCohort(ctx, input.cohortId);
  const user = await getUserByEmail(ctx.db, input.email);
  if (!user) refuse(`no user with e-mail ${input.email.trim()}`);
  if (!hasRole(user, 'instructor'))
    refuse(
      `${user.email} is a ${user.role}: give them the instructor role on the people page first`,
    );
  await addMember(ctx.db, { cohortId: cohort.id, userId: user.id, role: 'instructor' });
  await audit(ctx.db, {
    actorId: ctx.session.user.id,
    action: 'cohort.instructor',
    target: cohort.id,
    payload: { cohort: cohort.slug, userId: user.id, email: user.email },
  });
  return { userId: user.id, email: user.email };
}

/** Removes a member from the cohort (audited `cohort.remove`); their work stays. */
export async function removeCohortMember(
  ctx: SignedInContext,
  input: { cohortId: string; userId: string },
) {
  const cohort = await requireCohort(ctx, input.cohortId);
  const removed = await removeMember(ctx.db, { cohortId: cohort.id, userId: input.userId });
  if (!removed) throw new AppError('NOT_FOUND');
  await audit(ctx.db, {
    actorId: ctx.session.user.id,
    action: 'cohort.remove',
    target: cohort.id,
    payload: { cohort: cohort.slug, userId: input.userId },
  });
  return { removed };
}

// ---- enrolment by pasted e-mails or a CSV file ----

/** Why a line of an enrolment was not done. */
export type EnrolRejection =
  | 'bad_email' // not an e-mail address
  | 'unknown_user' // no account, and sign-up is closed
  | 'already_enrolled' // a member of the cohort already (as student or instructor)
  | 'duplicate' // the same e-mail earlier in this list
  | 'deactivated' // the account is deactivated
  | 'failed'; // the account or membership could not be made (e.g. the e-mail signed up meanwhile)

export type EnrolEntry = { line: number; email: string; name: string | null };

export type EnrolReport = {
  enrolled: Array<{ line: number; email: string }>;
  /** accounts made for unknown e-mails while sign-up is open, each with its set-password link */
  invited: Array<{ line: number; email: string; path: string; expiresAt: Date }>;
  rejected: Array<{ line: number; text: string; reason: EnrolRejection; detail: string }>;
};

const EMAIL = /^[^\s@,;<>"'()]+@[^\s@,;<>"'()]+\.[^\s@,;<>"'()]+$/;

/**
 * Pasted text: one or more e-mails per line, separated by commas, semicolons or spaces;
 * `Name <email>` is accepted too. Each entry keeps its line number.
 */
export function parsePastedEmails(text: string): EnrolEntry[] {
  const out: EnrolEntry[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const named = /^\s*(.+?)\s*<([^>]*)>\s*$/.exec(raw);
    if (named) {
      out.push({ line: i + 1, email: named[2]!.trim(), name: named[1]! });
      return;
    }
    for (const token of raw.split(/[\s,;]+/)) {
      if (token) out.push({ line: i + 1, email: token, name: null });
    }
  });
  return out;
}

/**
 * A CSV file (csv-parse): one row per person. With a header row, the columns named like
 * "email"/"e-mail"/"почта" and "name"/"имя"; without one, the first cell holding an "@" is the
 * e-mail and the cell before or after it, if any, the name. A malformed file is refused with
 * the parser's line.
 */
export function parseEnrolCsv(text: string): EnrolEntry[] {
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parseCsv(text, {
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
      delimiter: [',', ';', '\t'],
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (error) {
    if (error instanceof CsvError) refuse(`CSV: ${error.message}`);
    throw error;
  }
  if (rows.length === 0) return [];
  const header = rows[0]!.record.map((c) => c.toLowerCase());
  const emailCol = header.findIndex((c) => /^(e-?mail|почта|эл\.? ?почта|email address)$/.test(c));
  const nameCol = header.findIndex((c) => /^(name|full name|имя|фио)$/.test(c));
  const hasHeader = emailCol >= 0 && !header.some((c) => c.includes('@'));
  return (hasHeader ? rows.slice(1) : rows).map(({ record, info }) => {
    let email: string;
    let name: string | null = null;
    if (hasHeader) {
      email = record[emailCol] ?? '';
      name = nameCol >= 0 ? record[nameCol] || null : null;
    } else {
      const at = record.findIndex((c) => c.includes('@'));
      email = at >= 0 ? record[at]! : (record.find((c) => c !== '') ?? '');
      const other = at >= 0 ? record.find((c, i) => i !== at && c !== '') : undefined;
      name = other ?? null;
    }
    return { line: info.lines, email, name };
  });
}

/**
 * Enrols the entries as students of the cohort and reports each line: enrolled, invited, or
 * rejected with its reason. Unknown e-mails: while sign-up is closed they are rejected
 * (`unknown_user`); while it is open an account is made for them, without a password, with a
 * set-password link (valid 7 days) for the admin to hand over, and they are enrolled — they
 * could not sign up themselves afterwards, the e-mail being taken. Audited `cohort.enrol` with
 * the counts (and `user.invite` per invited account).
 */
export async function enrolStudents(
  ctx: SignedInContext,
  input: { cohortId: string; text: string; format: 'lines' | 'csv' },
): Promise<EnrolReport> {
  const cohort = await requireCohort(ctx, input.cohortId);
  const entries =
    input.format === 'csv' ? parseEnrolCsv(input.text) : parsePastedEmails(input.text);
  if (entries.length === 0) refuse('no e-mail addresses in the list');
  if (entries.length > ENROL_MAX_ENTRIES)
    refuse(`${entries.length} entries; at most ${ENROL_MAX_ENTRIES} at once`);
  const signupOpen = await isSignupEnabled(ctx.db);
  const report: EnrolReport = { enrolled: [], invited: [], rejected: [] };
  const seen = new Set<string>();
  for (const entry of entries) {
    const email = entry.email.trim().toLowerCase();
    const reject = (reason: EnrolRejection, detail: string) =>
      report.rejected.push({ line: entry.line, text: entry.email, reason, detail });
    try {
      if (!EMAIL.test(email)) {
        reject(
          'bad_email',
          entry.email ? `"${entry.email}" is not an e-mail address` : 'no e-mail',
        );
        continue;
      }
      if (seen.has(email)) {
        reject('duplicate', `${email} is already earlier in the list`);
        continue;
      }
      seen.add(email);
      const user = await getUserByEmail(ctx.db, email);
      if (!user) {
        if (!signupOpen) {
          reject('unknown_user', `no account with ${email}, and sign-up is closed`);
          continue;
        }
        const created = await createUser(ctx.db, {
          email,
          name: entry.name?.slice(0, 200) || email.split('@')[0]!,
        });
        await addMember(ctx.db, { cohortId: cohort.id, userId: created.id, role: 'student' });
        const link = await createPasswordResetToken(ctx.db, {
          userId: created.id,
          actorId: ctx.session.user.id,
          ttlSeconds: INVITE_LINK_TTL_SECONDS,
          action: 'user.invite',
        });
        report.invited.push({
          line: entry.line,
          email,
          path: resetPath(link.token),
          expiresAt: link.expiresAt,
        });
        continue;
      }
      if (await isUserDisabled(ctx.db, user.id)) {
        reject('deactivated', `${email}'s account is deactivated`);
        continue;
      }
      const role = await membershipRole(ctx.db, { cohortId: cohort.id, userId: user.id });
      if (role) {
        reject('already_enrolled', `${email} is already in the cohort as ${role}`);
        continue;
      }
      await addMember(ctx.db, { cohortId: cohort.id, userId: user.id, role: 'student' });
      report.enrolled.push({ line: entry.line, email });
    } catch (error) {
      // a race (the e-mail signed up meanwhile) or a refused value: this line only, the rest go on
      if (!(error instanceof DbError)) throw error;
      reject('failed', error.message);
    }
  }
  await audit(ctx.db, {
    actorId: ctx.session.user.id,
    action: 'cohort.enrol',
    target: cohort.id,
    payload: {
      cohort: cohort.slug,
      format: input.format,
      enrolled: report.enrolled.length,
      invited: report.invited.length,
      rejected: report.rejected.length,
    },
  });
  return report;
}
