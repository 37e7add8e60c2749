import {
  ATTEMPT_STATUSES,
  type AttemptStatus,
  type GradeStage,
  type GradeStatus,
  gradeStageSchema,
  gradeStatusSchema,
  PENDING_STATUSES,
  type StoredTestResult,
} from '@lms/grading';

/** Allowed values of the String columns that stand in for enums (SQLite has no enums). */
export const USER_ROLES = ['student', 'instructor', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const MEMBERSHIP_ROLES = ['student', 'instructor'] as const;
export type MembershipRole = (typeof MEMBERSHIP_ROLES)[number];

export const RELEASE_STATUSES = ['draft', 'published', 'archived'] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];

/**
 * Stages and statuses of an attempt are the grading contract's (`@lms/grading`): `quick`
 * (the browser's advisory check) or `final`; pending (`queued`, `running`), then one verdict.
 */
export const ATTEMPT_STAGES = gradeStageSchema.options;
export type AttemptStage = GradeStage;
export const PENDING_ATTEMPT_STATUSES = PENDING_STATUSES;
export const FINAL_ATTEMPT_STATUSES = gradeStatusSchema.options;
export { ATTEMPT_STATUSES, type AttemptStatus };
export type AttemptVerdict = GradeStatus;

/** JSON stored in Json columns. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** One test's result as the grader reports it, stored as-is in Attempt.results. */
export type TestResult = StoredTestResult;
