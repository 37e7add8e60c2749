/** A compiled task as the grading contract's request: what a final (or quick) check sends. */
import { type GradeRequestInput, type GradeStage, normalizeTypedOutput } from '@lms/grading';
import type { Task } from './schema.ts';

/**
 * The task's checks, limits and flags for a check of `code`. A quick check carries the public
 * tests only: hidden tests and the legacy wrapper_test never leave the server. The answer to a
 * "what does this print?" task goes to its wrapper_test normalised (normalizeTypedOutput).
 * `authorView`: the task's author asks (the doctor), a failing wrapper_test's full output comes
 * back; never for a student's grading (the web app leaves it out).
 */
export function gradeRequestFor(
  task: Task,
  code: string,
  stage: GradeStage = 'final',
  options: { authorView?: boolean } = {},
): GradeRequestInput {
  return {
    code: task.kind === 'output' ? normalizeTypedOutput(code) : code,
    taskId: task.id,
    checks: {
      public: task.checks.public,
      hidden: stage === 'final' ? task.checks.hidden : null,
      wrapperTest: stage === 'final' ? task.checks.wrapperTest : null,
    },
    limits: task.limits,
    flags: {
      runStaticTypeChecker: task.flags.runStaticTypeChecker,
      ...(options.authorView ? { authorView: true } : {}),
    },
    stage,
  };
}
