import type { Db } from '../db';

/** Setting keys (Setting table, string values). */
export const SETTING_SIGNUP = 'signup.enabled';
export const answerAfterKey = (courseSlug: string) =>
  `course.${courseSlug}.answerAfterFailedAttempts`;
export const DEFAULT_ANSWER_AFTER_FAILED = 3;

export async function getSetting(db: Db, key: string): Promise<string | null> {
  const row = await db.setting.findUnique({ where: { key }, select: { value: true } });
  return row?.value ?? null;
}

export async function setSetting(db: Db, key: string, value: string): Promise<void> {
  await db.setting.upsert({ where: { key }, create: { key, value }, update: { value } });
}

/** Sign-up is open unless an admin closed it. */
export async function isSignupEnabled(db: Db): Promise<boolean> {
  return (await getSetting(db, SETTING_SIGNUP)) !== 'false';
}

/** How many failed final checks unlock the reference answer in this course. */
export async function answerAfterFailed(db: Db, courseSlug: string): Promise<number> {
  const raw = await getSetting(db, answerAfterKey(courseSlug));
  const n = raw === null ? Number.NaN : Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : DEFAULT_ANSWER_AFTER_FAILED;
}

export async function audit(
  db: Db,
  entry: { actorId: string; action: string; target?: string; payload?: Record<string, unknown> },
): Promise<void> {
  await db.auditLog.create({
    data: {
      actorId: entry.actorId,
      action: entry.action,
      target: entry.target ?? null,
      payload: (entry.payload ?? undefined) as never,
    },
  });
}
