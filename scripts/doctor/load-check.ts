// Run in a fresh node process by `doctor` (built to dist/load-check.mjs): imports a
// built handler the way the Lambda runtime does and prints {"ok":true} or the runtime's error.
// Usage: node load-check.mjs FILE EXPORT
import { loadHandler } from '../invoke/runtime.js';

const [file, exportName] = process.argv.slice(2);
try {
  await loadHandler(file!, exportName!);
  process.stdout.write(JSON.stringify({ ok: true }));
} catch (err) {
  const e = err as { errorType?: string; message?: string };
  process.stdout.write(JSON.stringify({ ok: false, errorType: e.errorType ?? 'Runtime.UnhandledInitError', errorMessage: e.message }));
}
process.exit(0);
