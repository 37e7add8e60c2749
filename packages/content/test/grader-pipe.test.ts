import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { graderCliRunner } from '../src/doctor/runner.ts';

// Fake graders: the doctor's runner must turn each way a grader can fail into an error on the
// jobs it was given, never a crash or a hang.
const dir = mkdtempSync(join(tmpdir(), 'lms-fake-grader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeGrader(name: string, body: string): string {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, body);
  chmodSync(file, 0o755);
  return file;
}

describe('the doctor talking to lms-grader pipe', () => {
  it('fails the waiting jobs when the grader dies, also while a large job is written', async () => {
    const bin = fakeGrader(
      'dies',
      "process.stderr.write('bwrap: not found\\n'); process.exit(3);\n",
    );
    const runner = graderCliRunner(bin, { env: { GRADER_UID_BASE: '64200' } });
    const big = `print(${JSON.stringify('x'.repeat(1_000_000))})`;
    const results = await Promise.allSettled([
      runner.runProgram(big, 1),
      runner.runProgram('print(1)', 1),
    ]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect(String((r as PromiseRejectedResult).reason)).toMatch(/lms-grader/);
    }
    await runner.close?.();
  });

  it('gives up a job the grader never answers, and the next job gets a new grader', async () => {
    // answers only once a marker file exists: the first process hangs, the second answers
    const marker = join(dir, 'second');
    const bin = fakeGrader(
      'hangs-once',
      `import { existsSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
const answers = existsSync(${JSON.stringify(marker)});
writeFileSync(${JSON.stringify(marker)}, '');
for await (const line of createInterface({ input: process.stdin })) {
  if (!answers) continue;
  const { id } = JSON.parse(line);
  const run = { status: 'ok', stdout: 'ok\\n', stderr: '', exitCode: 0, signal: null, elapsed: 0,
    traceback: null, limitHit: null, stdoutTruncated: false, stderrTruncated: false,
    engine: 'cpython-bwrap', pythonVersion: '3.11.2', unsafe: false };
  process.stdout.write(JSON.stringify({ id, run }) + '\\n');
}
`,
    );
    const runner = graderCliRunner(bin, { slackSeconds: 1, env: { GRADER_UID_BASE: '64200' } });
    await expect(runner.runProgram('print(1)', 1)).rejects.toThrow(/no answer in 2 s/);
    await expect(runner.runProgram('print(1)', 1)).resolves.toMatchObject({ stdout: 'ok\n' });
    await runner.close?.();
  });
});
