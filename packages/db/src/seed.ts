import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import {
  type CompiledCourse,
  compileCourse as compileContent,
  SHIPPED_COURSE_DIR,
} from '@lms/content';
import type { Db } from './client.ts';
import { DbError } from './errors.ts';
import { addMember, createCohort, getCohort } from './repo/cohorts.ts';
import { parseCompiledCourse, publishCompiledCourse } from './repo/releases.ts';
import {
  createUser,
  DEMO_ACCOUNTS,
  type DemoAccount,
  generatePassword,
  getUserByEmail,
} from './repo/users.ts';

export { DEMO_ACCOUNTS, type DemoAccount, usableDemoAccounts } from './repo/users.ts';
export const DEMO_COHORT = { slug: 'demo', name: 'Демо-группа' } as const;
export { SHIPPED_COURSE_DIR };

/** Compiles a course directory with `@lms/content`; a course with errors is refused, each error named. */
export function compileCourse(courseDir: string = SHIPPED_COURSE_DIR): CompiledCourse {
  const { course, errors } = compileContent(courseDir);
  if (!course || errors.length > 0) {
    const shown = errors.slice(0, 5).map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`);
    const more = errors.length > 5 ? [`… and ${errors.length - 5} more`] : [];
    throw new DbError('INVALID', [`${courseDir} does not compile:`, ...shown, ...more].join('\n'));
  }
  return course;
}

/** Every file of the course directory as { "<relative path>": "<text>" } (the release's source). */
export function readCourseSource(courseDir: string = SHIPPED_COURSE_DIR): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else if (st.size <= 2 * 1024 * 1024)
        files[relative(courseDir, path).split(sep).join('/')] = readFileSync(path, 'utf8');
    }
  };
  if (existsSync(courseDir)) walk(courseDir);
  return files;
}

export type SeedResult = {
  accounts: Array<DemoAccount & { created: boolean }>;
  cohort: { slug: string; created: boolean };
  course: { slug: string; version: number; published: boolean } | null;
};

/**
 * Demo data, idempotent: existing users, the cohort and an identical published release are left
 * as they are (so a rerun never resets a changed password or progress).
 */
export async function seed(
  db: Db,
  input: { compiled: unknown | null; source?: Record<string, string> },
): Promise<SeedResult> {
  const accounts: SeedResult['accounts'] = [];
  const ids = new Map<string, string>();
  for (const acc of DEMO_ACCOUNTS) {
    const existing = await getUserByEmail(db, acc.email);
    if (existing) {
      ids.set(acc.email, existing.id);
      accounts.push({ ...acc, created: false });
    } else {
      const u = await createUser(db, { ...acc, emailVerified: true });
      ids.set(acc.email, u.id);
      accounts.push({ ...acc, created: true });
    }
  }
  const adminId = ids.get(DEMO_ACCOUNTS[0]!.email)!;

  const course = await publishSeedCourse(db, input, adminId);

  let cohort = await getCohort(db, DEMO_COHORT.slug);
  const cohortCreated = !cohort;
  cohort ??= await createCohort(db, {
    ...DEMO_COHORT,
    ...(course ? { courseSlug: course.slug } : {}),
  });
  if (course && !cohort.course) {
    const c = await db.course.findUniqueOrThrow({
      where: { slug: course.slug },
      select: { id: true },
    });
    await db.cohort.update({ where: { id: cohort.id }, data: { courseId: c.id } });
  }
  for (const acc of DEMO_ACCOUNTS) {
    if (acc.role === 'admin') continue;
    await addMember(db, {
      cohortId: cohort.id,
      userId: ids.get(acc.email)!,
      role: acc.role === 'instructor' ? 'instructor' : 'student',
    });
  }
  return { accounts, cohort: { slug: DEMO_COHORT.slug, created: cohortCreated }, course };
}

export type ProductionSetupResult =
  | { created: false; users: number }
  | {
      created: true;
      admin: { email: string; password: string };
      course: SeedResult['course'];
    };

/**
 * The first start of a real installation: no demo accounts; the first admin, with a generated
 * password for the caller to print once, and the course published by them. A database that
 * already has users is left exactly as it is (`created: false`).
 */
export async function productionSetup(
  db: Db,
  input: {
    adminEmail: string;
    adminName?: string;
    compiled: unknown | null;
    source?: Record<string, string>;
  },
): Promise<ProductionSetupResult> {
  const users = await db.user.count();
  if (users > 0) return { created: false, users };
  const password = generatePassword();
  const admin = await createUser(db, {
    email: input.adminEmail,
    name: input.adminName ?? 'Admin',
    role: 'admin',
    password,
    emailVerified: true,
  });
  const course = await publishSeedCourse(db, input, admin.id);
  return { created: true, admin: { email: admin.email, password }, course };
}

/** Publishes the course a setup was given (none: null), as published by `adminId`. */
async function publishSeedCourse(
  db: Db,
  input: { compiled: unknown; source?: Record<string, string> },
  adminId: string,
): Promise<SeedResult['course']> {
  if (input.compiled === null) return null;
  const compiled = parseCompiledCourse(input.compiled);
  const { release, created } = await publishCompiledCourse(db, {
    compiled: input.compiled,
    source: input.source ?? {},
    publishedById: adminId,
  });
  return { slug: compiled.id, version: release.version, published: created };
}
