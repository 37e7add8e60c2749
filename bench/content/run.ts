/**
 * Compile-time benchmark of @lms/content: the seed chapter (warm, median), a generated
 * 40-chapter course, the senjun sample (`../shared/senjun-sample/python`, 10 chapters, when
 * beside the clone) and a real course given on the command line (e.g. the public senjun
 * Python course, 39 chapters, which is not in the repo), each against the bare mdast+GFM
 * parse of the same texts measured in the same run. Targets (issues 2 and 10): chapter
 * < 20 ms, 40-chapter course < 1 s, the 39-chapter senjun Python course < 1 s on 2 cores.
 *   npx tsx bench/content/run.ts [<courseDir>]        (or BENCH_COURSE_DIR=<courseDir>)
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileChapter, compileCourse } from '@lms/content';
import { generateCourse, SEED_COURSE_DIR } from '@lms/content/testing';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Figure {
  wall: number;
  cpu: number;
}

/**
 * Median wall time and median CPU time (user+system of this process) per call. On a loaded
 * machine the wall figure includes time spent descheduled; the CPU figure mostly does not.
 */
function measure(label: string, warmup: number, runs: number, fn: () => unknown): Figure {
  for (let i = 0; i < warmup; i++) fn();
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    fn();
    walls.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpus.push((d.user + d.system) / 1000);
  }
  const f = { wall: median(walls), cpu: median(cpus) };
  console.log(
    `  ${label.padEnd(48)} wall median ${f.wall.toFixed(2).padStart(8)} ms (min ${Math.min(...walls).toFixed(2)})  cpu median ${f.cpu.toFixed(2).padStart(8)} ms  [${runs} runs]`,
  );
  return f;
}

const extensions = [gfm()];
const mdastExtensions = [gfmFromMarkdown()];
const bareParse = (text: string) => fromMarkdown(text, { extensions, mdastExtensions });

console.log(
  `machine: ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (figures are only comparable when it is low)`,
);
const seedText = readFileSync(join(SEED_COURSE_DIR, 'python_chapter_0320', 'text.md'), 'utf8');
console.log(`seed chapter: ${seedText.length} chars, ${seedText.split('\n').length} lines`);
const chapterBase = measure('baseline: bare mdast+GFM parse', 30, 200, () => bareParse(seedText));
const chapter = measure('compileChapter (parse, dialect, zod, hash)', 30, 200, () => {
  const r = compileChapter(seedText, { courseId: 'python', chapterId: 'python_chapter_0320' });
  if (!r.chapter) throw new Error(JSON.stringify(r.errors));
});

/** Read + bare parse of every chapter text vs compileCourse of the same course directory. */
function courseCase(label: string, courseDir: string): { course: Figure; base: Figure } {
  const files = readdirSync(courseDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /_chapter_\d+$/.test(d.name))
    .map((d) => join(courseDir, d.name, 'text.md'))
    .filter((f) => existsSync(f));
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  const chars = texts.reduce((n, t) => n + t.length, 0);
  const first = compileCourse(courseDir);
  const tasks = first.chapters.reduce((n, c) => n + c.tasks.length, 0);
  const examples = first.chapters.reduce((n, c) => n + c.examples.length, 0);
  console.log(
    `\n${label}: ${first.chapters.length} chapters, ${tasks} tasks, ${examples} examples, ` +
      `${first.errors.length} errors, ${first.warnings.length} warnings (${chars} chars)`,
  );
  if (!first.course) throw new Error(JSON.stringify(first.errors.slice(0, 3)));
  const base = measure(`baseline: read + bare parse of ${files.length} texts`, 2, 15, () => {
    for (const f of files) bareParse(readFileSync(f, 'utf8'));
  });
  const course = measure('compileCourse (fs, all chapters, checks, hash)', 2, 15, () => {
    const r = compileCourse(courseDir);
    if (!r.course) throw new Error(JSON.stringify(r.errors.slice(0, 3)));
  });
  return { course, base };
}

const verdict = (f: Figure, target: number) =>
  f.wall < target
    ? 'OK'
    : f.cpu < target
      ? 'OK in CPU time, wall time over (machine busy)'
      : 'OVER TARGET';
const line = (label: string, f: { course: Figure; base: Figure }, target: number) =>
  console.log(
    `  ${label.padEnd(28)} wall ${f.course.wall.toFixed(0)} ms, cpu ${f.course.cpu.toFixed(0)} ms (target < ${target} ms: ${verdict(f.course, target)}); ${(f.course.wall / f.base.wall).toFixed(2)}x the bare parse (wall; cpu ${(f.course.cpu / f.base.cpu).toFixed(2)}x)`,
  );

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SAMPLE_DIR = resolve(REPO_ROOT, '../shared/senjun-sample/python');
const givenDir = process.argv[2] ?? process.env.BENCH_COURSE_DIR;

const tmp = mkdtempSync(join(tmpdir(), 'lms-bench-content-'));
try {
  const N = 40;
  const generated = courseCase(
    `${N}-chapter course generated from the seed`,
    generateCourse({ outDir: tmp, chapters: N }),
  );
  const sample = existsSync(SAMPLE_DIR)
    ? courseCase('senjun sample (../shared/senjun-sample/python)', SAMPLE_DIR)
    : null;
  if (!sample) console.log(`\nsenjun sample: skipped, ${SAMPLE_DIR} is missing`);
  const given = givenDir
    ? courseCase(`given course ${resolve(givenDir)}`, resolve(givenDir))
    : null;
  if (!given) {
    console.log(
      '\ngiven course: none (pass a course directory, e.g. the public senjun Python course, as the ' +
        'argument or BENCH_COURSE_DIR)',
    );
  }

  console.log('\nresults (target: wall-clock median on an idle machine)');
  console.log(
    `  seed chapter compile:        wall ${chapter.wall.toFixed(2)} ms, cpu ${chapter.cpu.toFixed(2)} ms (target < 20 ms: ${verdict(chapter, 20)}); ${(chapter.wall / chapterBase.wall).toFixed(2)}x the bare parse (wall; cpu ${(chapter.cpu / chapterBase.cpu).toFixed(2)}x)`,
  );
  line(`${N}-chapter course:`, generated, 1000);
  if (sample) line('senjun sample (10 chapters):', sample, 1000);
  if (given) line(`${basename(resolve(givenDir!))} course (given):`, given, 1000);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
