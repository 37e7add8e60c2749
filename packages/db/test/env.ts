/** Test-run environment (biome allows process.env only in env.ts files). */
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
