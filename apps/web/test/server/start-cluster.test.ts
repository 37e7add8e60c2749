// scripts/start-cluster.mjs: its K workers on one machine share the machine's cores
// (scripts/lib/cores.mjs). The root scripts have no Vitest project of their own; the cluster
// starts web instances, so its test lives here.
import { describe, expect, it } from 'vitest';
import { splitCores } from '../../../../scripts/lib/cores.mjs';

describe('start:cluster splits the cores among its workers', () => {
  it('gives each worker its share, the remainder to the first, at least one each', () => {
    expect(splitCores(8, 2)).toEqual([4, 4]);
    expect(splitCores(8, 3)).toEqual([3, 3, 2]);
    expect(splitCores(2, 1)).toEqual([2]);
    // fewer cores than workers: one each (a worker with none could grade nothing)
    expect(splitCores(2, 3)).toEqual([1, 1, 1]);
  });

  it('never gives out more than the cores when there are enough of them', () => {
    for (let cores = 1; cores <= 16; cores++) {
      for (let workers = 1; workers <= cores; workers++) {
        const split = splitCores(cores, workers);
        expect(split.reduce((a, b) => a + b, 0)).toBe(cores);
        expect(Math.max(...split) - Math.min(...split)).toBeLessThanOrEqual(1);
      }
    }
  });
});
