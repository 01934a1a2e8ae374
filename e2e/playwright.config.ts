import { fileURLToPath } from 'node:url';
import { defineConfig, devices } from '@playwright/test';

// Browser tests against the real server (`plantwire start`, one per test, see support/fixtures.ts)
// in Debian's Chromium. Playwright cannot download browsers here (STACK.md G16): always the
// system binary, overridable with CHROMIUM_PATH.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** scripts/test.mjs reads this to count the browser tests (PLAYWRIGHT_JSON_OUTPUT_NAME overrides it). */
const JSON_REPORT = process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? fileURLToPath(new URL('./report.json', import.meta.url));

export default defineConfig({
  testDir: './specs',
  outputDir: './test-results',
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  // A test starts its own server (about 4 s, with the simulated plant about 7 s on 2 busy cores).
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: JSON_REPORT }]],
  use: {
    ...devices['Desktop Chrome'],
    // Wide enough for palette, canvas, inspector and debug sidebar side by side.
    viewport: { width: 1920, height: 1080 },
    headless: true,
    launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
    acceptDownloads: true,
    actionTimeout: 10_000,
    navigationTimeout: 20_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
