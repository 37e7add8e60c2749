// The admins' content procedures (admin.content.*) on the shipped course: a zip import and its
// bad-input defences (each refused with the file and line, nothing stored), editing the draft
// while students keep the published text, publish, history, diff and rollback.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SHIPPED_COURSE_DIR } from '@lms/content';
import type { Db } from '@lms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearContentCache } from '../../src/server/services/content';
import { callerFor, createTestDb, makeUser } from './helpers';

const COURSE = 'python';
const CHAPTER = 'python_chapter_0320';
const TEXT = `${CHAPTER}/text.md`;
const TITLE = '# Глава 32. Модуль asyncio: асинхронный запуск задач';

/** The shipped course's files as { path: text } (the layout a zip of it holds). */
function shippedFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(SHIPPED_COURSE_DIR, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(SHIPPED_COURSE_DIR);
  return files;
}

type ZipEntry = {
  name: string;
  text?: string;
  /** raw bytes, base64 */
  bytes?: string;
  /** that many zero bytes (compress to almost nothing) */
  zeros?: number;
  symlink?: boolean;
};

/** A zip made by Python's zipfile (deflated), base64: the test needs no zip writer of its own. */
function makeZip(entries: ZipEntry[]): string {
  const script = `
import base64, json, sys, zipfile, io
out = io.BytesIO()
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
    for e in json.load(sys.stdin):
        info = zipfile.ZipInfo(e['name'])
        info.compress_type = zipfile.ZIP_DEFLATED
        if e.get('symlink'):
            info.external_attr = 0o120777 << 16
        if 'zeros' in e:
            data = bytes(e['zeros'])
        elif 'bytes' in e:
            data = base64.b64decode(e['bytes'])
        else:
            data = e.get('text', '').encode('utf-8')
        z.writestr(info, data)
sys.stdout.write(base64.b64encode(out.getvalue()).decode())
`;
  const r = spawnSync('python3', ['-c', script], {
    input: JSON.stringify(entries),
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`python3 zipfile: ${r.stderr}`);
  return r.stdout.toString();
}

const courseZip = (files: Record<string, string>, root = 'python/') =>
  makeZip(Object.entries(files).map(([name, text]) => ({ name: `${root}${name}`, text })));

let t: Awaited<ReturnType<typeof createTestDb>>;
let db: Db;
let admin: ReturnType<typeof callerFor>;
let student: ReturnType<typeof callerFor>;

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  clearContentCache();
  admin = callerFor(db, (await makeUser(db, 'admin')).session);
  student = callerFor(db, (await makeUser(db, 'student')).session);
}, 60_000);
afterAll(() => t?.cleanup());

/** Everything stored about content, to show a refused upload changed nothing. */
const contentState = async () =>
  JSON.stringify(
    await db.contentRelease.findMany({
      orderBy: { id: 'asc' },
      select: { id: true, status: true, contentHash: true },
    }),
  );

const firstLine = async () =>
  (await student.chapter.get({ course: COURSE, chapter: CHAPTER })).chapter.title;

describe('admin.content: import, edit, publish, rollback', () => {
  it('imports a zip of the course as a draft, publishes it; students see it', async () => {
    const r = await admin.admin.content.importZip({
      zipBase64: courseZip({ ...shippedFiles(), '.DS_Store': 'junk' }, 'course-repo/python/'),
    });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    expect(r.course).toBe(COURSE);
    expect(r.release.status).toBe('draft');
    await expect(student.chapter.get({ course: COURSE, chapter: CHAPTER })).rejects.toThrow();
    const v1 = await admin.admin.content.publish({ course: COURSE });
    expect(v1).toMatchObject({ version: 1, status: 'published' });
    expect(await firstLine()).toContain('Модуль asyncio');
  });

  it('an edit goes to a draft; students keep the published text until Publish', async () => {
    const start = await admin.admin.content.startDraft({ course: COURSE });
    expect(start.created).toBe(true);
    const draft = await admin.admin.content.draft({ course: COURSE });
    const text = draft.draft!.files[TEXT]!;
    expect(text.startsWith(TITLE)).toBe(true);
    const fixed = text.replace('Модуль asyncio', 'Модуль asyncio (исправлено)');

    const preview = await admin.admin.content.preview({ course: COURSE, path: TEXT, text: fixed });
    expect(preview.errors).toEqual([]);
    expect(preview.chapter?.title).toContain('(исправлено)');
    const saved = await admin.admin.content.saveFile({ course: COURSE, path: TEXT, text: fixed });
    expect(saved.ok).toBe(true);
    expect(await firstLine()).not.toContain('(исправлено)');

    const v2 = await admin.admin.content.publish({ course: COURSE });
    expect(v2.version).toBe(2);
    expect(await firstLine()).toContain('(исправлено)');
  });

  it('an edit that breaks a task (task_source without id) is refused at its line; nothing changes', async () => {
    await admin.admin.content.startDraft({ course: COURSE });
    const before = await contentState();
    const text = (await admin.admin.content.draft({ course: COURSE })).draft!.files[TEXT]!;
    const broken = text.replace('{.task_source #python_chapter_0320_task_0010}', '{.task_source}');
    const line = broken.split('\n').findIndex((l) => l.includes('{.task_source}')) + 1;
    expect(line).toBeGreaterThan(1);
    const r = await admin.admin.content.saveFile({ course: COURSE, path: TEXT, text: broken });
    expect(r.ok).toBe(false);
    expect(r.errors[0]).toMatchObject({ file: TEXT, line });
    expect(r.errors[0]!.message).toMatch(/id/);
    expect(await contentState()).toBe(before);
    const draft = (await admin.admin.content.draft({ course: COURSE })).draft!;
    expect(draft.files[TEXT]).toBe(text);
    await admin.admin.content.discardDraft({ course: COURSE });
  });

  it('history lists the releases; diff names the changed file; rollback publishes v1 again as v3', async () => {
    const history = await admin.admin.content.history({ course: COURSE });
    const v1 = history.find((r) => r.version === 1)!;
    const v2 = history.find((r) => r.version === 2)!;
    expect(v2.status).toBe('published');
    expect(v2.publishedBy).not.toBeNull();
    const diff = await admin.admin.content.diff({ from: v1.id, to: v2.id });
    expect(diff.files.map((f) => f.path)).toEqual([TEXT]);
    expect(diff.files[0]!.after).toContain('(исправлено)');

    const v3 = await admin.admin.content.rollback({ releaseId: v1.id });
    expect(v3.version).toBeGreaterThan(2);
    expect(await firstLine()).not.toContain('(исправлено)');
    const after = await admin.admin.content.history({ course: COURSE });
    expect(after.find((r) => r.id === v2.id)?.status).toBe('archived');
    const log = await admin.admin.audit({ action: 'release.rollback' });
    expect(log.entries[0]?.payload).toMatchObject({ course: COURSE, fromVersion: 1 });
  });
});

