import type { JsonValue } from '../types.ts';
import { audit, type DbOrTx } from './audit.ts';

export const SIGNUP_ENABLED = 'signup.enabled';

export async function getSetting(db: DbOrTx, key: string): Promise<string | null> {
  const row = await db.setting.findUnique({ where: { key }, select: { value: true } });
  return row?.value ?? null;
}

/**
 * Upserts a setting and writes an audit entry: `setting.set` with `{value}`, unless the caller
 * names its own `action`/`payload` (e.g. the web app's `settings.signup`).
 */
export async function setSetting(
  db: DbOrTx,
  input: {
    key: string;
    value: string;
    actorId: string | null;
    action?: string;
    payload?: JsonValue;
  },
): Promise<void> {
  await db.setting.upsert({
    where: { key: input.key },
    create: { key: input.key, value: input.value },
    update: { value: input.value },
  });
  await audit(db, {
    actorId: input.actorId,
    action: input.action ?? 'setting.set',
    target: input.key,
    payload: input.payload ?? { value: input.value },
  });
}

/** Self-service sign-up; on unless an admin turned it off. */
export async function isSignupEnabled(db: DbOrTx): Promise<boolean> {
  return (await getSetting(db, SIGNUP_ENABLED)) !== 'false';
}

export async function setSignupEnabled(
  db: DbOrTx,
  enabled: boolean,
  actorId: string | null,
): Promise<void> {
  await setSetting(db, { key: SIGNUP_ENABLED, value: String(enabled), actorId });
}
