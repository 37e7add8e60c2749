import { DbError, isUniqueViolation } from '../errors.ts';
import type { Prisma } from '../generated/sqlite/client.ts';
import { MEMBERSHIP_ROLES, type MembershipRole } from '../types.ts';
import type { DbOrTx } from './audit.ts';
import { asRole } from './users.ts';

export const cohortSelect = {
  id: true,
  slug: true,
  name: true,
  createdAt: true,
  course: { select: { id: true, slug: true, title: true } },
} satisfies Prisma.CohortSelect;
export type CohortSummary = Prisma.CohortGetPayload<{ select: typeof cohortSelect }>;

export type CohortMember = {
  userId: string;
  name: string;
  email: string;
  /** role in the cohort */
  role: MembershipRole;
  /** the user's global role */
  userRole: ReturnType<typeof asRole>;
  joinedAt: Date;
};

function assertMembershipRole(role: string): asserts role is MembershipRole {
  if (!(MEMBERSHIP_ROLES as readonly string[]).includes(role)) {
    throw new DbError('INVALID', `membership role must be student or instructor; got "${role}"`);
  }
}

/** Creates a cohort, optionally studying the course with slug `courseSlug` (which must exist). */
export async function createCohort(
  db: DbOrTx,
  input: { slug: string; name: string; courseSlug?: string },
): Promise<CohortSummary> {
  let courseId: string | null = null;
  if (input.courseSlug) {
    const course = await db.course.findUnique({
      where: { slug: input.courseSlug },
      select: { id: true },
    });
    if (!course) throw new DbError('NOT_FOUND', `no course "${input.courseSlug}"`);
    courseId = course.id;
  }
  try {
    return await db.cohort.create({
      data: { slug: input.slug, name: input.name, courseId },
      select: cohortSelect,
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new DbError('CONFLICT', `a cohort "${input.slug}" already exists`);
    throw error;
  }
}

export async function getCohort(db: DbOrTx, idOrSlug: string): Promise<CohortSummary | null> {
  return db.cohort.findFirst({
    where: { OR: [{ id: idOrSlug }, { slug: idOrSlug }] },
    select: cohortSelect,
  });
}

export async function listCohorts(db: DbOrTx): Promise<CohortSummary[]> {
  return db.cohort.findMany({ orderBy: { createdAt: 'asc' }, select: cohortSelect });
}

/** Cohorts the user belongs to, with the user's role in each. */
export async function listCohortsForUser(
  db: DbOrTx,
  userId: string,
): Promise<Array<CohortSummary & { role: MembershipRole }>> {
  const rows = await db.membership.findMany({
    where: { userId },
    orderBy: { createdAt: 'asc' },
    select: { role: true, cohort: { select: cohortSelect } },
  });
  return rows.map((r) => ({ ...r.cohort, role: r.role as MembershipRole }));
}

/** Adds the user to the cohort, or changes their role there (idempotent). */
export async function addMember(
  db: DbOrTx,
  input: { cohortId: string; userId: string; role: MembershipRole },
): Promise<void> {
  assertMembershipRole(input.role);
  try {
    await db.membership.upsert({
      where: { cohortId_userId: { cohortId: input.cohortId, userId: input.userId } },
      create: { cohortId: input.cohortId, userId: input.userId, role: input.role },
      update: { role: input.role },
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'P2003') {
      throw new DbError('NOT_FOUND', `no cohort ${input.cohortId} or no user ${input.userId}`);
    }
    throw error;
  }
}

export async function removeMember(
  db: DbOrTx,
  input: { cohortId: string; userId: string },
): Promise<boolean> {
  const out = await db.membership.deleteMany({
    where: { cohortId: input.cohortId, userId: input.userId },
  });
  return out.count > 0;
}

export async function listMembers(
  db: DbOrTx,
  cohortId: string,
  options: { role?: MembershipRole } = {},
): Promise<CohortMember[]> {
  const rows = await db.membership.findMany({
    where: { cohortId, ...(options.role ? { role: options.role } : {}) },
    orderBy: [{ role: 'asc' }, { createdAt: 'asc' }],
    select: {
      role: true,
      createdAt: true,
      user: { select: { id: true, name: true, email: true, role: true } },
    },
  });
  return rows.map((r) => ({
    userId: r.user.id,
    name: r.user.name,
    email: r.user.email,
    role: r.role as MembershipRole,
    userRole: asRole(r.user.role),
    joinedAt: r.createdAt,
  }));
}

/**
 * Whether `instructorId` teaches `studentId` in a cohort of the course (`courseId`): both are
 * members of one cohort bound to that course, one as instructor, the other as student. An
 * instructor sees the work of their own cohorts' students, nobody else's.
 */
export async function teachesStudent(
  db: DbOrTx,
  input: { instructorId: string; studentId: string; courseId: string },
): Promise<boolean> {
  const shared = await db.membership.count({
    where: {
      userId: input.studentId,
      role: 'student',
      cohort: {
        courseId: input.courseId,
        memberships: { some: { userId: input.instructorId, role: 'instructor' } },
      },
    },
  });
  return shared > 0;
}

/**
 * Whether the user is an instructor member of a cohort bound to the course (`courseId`): staff
 * of that course (admins are not implied: check the global role too).
 */
export async function teachesCourse(
  db: DbOrTx,
  input: { userId: string; courseId: string },
): Promise<boolean> {
  const count = await db.membership.count({
    where: { userId: input.userId, role: 'instructor', cohort: { courseId: input.courseId } },
  });
  return count > 0;
}

/** True when the user is an instructor of the cohort (admins are not implied: check the role too). */
export async function isInstructorOf(
  db: DbOrTx,
  userId: string,
  cohortId: string,
): Promise<boolean> {
  const m = await db.membership.findUnique({
    where: { cohortId_userId: { cohortId, userId } },
    select: { role: true },
  });
  return m?.role === 'instructor';
}

/** The user's role in the cohort, or null when not a member. */
export async function membershipRole(
  db: DbOrTx,
  input: { cohortId: string; userId: string },
): Promise<MembershipRole | null> {
  const m = await db.membership.findUnique({
    where: { cohortId_userId: { cohortId: input.cohortId, userId: input.userId } },
    select: { role: true },
  });
  return m ? (m.role as MembershipRole) : null;
}

/** Binds the cohort to the course with slug `courseSlug` (which must exist), or unbinds it (null). */
export async function setCohortCourse(
  db: DbOrTx,
  input: { cohortId: string; courseSlug: string | null },
): Promise<CohortSummary> {
  let courseId: string | null = null;
  if (input.courseSlug) {
    const course = await db.course.findUnique({
      where: { slug: input.courseSlug },
      select: { id: true },
    });
    if (!course) throw new DbError('NOT_FOUND', `no course "${input.courseSlug}"`);
    courseId = course.id;
  }
  const found = await db.cohort.findUnique({
    where: { id: input.cohortId },
    select: { id: true },
  });
  if (!found) throw new DbError('NOT_FOUND', `no cohort ${input.cohortId}`);
  return db.cohort.update({
    where: { id: input.cohortId },
    data: { courseId },
    select: cohortSelect,
  });
}
