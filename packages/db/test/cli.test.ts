import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/lms-db.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lms-db-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lmsDb(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ...env }, timeout: 90_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

describe('lms-db CLI', () => {
  it('a malformed DATABASE_URL: one line, exit 1, no stack', async () => {
    const r = await lmsDb(['migrate'], { DATABASE_URL: 'mysql://u@h/db' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/DATABASE_URL must start with postgres:\/\/.*got mysql:\/\/u@h\/db/);
    noStack(r.stderr);
  }, 60_000);

  it('an unreachable PostgreSQL: one line, exit 1, no stack, password redacted', async () => {
    const r = await lmsDb(['migrate'], { DATABASE_URL: 'postgres://u:secret@127.0.0.1:1/db' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /cannot reach postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db: .*ECONNREFUSED/,
    );
    expect(r.stderr).not.toContain('secret');
    noStack(r.stderr);
  }, 60_000);

  it('migrate on SQLite, then a no-op; seed; backup', async () => {
    const env = { DATABASE_URL: `file:${join(dir, 'cli.db')}` };
    const first = await lmsDb(['migrate'], env);
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toMatch(/applied \d+ migrations?/);
    const second = await lmsDb(['migrate'], env);
    expect(second.stdout).toMatch(/up to date, nothing to apply/);
    const fixture = fileURLToPath(new URL('./fixtures/course.json', import.meta.url));
    const seeded = await lmsDb(['seed', '--course-json', fixture], env);
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toMatch(/admin@lms\.local \/ demo-admin-pass/);
    expect(seeded.stdout).toMatch(/course python: published as v1/);
    const backup = await lmsDb(['backup', join(dir, 'copy.db')], env);
    expect(backup.code).toBe(0);
    const fromBackup = await lmsDb(['status'], { DATABASE_URL: `file:${join(dir, 'copy.db')}` });
    expect(fromBackup.stdout).toMatch(/pending: \(none\)/);
    const again = await lmsDb(['backup', join(dir, 'copy.db')], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists; choose a new file/);
    const reset = await lmsDb(['reset'], env);
    expect(reset.code).toBe(1);
    expect(reset.stderr).toMatch(/reset --yes/);
  }, 120_000);
});
