import { getSetting, isSignupEnabled, SIGNUP_ENABLED, setSetting } from '@lms/db';
import type { Context, SignedInContext } from '../context';
import type { Db } from '../db';
import { listPublishedCourses } from './content';

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

/* Use cases of the settings procedures (routers/settings.ts); admin-only ones are guarded there. */

/** What the sign-up page needs to know. */
export async function getSignupSetting(ctx: Context) {
  return { enabled: await isSignupEnabled(ctx.db) };
}

/** The admin page: the sign-up switch and each published course's answer threshold. */
export async function getAdminSettings(ctx: SignedInContext) {
  const courses = await listPublishedCourses(ctx.db);
  return {
    signupEnabled: await isSignupEnabled(ctx.db),
    courses: await Promise.all(
      courses.map(async (c) => ({
        slug: c.courseSlug,
        title: c.course.title,
        answerAfterFailedAttempts: await answerAfterFailed(ctx.db, c.courseSlug),
      })),
    ),
  };
}

/** Opens or closes sign-up (audited as `settings.signup`). */
export async function setSignup(ctx: SignedInContext, input: { enabled: boolean }) {
  await setSetting(ctx.db, {
    key: SETTING_SIGNUP,
    value: String(input.enabled),
    actorId: ctx.session.user.id,
    action: 'settings.signup',
    payload: { enabled: input.enabled },
  });
  return { enabled: input.enabled };
}

/** A course's number of failed final checks that opens the answer (audited). */
export async function setAnswerAfterFailedAttempts(
  ctx: SignedInContext,
  input: { course: string; attempts: number },
) {
  await setSetting(ctx.db, {
    key: answerAfterKey(input.course),
    value: String(input.attempts),
    actorId: ctx.session.user.id,
    action: 'settings.answerAfterFailedAttempts',
    payload: { course: input.course, attempts: input.attempts },
  });
  return { course: input.course, attempts: input.attempts };
}
