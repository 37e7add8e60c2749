import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The senjun sample (the first chapters of senjun.ru's Python course, GPL-3.0) lives beside the
 * clone, in the shared folder, and is never copied into the repo: a spec that needs one of its
 * chapters publishes it into the e2e app's database at test time (`publishSenjunSample`).
 * Without the sample such a spec fails under CI=true and is skipped otherwise, saying why.
 */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SENJUN_SAMPLE_DIR = join(REPO_ROOT, '..', 'shared', 'senjun-sample', 'python');
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/** The course the sample's chapters are published as: its own slug, beside the shipped `python`. */
export const SAMPLE_COURSE = 'senjun-python-sample';

export function haveSenjunChapter(chapter: string): boolean {
  return existsSync(join(SENJUN_SAMPLE_DIR, chapter, 'text.md'));
}

export function missingSampleReason(chapter: string): string {
  return `senjun sample specs skipped: ${join(SENJUN_SAMPLE_DIR, chapter)} is missing (the shared folder beside the clone)`;
}

/**
 * The database of the app under test: e2e/playwright.config.ts starts it on
 * `file:data/e2e/lms-e2e.db` (relative to the repo); against an app started elsewhere
 * (E2E_BASE_URL), E2E_DATABASE_URL or that app's DATABASE_URL.
 */
function appDatabaseUrl(): string | undefined {
  if (process.env.E2E_DATABASE_URL) return process.env.E2E_DATABASE_URL;
  if (process.env.E2E_BASE_URL) return process.env.DATABASE_URL;
  return 'file:data/e2e/lms-e2e.db';
}

/** Runs one of the workspace's CLIs (node_modules/.bin) from the repo root; throws with its output. */
function cli(bin: string, args: string[], env: Record<string, string | undefined> = {}): string {
  const childEnv = { ...process.env };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[name];
    else childEnv[name] = value;
  }
  try {
    return execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', '.bin', bin), ...args], {
      cwd: REPO_ROOT,
      env: childEnv,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${bin} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`,
    );
  }
}

/**
 * Publishes chapters of the sample as the course SAMPLE_COURSE in the app's database, with
 * the tools the product has:
 * 1. the chapters are copied into a temp course directory with a description.md of its own.
 *    The directory must be named `python`: a chapter directory belongs to the course whose
 *    name it starts with (python_chapter_NNNN), and the course id is the directory's name;
 * 2. `lms-content build` compiles it; the compiled course's id becomes SAMPLE_COURSE, so
 *    publishing it cannot replace the shipped `python` course (chapter and task ids stay the
 *    sample's own);
 * 3. `lms-db seed --course-json` publishes it: the demo accounts and cohort it also ensures
 *    exist already and stay as they are (the cohort keeps its course). Courses are open to
 *    every signed-in user, so student1 can open the chapter.
 * Publishing the same content again changes nothing.
 */
export function publishSenjunSample(chapters: string[]): void {
  const dir = mkdtempSync(join(tmpdir(), 'lms-e2e-senjun-'));
  try {
    const course = join(dir, 'python');
    for (const chapter of chapters) {
      cpSync(join(SENJUN_SAMPLE_DIR, chapter), join(course, chapter), { recursive: true });
    }
    writeFileSync(
      join(course, 'description.md'),
      '# Senjun: Python (sample)\n\nChapters of the senjun.ru Python course (GPL-3.0), published for the end-to-end tests.\n',
    );
    const json = join(dir, 'course.json');
    cli('lms-content', ['build', course, '--out', json]);
    const compiled = JSON.parse(readFileSync(json, 'utf8')) as {
      id: string;
      chapters: Array<{ courseId: string }>;
    };
    compiled.id = SAMPLE_COURSE;
    for (const chapter of compiled.chapters) chapter.courseId = SAMPLE_COURSE;
    writeFileSync(json, JSON.stringify(compiled));
    cli('lms-db', ['seed', '--course-json', json], { DATABASE_URL: appDatabaseUrl() });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
