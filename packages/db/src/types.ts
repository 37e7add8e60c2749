/** Allowed values of the String columns that stand in for enums (SQLite has no enums). */
export const USER_ROLES = ['student', 'instructor', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const MEMBERSHIP_ROLES = ['student', 'instructor'] as const;
export type MembershipRole = (typeof MEMBERSHIP_ROLES)[number];

export const RELEASE_STATUSES = ['draft', 'published', 'archived'] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];

export const ATTEMPT_STAGES = ['quick', 'final'] as const;
export type AttemptStage = (typeof ATTEMPT_STAGES)[number];

/** Not graded yet. */
export const PENDING_ATTEMPT_STATUSES = ['queued', 'running'] as const;
/**
 * Verdicts. `passed`/`failed` (a test failed) / `error` (the program or a test raised) /
 * `timeout` (wall or CPU limit) / `memory` (memory limit) / `output_limit` (too much output) /
 * `sandbox_error` (the grader itself failed: not the student's fault; may be retried).
 */
export const FINAL_ATTEMPT_STATUSES = [
  'passed',
  'failed',
  'error',
  'timeout',
  'memory',
  'output_limit',
  'sandbox_error',
] as const;
export const ATTEMPT_STATUSES = [...PENDING_ATTEMPT_STATUSES, ...FINAL_ATTEMPT_STATUSES] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];
export type AttemptVerdict = (typeof FINAL_ATTEMPT_STATUSES)[number];

/** JSON stored in Json columns. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** One test's result as the grader reports it (stored as-is in Attempt.results). */
export type TestResult = {
  name: string;
  status: string;
  message?: string | null;
  hidden?: boolean;
  [key: string]: JsonValue | undefined;
};
