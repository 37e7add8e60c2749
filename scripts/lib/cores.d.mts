// Types of cores.mjs for its test (apps/web/test/server/start-cluster.test.ts).
export function splitCores(cores: number, workers: number): number[];
