// scripts/start.mjs's private files (issue 11, finding 8), from scripts/lib/secrets.mjs. The
// root scripts have no Vitest project of their own; their file handling lives here beside
// the SQLite file's mode, which is the db package's.
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ensurePrivateDir,
  readOrCreateSecrets,
  writePrivateFile,
} from '../../../scripts/lib/secrets.mjs';

const root = mkdtempSync(join(tmpdir(), 'lms-start-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const mode = (p: string) => statSync(p).mode & 0o777;

describe('start.mjs private files', () => {
  it('data/ is created 0700, and an existing world-readable one is set to 0700', () => {
    const fresh = join(root, 'fresh', 'data');
    ensurePrivateDir(fresh);
    expect(mode(fresh)).toBe(0o700);
    const old = join(root, 'old');
    mkdirSync(old, { mode: 0o755 });
    ensurePrivateDir(old);
    expect(mode(old)).toBe(0o700);
  });

  it('secrets.json is made once, 0600 (written to an exclusive 0600 temp file, then renamed)', () => {
    const dir = join(root, 'secrets');
    ensurePrivateDir(dir);
    const file = join(dir, 'secrets.json');
    const secrets = readOrCreateSecrets(file);
    expect(secrets.GRADER_SECRET).toMatch(/^[0-9a-f]{64}$/);
    expect(secrets.BETTER_AUTH_SECRET).toMatch(/^[0-9a-f]{64}$/);
    expect(mode(file)).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['secrets.json']); // no temporary file left
    expect(readOrCreateSecrets(file)).toEqual(secrets); // made once
  });

  it('an existing secrets file keeps its values and loses group/other access', () => {
    const file = join(root, 'loose.json');
    writeFileSync(file, '{"GRADER_SECRET":"g","BETTER_AUTH_SECRET":"b"}\n', { mode: 0o644 });
    expect(readOrCreateSecrets(file)).toEqual({ GRADER_SECRET: 'g', BETTER_AUTH_SECRET: 'b' });
    expect(mode(file)).toBe(0o600);
  });

  it('writePrivateFile replaces a file whole, with mode 0600, leaving no temp file', () => {
    const dir = join(root, 'replace');
    ensurePrivateDir(dir);
    const file = join(dir, 'x.json');
    writeFileSync(file, 'old', { mode: 0o644 });
    writePrivateFile(file, 'new');
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['x.json']);
  });
});
