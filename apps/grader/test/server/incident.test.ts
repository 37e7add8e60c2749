import { gradeRequestSchema } from '@lms/grading';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { gradeOnServer } from '../../src/server/grade.ts';
import { type Sandbox, SandboxError } from '../../src/server/sandbox.ts';

afterEach(() => vi.restoreAllMocks());

/** A sandbox whose every run fails the way a broken launcher does, with paths in its words. */
const brokenSandbox = {
  engine: 'cpython-bwrap',
  pythonVersion: '3.11.2',
  mypyAvailable: false,
  options: { outputCapBytes: 64 * 1024 },
  run: async () => {
    throw new SandboxError('launcher said: bwrap: /run/lms-grader/slot-3/box: Permission denied');
  },
} as unknown as Sandbox;

describe('a failure of the grader itself', () => {
  it('tells the student an incident id, and keeps the details for the log and staff', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const result = await gradeOnServer(
      brokenSandbox,
      gradeRequestSchema.parse({ code: 'print(1)', taskId: 't1', checks: { public: 'x = 1' } }),
    );
    expect(result.status).toBe('sandbox_error');
    expect(result.messageCode?.code).toBe('grader_incident');
    const id = result.messageCode?.params.incident;
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    // nothing of the internals in what a student is shown
    expect(result.message).toContain(String(id));
    expect(JSON.stringify([result.message, result.messageCode, result.tests])).not.toMatch(
      /slot-3|bwrap|Permission/,
    );
    expect(result.incident).toEqual({ id, detail: expect.stringContaining('slot-3/box') });
    expect(log).toHaveBeenCalledWith(expect.stringContaining(`incident ${id}`));
  });
});
