// Figures for the UI package: server render of the seed chapter, line diff, output comparison.
// Baseline in the same run: JSON.stringify of the same chapter (ratio = render / stringify).
// Run from packages/ui (tsx takes the JSX setting from the tsconfig of the working directory):
//   cd packages/ui && NODE_ENV=production npx tsx scripts/bench.ts   (production React build)
import { resolve } from 'node:path';
import { compileCourse } from '@lms/content';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { compareOutput } from '../src/compareOutput.ts';
import { diffLines } from '../src/diff.ts';
import { LessonBlocks } from '../src/LessonBlocks.tsx';
import { collectHeadings, TableOfContents } from '../src/TableOfContents.tsx';

function time(label: string, runs: number, fn: () => unknown): number {
  for (let i = 0; i < Math.min(20, runs); i++) fn(); // warm up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  const mean = samples.reduce((a, b) => a + b, 0) / runs;
  samples.sort((a, b) => a - b);
  const p50 = samples[Math.floor(runs * 0.5)]!;
  const p95 = samples[Math.floor(runs * 0.95)]!;
  console.log(
    `${label}: p50 ${p50.toFixed(3)} ms, p95 ${p95.toFixed(3)} ms, mean ${mean.toFixed(3)} ms (${runs} runs)`,
  );
  return p50;
}

const course = compileCourse(resolve(import.meta.dirname, '../../content/courses/python')).course;
if (!course) throw new Error('seed course did not compile');
const chapter = course.chapters[0]!;

const baseline = time('baseline JSON.stringify(chapter)', 300, () => JSON.stringify(chapter));
const render = time('renderToStaticMarkup(LessonBlocks + TOC) of the seed chapter', 300, () =>
  renderToStaticMarkup(
    createElement('div', null, [
      createElement(LessonBlocks, {
        key: 'l',
        blocks: chapter.blocks,
        renderExample: (id: string) => createElement('div', null, id),
        renderTask: (id: string) => createElement('div', null, id),
      }),
      createElement(TableOfContents, { key: 't', headings: collectHeadings(chapter.blocks) }),
    ]),
  ),
);
console.log(`render / stringify ratio: ${(render / baseline).toFixed(1)}`);
const html = renderToStaticMarkup(createElement(LessonBlocks, { blocks: chapter.blocks }));
if (!html.includes(chapter.title.slice(0, 20))) throw new Error('the render lost the title');
console.log(`seed chapter HTML: ${(html.length / 1024).toFixed(1)} KiB`);

const program = Array.from({ length: 2000 }, (_, i) => `    value_${i} = compute(${i})`);
const edited = program.map((line, i) => (i % 40 === 0 ? `${line}  # changed` : line));
const diffP50 = time('diffLines 2000 lines, 50 changed', 50, () =>
  diffLines(program.join('\n'), edited.join('\n')),
);
const copyP50 = time('baseline: split + join of the same text', 50, () =>
  edited.join('\n').split('\n').join('\n'),
);
console.log(`diff / split-join ratio: ${(diffP50 / copyP50).toFixed(1)}`);

const output = Array.from({ length: 10_000 }, (_, i) => `line ${i}`).join('\n');
time('compareOutput 10 000 lines', 50, () => compareOutput(output, output));
