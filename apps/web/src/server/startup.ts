import { getDb } from './db';
import { getGraderTransport } from './grader';
import { recoverPendingAttempts } from './grader/pipeline';

/**
 * Work at server start (instrumentation.ts): attempts stored but never graded — the server
 * stopped between storing and grading — go to the grader again. Runs in the background so a
 * slow database or grader never delays the first request.
 */
export function startBackgroundWork(): void {
  void (async () => {
    try {
      const transport = await getGraderTransport();
      const { recovered } = await recoverPendingAttempts(getDb(), transport);
      if (recovered > 0) console.log(`[web] re-sent ${recovered} pending attempt(s) to the grader`);
    } catch (error) {
      console.error(`[web] could not recover pending attempts: ${(error as Error).message}`);
    }
  })();
}
