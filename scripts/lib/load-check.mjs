// Run in a fresh node process by `doctor`: imports a built handler the way the
// Lambda runtime does and prints {"ok":true} or the runtime's error.
// Usage: node load-check.mjs FILE EXPORT
import { loadHandler } from '../../dist/runtime.mjs';

const [file, exportName] = process.argv.slice(2);
try {
  await loadHandler(file, exportName);
  process.stdout.write(JSON.stringify({ ok: true }));
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, errorType: err.errorType ?? 'Runtime.UnhandledInitError', errorMessage: err.message }));
}
process.exit(0);
