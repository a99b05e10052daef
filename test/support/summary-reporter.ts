// Prints the plain closing line "N passed, N failed" (plus skipped) that CI reads.
// An unhandled error or rejection counts as a failure and fails the run: a test
// suite that "passes" next to one hides a bug.
import type { Reporter, SerializedError, TestModule, TestRunEndReason } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, _reason: TestRunEndReason): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const mod of modules) {
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') { counts.failed++; failedHere++; }
        else counts.skipped++;
      }
      // A file that failed outside its tests (a beforeAll, an import) leaves them skipped: that is a failure too.
      if (mod.state() === 'failed' && failedHere === 0) counts.failed++;
    }
    counts.failed += unhandledErrors.length;
    if (unhandledErrors.length > 0) process.exitCode = 1;
    const unhandled = unhandledErrors.length ? ` (${unhandledErrors.length} of them unhandled errors outside any test)` : '';
    // Test files left out for want of a server (vitest.config.ts) are said here too, where nobody misses it.
    const leftOut = process.env.COGNITO_MIGRATE_LEFT_OUT ? `not run: ${process.env.COGNITO_MIGRATE_LEFT_OUT}\n` : '';
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}\n${unhandled ? `unhandled:${unhandled}\n` : ''}${leftOut}`);
  }
}
