/** A compiled task as the grading contract's request: what a final (or quick) check sends. */
import type { GradeRequestInput, GradeStage } from '@lms/grading';
import type { Task } from './schema.ts';

/**
 * The task's checks, limits and flags for a check of `code`. A quick check carries the public
 * tests only: hidden tests and the legacy wrapper_test never leave the server.
 */
export function gradeRequestFor(
  task: Task,
  code: string,
  stage: GradeStage = 'final',
): GradeRequestInput {
  return {
    code,
    taskId: task.id,
    checks: {
      public: task.checks.public,
      hidden: stage === 'final' ? task.checks.hidden : null,
      wrapperTest: stage === 'final' ? task.checks.wrapperTest : null,
    },
    limits: task.limits,
    flags: { runStaticTypeChecker: task.flags.runStaticTypeChecker },
    stage,
  };
}
