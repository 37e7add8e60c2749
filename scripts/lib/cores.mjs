// How K grader workers on one machine share its cores (scripts/start-cluster.mjs). Each
// worker's admission lets its programs use up to GRADER_CPU_SLOTS cores (default: all of the
// machine's): K workers on one machine left at the default would each let CPU-bound programs
// take every core, K times over, and the web instances beside them wait for a core (bench/load:
// 3 workers on 2 cores ran up to 6 busy programs at once). Split, they take the cores once
// (or one each, when there are more workers than cores).

/**
 * Each worker's GRADER_CPU_SLOTS: the cores split as evenly as they go (the first ones get
 * the remainder), at least one each (a worker with none could grade nothing).
 * @param {number} cores
 * @param {number} workers
 * @returns {number[]}
 */
export function splitCores(cores, workers) {
  const each = Math.floor(cores / workers);
  const extra = cores % workers;
  return Array.from({ length: workers }, (_, i) => Math.max(1, each + (i < extra ? 1 : 0)));
}
