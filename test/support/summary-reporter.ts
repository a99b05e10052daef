// Prints the plain closing line "N passed, N failed" (plus skipped) that CI reads.
// An unhandled error or rejection counts as a failure and fails the run: a test
// suite that "passes" next to one hides a bug.
import type { Reporter, SerializedError, TestModule, TestRunEndReason } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, _reason: TestRunEndReason): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const mod of modules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
      if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) counts.failed++;
    }
    counts.failed += unhandledErrors.length;
    if (unhandledErrors.length > 0) process.exitCode = 1;
    const unhandled = unhandledErrors.length ? ` (${unhandledErrors.length} of them unhandled errors outside any test)` : '';
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}\n${unhandled ? `unhandled:${unhandled}\n` : ''}`);
  }
}
