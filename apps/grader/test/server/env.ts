/** Environment the grader's server tests read (the only place they touch process.env). */
export const testEnv = {
  ci: Boolean(process.env.CI && process.env.CI !== 'false'),
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
};
