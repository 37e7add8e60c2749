/**
 * Compile-time benchmark of @lms/content: the seed chapter (warm, median) and a generated
 * 40-chapter course, against the bare mdast+GFM parse of the same text measured in the
 * same run. Targets (issue 2): chapter < 20 ms, 40-chapter course < 1 s on 2 cores.
 *   npx tsx bench/content/run.ts
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
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

const tmp = mkdtempSync(join(tmpdir(), 'lms-bench-content-'));
try {
  const N = 40;
  const courseDir = generateCourse({ outDir: tmp, chapters: N });
  const texts = Array.from({ length: N }, (_, i) =>
    readFileSync(
      join(courseDir, `python_chapter_${String((i + 1) * 10).padStart(4, '0')}`, 'text.md'),
      'utf8',
    ),
  );
  console.log(`\n${N}-chapter course generated from the seed (${N * 2} tasks, ${N * 9} examples)`);
  const courseBase = measure(`baseline: read + bare parse of ${N} texts`, 2, 15, () => {
    for (let i = 0; i < N; i++) {
      readFileSync(
        join(courseDir, `python_chapter_${String((i + 1) * 10).padStart(4, '0')}`, 'text.md'),
        'utf8',
      );
      bareParse(texts[i]!);
    }
  });
  const course = measure('compileCourse (fs, all chapters, checks, hash)', 2, 15, () => {
    const r = compileCourse(courseDir);
    if (!r.course) throw new Error(JSON.stringify(r.errors.slice(0, 3)));
  });

  const verdict = (f: Figure, target: number) =>
    f.wall < target
      ? 'OK'
      : f.cpu < target
        ? 'OK in CPU time, wall time over (machine busy)'
        : 'OVER TARGET';
  console.log('\nresults (target: wall-clock median on an idle machine)');
  console.log(
    `  seed chapter compile: wall ${chapter.wall.toFixed(2)} ms, cpu ${chapter.cpu.toFixed(2)} ms (target < 20 ms: ${verdict(chapter, 20)}); ${(chapter.wall / chapterBase.wall).toFixed(2)}x the bare parse (wall; cpu ${(chapter.cpu / chapterBase.cpu).toFixed(2)}x)`,
  );
  console.log(
    `  ${N}-chapter course:    wall ${course.wall.toFixed(0)} ms, cpu ${course.cpu.toFixed(0)} ms (target < 1000 ms: ${verdict(course, 1000)}); ${(course.wall / courseBase.wall).toFixed(2)}x the bare parse (wall; cpu ${(course.cpu / courseBase.cpu).toFixed(2)}x)`,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
