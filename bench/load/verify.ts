/**
 * The database's word on a run, read after the load has settled: every attempt a simulated
 * student submitted has exactly one final verdict (stored once, not pending), none is lost
 * (every id the app answered is there), none is counted twice (each student's progress counts
 * exactly the graded attempts there are, and its first solve once), and each verdict is the
 * one its program must get.
 */
import { createDb } from '../../packages/db/src/client.ts';
import type { AttemptRecord } from './load.ts';
import { TASK } from './programs.ts';

export type Verification = {
  ok: boolean;
  problems: string[];
  counts: {
    students: number;
    submittedAccepted: number;
    submitUnknown: number;
    attemptsInDb: number;
    pending: number;
    wrongVerdict: number;
  };
};

const PENDING = new Set(['queued', 'running']);

/** Waits until no attempt of these students is queued or running (or `timeoutMs` passes). */
export async function waitSettled(
  databaseUrl: string,
  emails: string[],
  timeoutMs: number,
  onWait?: (pending: number) => void,
): Promise<number> {
  const db = createDb({ url: databaseUrl });
  const deadline = Date.now() + timeoutMs;
  let pending = 0;
  for (;;) {
    pending = await db.attempt.count({
      where: { stage: 'final', status: { in: [...PENDING] }, user: { email: { in: emails } } },
    });
    if (pending === 0 || Date.now() > deadline) break;
    onWait?.(pending);
    await new Promise((r) => setTimeout(r, 5_000));
  }
  await db.$disconnect();
  return pending;
}

export async function verifyInDatabase(
  databaseUrl: string,
  emails: string[],
  records: AttemptRecord[],
): Promise<Verification> {
  const db = createDb({ url: databaseUrl });
  const problems: string[] = [];
  try {
    const users = await db.user.findMany({
      where: { email: { in: emails } },
      select: { id: true, email: true },
    });
    const byEmail = new Map(users.map((u) => [u.email, u.id]));
    const attempts = await db.attempt.findMany({
      where: { userId: { in: users.map((u) => u.id) }, stage: 'final', taskId: TASK },
      select: { id: true, userId: true, status: true, code: true, createdAt: true, gradedAt: true },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    const progress = await db.progress.findMany({
      where: { userId: { in: users.map((u) => u.id) }, taskId: TASK },
      select: { userId: true, attempts: true, firstSolvedAt: true, attemptsToSolve: true },
    });
    const byId = new Map(attempts.map((a) => [a.id, a]));
    let pending = 0;
    let wrongVerdict = 0;

    // every id the app answered exists, has a verdict, the right one, and the one the page showed
    for (const r of records) {
      if (r.submit !== 'accepted' || !r.id) continue;
      const a = byId.get(r.id);
      if (!a) {
        problems.push(`attempt ${r.id} (${r.email}, ${r.kind}) is LOST: not in the database`);
        continue;
      }
      if (PENDING.has(a.status)) {
        pending++;
        problems.push(`attempt ${r.id} (${r.kind}) has no verdict: still ${a.status}`);
        continue;
      }
      if (a.status !== r.expected) {
        wrongVerdict++;
        problems.push(`attempt ${r.id} (${r.kind}): verdict ${a.status}, expected ${r.expected}`);
      }
      if (r.status && r.status !== a.status) {
        problems.push(`attempt ${r.id}: the page showed ${r.status}, the database has ${a.status}`);
      }
    }

    // attempts the students do not know of: only those whose submit got no answer may exist
    const known = new Set(records.filter((r) => r.id).map((r) => r.id));
    const unknownPerUser = new Map<string, number>();
    for (const r of records) {
      if (r.submit !== 'unknown') continue;
      const id = byEmail.get(r.email);
      if (id) unknownPerUser.set(id, (unknownPerUser.get(id) ?? 0) + 1);
    }
    const extraPerUser = new Map<string, number>();
    for (const a of attempts) {
      if (known.has(a.id)) continue;
      extraPerUser.set(a.userId, (extraPerUser.get(a.userId) ?? 0) + 1);
      if (PENDING.has(a.status)) {
        pending++;
        problems.push(`attempt ${a.id} (answer lost at submit) has no verdict: still ${a.status}`);
      }
    }
    for (const [userId, n] of extraPerUser) {
      const allowed = unknownPerUser.get(userId) ?? 0;
      if (n > allowed) {
        problems.push(
          `user ${userId}: ${n} attempt(s) nobody submitted (${allowed} submit(s) without an answer): a double`,
        );
      }
    }

    // progress counts each graded attempt once, the first solve once
    const progressOf = new Map(progress.map((p) => [p.userId, p]));
    for (const user of users) {
      const mine = attempts.filter((a) => a.userId === user.id && !PENDING.has(a.status));
      const p = progressOf.get(user.id);
      const graded = mine.length;
      if (graded === 0) continue;
      if (!p) {
        problems.push(`${user.email}: ${graded} graded attempt(s) but no progress row`);
        continue;
      }
      if (p.attempts !== graded) {
        problems.push(
          `${user.email}: progress counts ${p.attempts} attempt(s), ${graded} were graded`,
        );
      }
      const firstPass = mine.findIndex((a) => a.status === 'passed');
      if (firstPass === -1 ? p.firstSolvedAt !== null : p.firstSolvedAt === null) {
        problems.push(
          `${user.email}: solved ${firstPass !== -1}, progress says ${p.firstSolvedAt !== null}`,
        );
      }
      if (firstPass !== -1 && p.attemptsToSolve !== firstPass + 1) {
        problems.push(
          `${user.email}: first solved at attempt ${firstPass + 1}, progress says ${p.attemptsToSolve}`,
        );
      }
    }

    return {
      ok: problems.length === 0,
      problems,
      counts: {
        students: users.length,
        submittedAccepted: records.filter((r) => r.submit === 'accepted').length,
        submitUnknown: records.filter((r) => r.submit === 'unknown').length,
        attemptsInDb: attempts.length,
        pending,
        wrongVerdict,
      },
    };
  } finally {
    await db.$disconnect();
  }
}
