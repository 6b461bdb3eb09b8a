// Sums vitest JSON reports into .ci/run's summary:
//   SQLite: N passed, N skipped; PostgreSQL: N passed, N skipped; total N passed, N failed
// Usage: node .ci/summary.mjs Label=report.json [Label=report.json ...]
// A missing report (type check or run failed before writing it) and a failed file with no failed
// test (an import or hook error) each count as one failure. Exits 1 when anything failed.
import fs from 'node:fs';

let passed = 0;
let failed = 0;
const parts = [];
for (const arg of process.argv.slice(2)) {
  const eq = arg.indexOf('=');
  const [label, file] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, arg];
  if (!fs.existsSync(file)) {
    console.error(`missing report ${file} (type check or run failed)`);
    parts.push(`${label}: no report`);
    failed++;
    continue;
  }
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  let runFailed = r.numFailedTests;
  if (!r.success && runFailed === 0) runFailed = 1;
  passed += r.numPassedTests;
  failed += runFailed;
  parts.push(`${label}: ${r.numPassedTests} passed, ${skipped} skipped${runFailed ? `, ${runFailed} failed` : ''}`);
}
console.log(`${parts.join('; ')}; total ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
