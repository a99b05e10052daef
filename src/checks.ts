/**
 * The self-check model: what `doctor`, the cold start and the self-check
 * invocation report. A check names what it looked at, says what is wrong in
 * terms of the resource, and gives the fix. Messages never carry secrets.
 */

/** `pass`: fine. `warn`: works, but something will hurt. `fail`: users will fail to sign in. */
export type CheckStatus = 'pass' | 'warn' | 'fail';

/**
 * One finding.
 *
 * @example
 * ```ts
 * { id: 'client.password-auth', status: 'fail', message: 'App client web does not allow ALLOW_USER_PASSWORD_AUTH', fix: 'Add ALLOW_USER_PASSWORD_AUTH to ExplicitAuthFlows.' }
 * ```
 */
export interface CheckResult {
  /** Stable id, `area.what`, e.g. `postgres.query`. */
  id: string;
  status: CheckStatus;
  /** What was found, naming the resource. */
  message: string;
  /** What to do; empty for a pass. */
  fix: string;
  /** Figures behind the finding, for tools that compare them (doctor reads the database's connection room). */
  data?: Record<string, number>;
}

/**
 * A check that may need I/O. Adapters return these from `UserStore.checks()`.
 *
 * @example
 * ```ts
 * const reachable: SelfCheck = { id: 'http.reachable', run: async () => (await ping()) ? pass('http.reachable', 'API answered') : fail('http.reachable', 'No answer', 'Check the URL and the security group.') }
 * ```
 */
export interface SelfCheck {
  id: string;
  run(): Promise<CheckResult | CheckResult[]>;
}

/** A list of findings with an overall verdict. */
export interface CheckReport {
  /** True when no check failed. */
  ok: boolean;
  checks: CheckResult[];
}

/**
 * Builds a passing result.
 * @example pass('postgres.connect', 'Connected to PostgreSQL 16.2')
 */
export const pass = (id: string, message: string): CheckResult => ({ id, status: 'pass', message, fix: '' });
/**
 * Builds a warning.
 * @example warn('function.timeout', 'Timeout is 30 s', 'Set it to 5 s.')
 */
export const warn = (id: string, message: string, fix: string): CheckResult => ({ id, status: 'warn', message, fix });
/**
 * Builds a failure.
 * @example fail('function.handler', 'index.handler is not exported', 'Set Handler to index.handler.')
 */
export const fail = (id: string, message: string, fix: string): CheckResult => ({ id, status: 'fail', message, fix });

/**
 * Runs checks one after another, each within `timeoutMs`; a check that throws
 * or times out becomes a failure naming the error's class, not its text.
 *
 * @example
 * ```ts
 * const report = await runChecks(store.checks?.() ?? [], { timeoutMs: 2000 })
 * ```
 */
export async function runChecks(checks: readonly SelfCheck[], { timeoutMs = 3000 }: { timeoutMs?: number } = {}): Promise<CheckReport> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    let timer: NodeJS.Timeout | undefined;
    try {
      const outcome = await Promise.race([
        check.run(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      results.push(...(Array.isArray(outcome) ? outcome : [outcome]));
    } catch (err) {
      const reason = err instanceof Error && err.message.startsWith('no answer within') ? err.message : `it threw ${err instanceof Error ? err.name : typeof err}`;
      results.push(fail(check.id, `The check could not finish: ${reason}`, 'See the function log for the cause; fix the setting the check names.'));
    } finally {
      clearTimeout(timer);
    }
  }
  return report(results);
}

/**
 * Wraps findings into a report.
 * @example report([pass('a', 'ok'), fail('b', 'broken', 'fix it')]).ok // false
 */
export function report(checks: CheckResult[]): CheckReport {
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}

/** The event an operator sends to run the deep checks inside the deployed function. */
export const SELF_CHECK_EVENT = { 'cognito-migrate': 'self-check' } as const;

/**
 * True for the self-check event. A Cognito trigger event always has a
 * `triggerSource` and never this key, so Cognito can never start a self-check.
 *
 * @example
 * ```ts
 * isSelfCheckEvent({ 'cognito-migrate': 'self-check' }) // true
 * ```
 */
export function isSelfCheckEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && !('triggerSource' in event) && (event as Record<string, unknown>)['cognito-migrate'] === 'self-check';
}
