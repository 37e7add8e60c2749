import type { Role } from '../context';

/**
 * Who may do what, by rank: a higher role may do everything a lower one may (an admin is an
 * instructor too). The one rule for role checks — procedures (trpc.ts), use cases and pages
 * ask `hasRole`/`isStaff` instead of comparing role strings. No server-only imports: pages and
 * components may use it.
 */
export const ROLE_RANK = {
  student: 0,
  instructor: 1,
  admin: 2,
} as const satisfies Record<Role, number>;

/** At least the role `min` (false when signed out). */
export function hasRole(user: { role: Role } | null | undefined, min: Role): boolean {
  return user != null && ROLE_RANK[user.role] >= ROLE_RANK[min];
}

/**
 * Staff (instructors and admins) by global role alone: the staff view of an attempt and the
 * legacy-check flag. Rights over one course's data also need the cohort: an instructor reads
 * the attempts of the students they teach (teachesStudent) and sees hints and answers at once
 * only in the courses of their cohorts (progress.ts isCourseStaff); an admin, everywhere.
 */
export function isStaff(user: { role: Role } | null | undefined): boolean {
  return hasRole(user, 'instructor');
}
