// The self-check invocation's report (`{ "cognito-migrate": "self-check" }`), loaded on the first such
// event only: a sign-in never needs it, so a cold start does not load it.
import { calibrationCheck } from './calibration-check.js';
import { type CheckReport, fail, pass, report, runChecks, warn } from './checks.js';
import type { Settings } from './options.js';
import { calibrateWork } from './passwords/calibrate.js';
import type { PasswordVerifierRegistry } from './passwords/registry.js';
import type { MigrationLogger } from './telemetry.js';
import { timingHashCheck } from './timing-check.js';

/** What the self-check reads: the validated settings and the function's own verifier registry and logger. */
export interface SelfCheckDeps {
  settings: Settings;
  passwords: PasswordVerifierRegistry;
  logger: MigrationLogger;
}

const WORKER_FIX = 'Deploy the verify-worker.mjs that the same build made, beside the handler; if you bundle the handler yourself, add cognito-migrate/verify-worker as a second entry point.';

/** Proves the verification worker answers: the timing hash, verified through it. */
async function isolationCheck({ settings, passwords }: SelfCheckDeps) {
  if (!passwords.isolated) {
    return warn('verify.isolation', 'No verification worker script beside the code: passwords are verified on the event loop, and a costly hash cannot be stopped at the deadline', 'Deploy verify-worker.mjs beside the handler (npm run build and sam build put it there).');
  }
  try {
    // A fresh instance verifies cheap hashes on the calling thread until its thread has started.
    const deadline = Date.now() + 3000;
    let timer: NodeJS.Timeout | undefined;
    const started = await Promise.race([
      passwords.whenIsolated().then(() => true),
      new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), 3000); }),
    ]).finally(() => clearTimeout(timer));
    if (!started) return fail('verify.isolation', 'The verification worker thread did not start within 3 s: sign-ins with costly hashes would wait for it until their deadline', WORKER_FIX);
    await passwords.check('self-check', settings.timingHash, undefined, { deadline });
    return pass('verify.isolation', 'Passwords are verified on a worker thread that the deadline can stop (the timing hash verified through it)');
  } catch (err) {
    const why = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.name : 'no answer';
    return fail('verify.isolation', `The verification worker did not answer (${why}): every sign-in would fail`, WORKER_FIX);
  }
}

/** The completion finds a row by the legacy id the migration put on the user: without it in the mapping, nothing ever completes. */
function linkCheck({ settings }: SelfCheckDeps) {
  const { store } = settings;
  const attribute = settings.completion.legacyIdAttribute;
  const mapped = typeof settings.attributes === 'object' && Object.hasOwn(settings.attributes, attribute);
  if (!store.linkAccount) return pass('completion.link', `The store keeps no ledger; the completion ${Object.keys(settings.completion.groupMap).length ? 'maps no roles either' : 'has nothing to do'}`);
  if (mapped || typeof settings.attributes === 'function') return pass('completion.link', `Migrated users carry ${attribute}${mapped ? '' : ' (if the attribute function sets it)'}, by which the completion finds their row`);
  return fail('completion.link', `The store keeps a ledger, but the migration does not set ${attribute}: no completion can find its row, so no sub is written back and moved users are not refused`, `Map it to the legacy id: ATTRIBUTE_MAP={…,"${attribute}":"id"}.`);
}

/**
 * The completion links, grants and marks only a user whose link proof holds
 * (src/link-proof.ts); without the key that makes proofs, none ever does.
 */
async function proofCheck({ settings }: SelfCheckDeps) {
  if (!settings.store.linkAccount) return pass('completion.proof', 'The store keeps no ledger and gives no roles: no link to prove');
  try {
    const key = await settings.completion.linkKey();
    return key === undefined
      ? fail('completion.proof', 'No link key: no migrated user can prove that the migration made it, so no migration completes (no sub written back, no groups)', 'Set LINK_KEY_ARN to a Secrets Manager secret of 64 random characters (template.yaml makes LinkKeySecret), and give the function secretsmanager:GetSecretValue on it.')
      : pass('completion.proof', `The link key is readable: migrated users carry ${settings.completion.proofAttribute}, and only they complete`);
  } catch (err) {
    return fail('completion.proof', `The link key cannot be read (${err instanceof Error ? err.name : 'error'}): every migration fails`, 'Check LINK_KEY_ARN and the function\'s secretsmanager:GetSecretValue on it; the secret must hold at least 32 characters.');
  }
}

/** The guessing limit's setting. Cognito locks out only users it has: until a legacy user migrates, only this limits guesses. */
function lockoutCheck({ settings }: SelfCheckDeps) {
  const { maxAttempts, lockSeconds } = settings.lockout;
  return settings.store.recordAttempt
    ? pass('lockout', `Guessing limit on: ${maxAttempts} wrong passwords lock a legacy row for ${lockSeconds} s (LOGIN_ATTEMPTS_MAX, LOGIN_LOCK_SECONDS)`)
    : warn('lockout', 'No guessing limit: Cognito locks out only users it already has, so a legacy user not yet migrated can be guessed at Cognito\'s request rate', 'Give the store failedAttempts and lockedUntil columns (PG_COLUMNS={"failedAttempts":"failed_attempts","lockedUntil":"locked_until"}) to lock a row after LOGIN_ATTEMPTS_MAX wrong passwords.');
}

/**
 * Runs every check the deployed function can run on itself: the configuration, the verification worker,
 * the calibration on this CPU, the completion's link, the guessing limit, the store's own checks and the
 * timing hash against a sample of stored hashes.
 *
 * @example
 * ```ts
 * const { ok, checks } = await selfCheck({ settings, passwords, logger })
 * ```
 */
export async function selfCheck(deps: SelfCheckDeps): Promise<CheckReport> {
  const { settings, passwords, logger } = deps;
  const { store } = settings;
  const mode = { matchEmail: settings.matchEmail, caseInsensitive: settings.caseInsensitive };
  const timingCheck = {
    id: 'timing.hash',
    run: async () => {
      const deadline = Date.now() + 3000;
      return timingHashCheck(store, passwords, { signal: AbortSignal.timeout(3000), deadline, remainingMs: () => Math.max(0, deadline - Date.now()) });
    },
  };
  const deep = await runChecks([...(store.checks?.(mode) ?? []), timingCheck], { timeoutMs: 4000 });
  const isolation = await isolationCheck(deps);
  // Every probe, not only those the first sign-ins would run: what the budget assumes on this CPU.
  const calibration = calibrationCheck(await calibrateWork(), process.arch);
  const checks = [pass('config', `Configuration valid; store "${store.name}"`), isolation, calibration, linkCheck(deps), await proofCheck(deps), lockoutCheck(deps), ...deep.checks];
  const outcome = report(checks);
  logger.info('self-check', { ok: outcome.ok, failed: checks.filter((c) => c.status === 'fail').map((c) => c.id) });
  return outcome;
}
