#!/usr/bin/env node
// The whole test suite, as `npm test` and CI run it (README "Test"):
//   1. typecheck        tsc -p tsconfig.json
//   2. dependency check tsx scripts/check-deps.ts
//   3. generated files  tsx scripts/generate.ts --check
//   4. vitest run       (default console output, plus a JSON report to a temp file)
// then one plain line `N passed, N failed` (vitest tests + the three checks), because CI does not
// read vitest's own summary (STACK.md G18). Exits non-zero when anything failed.
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

check('typecheck', bin('tsc'), ['-p', 'tsconfig.json']);
check('dependency check', bin('tsx'), ['scripts/check-deps.ts']);
check('generated files check', bin('tsx'), ['scripts/generate.ts', '--check']);
vitest();

if (failures.length > 0) {
  console.log('\nFailed:');
  for (const f of failures) console.log(`  - ${f}`);
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