describe('admin.content.importZip: bad input is refused with file and line, nothing stored', () => {
  const chapter = (extra: ZipEntry[]) => [
    ...Object.entries(shippedFiles()).map(([name, text]) => ({ name: `python/${name}`, text })),
    ...extra,
  ];
  const cases: Array<{
    name: string;
    zip: () => string;
    file: string;
    message: RegExp;
    line?: number;
  }> = [
    {
      name: '../ in a path',
      zip: () => makeZip(chapter([{ name: 'python/../../etc/evil', text: 'x' }])),
      file: 'python/../../etc/evil',
      message: /"\.\." in the path/,
    },
    {
      name: 'an absolute path',
      zip: () => makeZip(chapter([{ name: '/etc/passwd', text: 'x' }])),
      file: '/etc/passwd',
      message: /absolute path/,
    },
    {
      name: 'a symlink',
      zip: () => makeZip(chapter([{ name: 'python/link', text: '/etc/passwd', symlink: true }])),
      file: 'python/link',
      message: /symbolic link/,
    },
    {
      name: 'a file over the size cap',
      zip: () => makeZip(chapter([{ name: 'python/big.txt', zeros: 3 * 1024 * 1024 }])),
      file: 'python/big.txt',
      message: /at most 2097152/,
    },
    {
      name: 'a zip bomb (50 MiB+ of zeros in all)',
      zip: () =>
        makeZip(
          Array.from({ length: 27 }, (_, i) => ({
            name: `python/bomb${i}.txt`,
            zeros: 2 * 1024 * 1024 - 1,
          })),
        ),
      file: '(upload)',
      message: /zip bomb/,
    },
    {
      name: 'too many entries',
      zip: () =>
        makeZip(Array.from({ length: 5001 }, (_, i) => ({ name: `python/f${i}`, text: '' }))),
      file: '(upload)',
      message: /5001 entries; at most 5000/,
    },
    {
      name: 'text that is not UTF-8',
      zip: () =>
        makeZip(
          chapter([
            {
              name: 'python/python_chapter_0330/text.md',
              bytes: Buffer.from('# Title\n\nCaf\xe9 au lait\n', 'latin1').toString('base64'),
            },
          ]),
        ),
      file: 'python/python_chapter_0330/text.md',
      line: 3,
      message: /not UTF-8/,
    },
    {
      name: 'duplicate task ids across chapters',
      zip: () =>
        makeZip(
          chapter(
            Object.entries(shippedFiles())
              .filter(([name]) => name.startsWith(`${CHAPTER}/`))
              .map(([name, text]) => ({
                name: `python/${name.replace(`${CHAPTER}/`, 'python_chapter_0330/')}`,
                text,
              })),
          ),
        ),
      file: 'python_chapter_0330/text.md',
      line: 184,
      message: /python_chapter_0320_task_0010.*(duplicate|twice|already)/i,
    },
    {
      name: 'a task without id',
      zip: () => {
        const files = shippedFiles();
        files[TEXT] = files[TEXT]!.replace(
          '{.task_source #python_chapter_0320_task_0020}',
          '{.task_source}',
        );
        return courseZip(files);
      },
      file: TEXT,
      line: 288,
      message: /id/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const before = await contentState();
      const r = await admin.admin.content.importZip({ zipBase64: c.zip() });
      if (r.ok) throw new Error(`${c.name}: the import was accepted`);
      const hit = r.errors.find((e) => e.file === c.file);
      expect(hit, JSON.stringify(r.errors.slice(0, 3))).toBeDefined();
      expect(hit!.message).toMatch(c.message);
      if (c.line) expect(hit!.line).toBe(c.line);
      expect(await contentState()).toBe(before);
    });
  }
});
