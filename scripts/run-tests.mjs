#!/usr/bin/env node
// Runs every suite and prints their totals on the last line: `N passed, N failed`.
// Suites: lint (Biome, counted as one check), Vitest across all workspaces (root
// vitest.config.ts lists them as projects), Playwright end-to-end in Debian's Chromium, and the
// load bench at CI size (bench/load --small).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const stateDir = join(root, '.state');
mkdirSync(stateDir, { recursive: true });
const only = process.argv[2]; // optional: lint | unit | e2e | load

const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];

function run(cmd, args, env = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

if (!only || only === 'lint') {
  const code = run('npx', ['biome', 'ci', '--reporter=summary', '.']);
  if (code === 0) totals.passed += 1;
  else totals.failed += 1;
  lines.push(`lint: ${code === 0 ? 'clean' : 'FAILED'}`);
}

if (!only || only === 'unit') {
  const out = join(stateDir, 'vitest.json');
  rmSync(out, { force: true });
  const code = run('npx', [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
  ]);
  const report = readJson(out);
  if (report) {
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    totals.skipped += report.numPendingTests + (report.numTodoTests ?? 0);
    // a suite that failed to load has no tests in it but must still count as a failure
    const brokenFiles = report.testResults.filter(
      (f) => f.status === 'failed' && f.assertionResults.length === 0,
    ).length;
    totals.failed += brokenFiles;
    lines.push(
      `vitest: ${report.numPassedTests} passed, ${report.numFailedTests + brokenFiles} failed, ${report.numPendingTests} skipped`,
    );
    if (code !== 0 && report.numFailedTests + brokenFiles === 0) {
      totals.failed += 1; // the runner failed for a reason outside any test (e.g. unhandled error)
      lines.push(`vitest: exited ${code} outside any test`);
    }
  } else {
    totals.failed += 1;
    lines.push(`vitest: no report (exit ${code})`);
  }
}

if ((!only || only === 'e2e') && existsSync(join(root, 'e2e/playwright.config.ts'))) {
  const out = join(stateDir, 'e2e.json');
  rmSync(out, { force: true });
  const code = run(
    'npx',
    ['playwright', 'test', '-c', 'e2e/playwright.config.ts', '--reporter=list,json'],
    {
      PLAYWRIGHT_JSON_OUTPUT_NAME: out,
    },
  );
  const report = readJson(out);
  if (report?.stats) {
    const { expected, unexpected, flaky, skipped } = report.stats;
    totals.passed += expected + flaky;
    totals.failed += unexpected;
    totals.skipped += skipped;
    lines.push(
      `e2e: ${expected + flaky} passed (${flaky} flaky), ${unexpected} failed, ${skipped} skipped`,
    );
    if (code !== 0 && unexpected === 0) {
      totals.failed += 1;
      lines.push(`e2e: exited ${code} outside any test`);
    }
  } else {
    totals.failed += 1;
    lines.push(`e2e: no report (exit ${code})`);
  }
}

// issue 14: the load bench at CI size (4 students over HTTP on the embedded default, every
// verdict and the database checked); one test: it passes when the bench exits 0
if ((!only || only === 'load') && existsSync(join(root, 'bench/load/run.ts'))) {
  const code = run('npx', ['tsx', 'bench/load/run.ts', '--small']);
  if (code === 0) totals.passed += 1;
  else totals.failed += 1;
  lines.push(`load (bench/load --small): ${code === 0 ? '1 passed' : `FAILED (exit ${code})`}`);
}

console.log(`\n${lines.join('\n')}`);
if (totals.skipped) console.log(`(${totals.skipped} skipped)`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 ? 1 : 0);
