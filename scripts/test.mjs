#!/usr/bin/env node
// The whole test suite, as `npm test` and CI run it (README "Test"):
//   1. typecheck        tsc -p tsconfig.json
//      editor typecheck tsc -p apps/editor/tsconfig.json (DOM + JSX, its own settings)
//      e2e typecheck    tsc -p e2e/tsconfig.json (the browser tests: support, pages, composers, specs)
//   2. dependency check tsx scripts/check-deps.ts
//   3. generated files  tsx scripts/generate.ts --check
//   4. vitest run       (default console output, plus a JSON report to a temp file)
//   5. editor build     vite build (apps/editor/dist, which the browser tests' server serves)
//   6. browser tests    playwright test -c e2e/playwright.config.ts (Debian's Chromium; JSON report to a temp file)
// then one plain line `N passed, N failed` (vitest and Playwright tests + the checks), because CI
// does not read vitest's or Playwright's own summary (STACK.md G18). Exits non-zero when anything failed.
// Plain Node with no imports beyond node:*, so it runs before anything else works.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

let passed = 0;
let failed = 0;
const failures = [];

function check(label, cmd, args) {
  console.log(`\n▶ ${label}: ${[cmd.replace(`${root}/`, ''), ...args].join(' ')}`);
  const started = Date.now();
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status === 0) {
    passed += 1;
    console.log(`✓ ${label} (${seconds} s)`);
  } else {
    failed += 1;
    failures.push(label);
    const why = result.error ? result.error.message : `exit ${result.status ?? result.signal}`;
    console.log(`✗ ${label} failed (${why}, ${seconds} s)`);
  }
}

function vitest() {
  console.log('\n▶ vitest run');
  const dir = mkdtempSync(join(tmpdir(), 'plantwire-vitest-'));
  const report = join(dir, 'report.json');
  try {
    const result = spawnSync(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], {
      cwd: root,
      stdio: 'inherit',
    });
    if (!existsSync(report)) {
      // vitest died before reporting (config error, crash): that is one failure, not zero tests.
      failed += 1;
      failures.push(`vitest (no report; ${result.error ? result.error.message : `exit ${result.status ?? result.signal}`})`);
      return;
    }
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed += json.numPassedTests ?? 0;
    failed += json.numFailedTests ?? 0;
    // A test file that fails to load has no failed *tests*; count each such file once.
    for (const file of json.testResults ?? []) {
      const failedTests = (file.assertionResults ?? []).filter((a) => a.status === 'failed').length;
      if (file.status === 'failed' && failedTests === 0) {
        failed += 1;
        failures.push(`vitest: ${file.name.replace(`${root}/`, '')} (${(file.message ?? 'failed to run').split('\n')[0]})`);
      } else if (failedTests > 0) {
        failures.push(`vitest: ${file.name.replace(`${root}/`, '')} (${failedTests} failed)`);
      }
    }
    if (result.status !== 0 && (json.numFailedTests ?? 0) === 0 && !failures.some((f) => f.startsWith('vitest'))) {
      // e.g. an unhandled error outside any test: vitest fails the run, so must we.
      failed += 1;
      failures.push(`vitest exited ${result.status ?? result.signal} (errors outside tests, see above)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every test of a Playwright JSON report with its final status, as `file › title`. */
function playwrightTests(suites, file = '') {
  const tests = [];
  for (const suite of suites ?? []) {
    const at = suite.file ?? file;
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) tests.push({ name: `${at} › ${spec.title}`, status: test.status });
    }
    tests.push(...playwrightTests(suite.suites, at));
  }
  return tests;
}

function playwright() {
  const config = 'e2e/playwright.config.ts';
  console.log(`\n▶ browser tests: e2e/node_modules/.bin/playwright test -c ${config}`);
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    failed += 1;
    failures.push(`browser tests (no Chromium at ${chromium}; scripts/ensure-system-packages.sh installs it, or set CHROMIUM_PATH)`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'plantwire-playwright-'));
  const report = join(dir, 'report.json');
  const started = Date.now();
  try {
    const result = spawnSync(join(root, 'e2e', 'node_modules', '.bin', 'playwright'), ['test', '-c', config], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: report },
    });
    const why = result.error ? result.error.message : `exit ${result.status ?? result.signal}`;
    console.log(`browser tests: ${why} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (!existsSync(report)) {
      // Playwright died before reporting (config error, crash): one failure, not zero tests.
      failed += 1;
      failures.push(`browser tests (no report; ${why})`);
      return;
    }
    const json = JSON.parse(readFileSync(report, 'utf8'));
    const tests = playwrightTests(json.suites);
    // "expected" passed, "flaky" passed on a retry, "unexpected" failed; "skipped" did not run,
    // which the house rules do not allow, so it counts as a failure too.
    const bad = tests.filter((t) => t.status !== 'expected' && t.status !== 'flaky');
    passed += tests.length - bad.length;
    failed += bad.length;
    for (const t of bad) failures.push(`browser: ${t.name} (${t.status === 'unexpected' ? 'failed' : t.status})`);
    if (bad.length === 0) {
      // Errors outside any test (a spec that does not load, a worker crash), no test at all, or a
      // failed run with every test green: the run failed, so must we.
      const outside = (json.errors ?? []).length;
      if (outside > 0) failures.push(`browser tests: ${outside} error(s) outside tests, see above`);
      else if (tests.length === 0) failures.push('browser tests: no test ran');
      else if (result.status !== 0) failures.push(`browser tests (${why} with no failed test, see above)`);
      if (outside > 0 || tests.length === 0 || result.status !== 0) failed += 1;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

check('typecheck', bin('tsc'), ['-p', 'tsconfig.json']);
check('editor typecheck', bin('tsc'), ['-p', 'apps/editor/tsconfig.json']);
check('e2e typecheck', bin('tsc'), ['-p', 'e2e/tsconfig.json']);
check('dependency check', bin('tsx'), ['scripts/check-deps.ts']);
check('generated files check', bin('tsx'), ['scripts/generate.ts', '--check']);
vitest();
// Always rebuilt: the editor also bundles packages/flow and packages/protocol, so a staleness check
// on apps/editor alone could test an old build. A few seconds.
check('editor build', join(root, 'apps', 'editor', 'node_modules', '.bin', 'vite'), ['build', 'apps/editor', '--logLevel', 'warn']);
playwright();

if (failures.length > 0) {
  console.log('\nFailed:');
  for (const f of failures) console.log(`  - ${f}`);
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
