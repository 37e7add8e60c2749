import { defineConfig, devices } from '@playwright/test';

/**
 * End-to-end tests of the whole product in Debian's Chromium, against the app as the start
 * command runs it (migrate + seed + build, grader and web side by side), on its own SQLite
 * file so a run never touches data/lms.db and always starts from the seed.
 *
 *   npx playwright test -c e2e            # from the repo root
 *   E2E_BASE_URL=http://localhost:3000 npx playwright test -c e2e   # against a running app
 */
const CI = !!process.env.CI;
const port = Number(process.env.E2E_PORT ?? 3917);
const graderPort = Number(process.env.E2E_GRADER_PORT ?? 4917);
const external = process.env.E2E_BASE_URL;
const baseURL = external ?? `http://localhost:${port}`;
const dbFile = 'data/e2e/lms-e2e.db';

// On CI exactly `npm start` (set-up included); locally the same steps without the set-up
// (it may reinstall node_modules, which must not happen under other running processes).
const start = CI ? 'npm start' : 'node scripts/start.mjs';

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  forbidOnly: CI,
  retries: CI ? 1 : 0,
  // one app, one database, a CPU-heavy grader: tests run one after another
  workers: 1,
  fullyParallel: false,
  // a test chains waits for events, each with its own generous deadline (Pyodide ready 90 s,
  // a quick check 60 s, a final check 90 s): on a busy machine they add up
  timeout: 240_000,
  expect: { timeout: 20_000 },
  reporter: CI
    ? [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]]
    : 'list',
  outputDir: 'test-results',
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    locale: 'ru-RU',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], channel: undefined } }],
  webServer: external
    ? undefined
    : {
        command: `rm -f ${dbFile} ${dbFile}-wal ${dbFile}-shm && mkdir -p data/e2e && ${start}`,
        cwd: '..',
        url: `${baseURL}/sign-in`,
        timeout: 15 * 60_000, // the first run builds the app
        reuseExistingServer: false,
        // SIGTERM first: `npm start` then stops the grader, which removes its cgroups and
        // slot directories (a SIGKILL leaves them for the next grader to sweep)
        gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
        stdout: 'pipe',
        stderr: 'pipe',
        env: {
          PORT: String(port),
          GRADER_PORT: String(graderPort),
          DATABASE_URL: `file:${dbFile}`,
          NEXT_TELEMETRY_DISABLED: '1',
          // the access log of every request would bury the report; warnings still show
          LMS_LOG_LEVEL: 'warn',
        },
      },
});
