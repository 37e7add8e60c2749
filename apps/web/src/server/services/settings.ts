import { getSetting, isSignupEnabled, SIGNUP_ENABLED } from '@lms/db';
import type { Db } from '../db';

/** Setting keys (Setting table, string values). */
export const SETTING_SIGNUP = SIGNUP_ENABLED;
export const answerAfterKey = (courseSlug: string) =>
  `course.${courseSlug}.answerAfterFailedAttempts`;
export const DEFAULT_ANSWER_AFTER_FAILED = 3;

/** Sign-up is open unless an admin closed it (@lms/db; re-exported for pages). */
export { isSignupEnabled };

/** How many failed final checks unlock the reference answer in this course. */
export async function answerAfterFailed(db: Db, courseSlug: string): Promise<number> {
  const raw = await getSetting(db, answerAfterKey(courseSlug));
  const n = raw === null ? Number.NaN : Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : DEFAULT_ANSWER_AFTER_FAILED;
}
