// The pool's password policy, for migrated passwords. Cognito does not apply
// it to a password the UserMigration trigger migrates; the developer guide
// ("Migrate user Lambda trigger") suggests checking it in the function and
// answering RESET_REQUIRED, so the person sets a compliant password. The rules
// are the pool's own (DescribeUserPool, Policies.PasswordPolicy, read once per
// instance) or given in the settings.
import { ConfigurationError } from './errors.js';

/** The rules, named as Cognito's PasswordPolicyType names them (API reference). */
export interface PasswordRules {
  MinimumLength?: number;
  RequireUppercase?: boolean;
  RequireLowercase?: boolean;
  RequireNumbers?: boolean;
  RequireSymbols?: boolean;
}

/** `off`: no check; `warn`: count and log a migrated password that fails it; `reset`: migrate that user as RESET_REQUIRED. */
export type PolicyMode = 'off' | 'warn' | 'reset';

/**
 * The check of {@link UserMigrationOptions.passwordPolicy}: the mode, and
 * rules that stand instead of the pool's.
 *
 * @example
 * ```ts
 * const policy: PasswordPolicyOptions = { mode: 'reset', rules: { MinimumLength: 12 } }
 * ```
 */
export interface PasswordPolicyOptions {
  mode?: PolicyMode;
  rules?: PasswordRules;
}

// The special characters Cognito counts (developer guide, "Adding user pool password requirements"); a space that is
// neither first nor last counts too.
const SYMBOLS = new Set('^$*.[]{}()?-"!@#%&/\\,><\':;|_~`+='.split(''));

/**
 * The names of the rules a password fails, in Cognito's terms; none when it
 * passes. Letters are the Basic Latin ones, as Cognito reads them.
 *
 * @example
 * ```ts
 * failedRules('short', { MinimumLength: 8, RequireNumbers: true }) // ['MinimumLength', 'RequireNumbers']
 * ```
 */
export function failedRules(password: string, rules: PasswordRules): Array<keyof PasswordRules> {
  const chars = [...password];
  const failed: Array<keyof PasswordRules> = [];
  if (rules.MinimumLength !== undefined && chars.length < rules.MinimumLength) failed.push('MinimumLength');
  if (rules.RequireUppercase && !/[A-Z]/.test(password)) failed.push('RequireUppercase');
  if (rules.RequireLowercase && !/[a-z]/.test(password)) failed.push('RequireLowercase');
  if (rules.RequireNumbers && !/[0-9]/.test(password)) failed.push('RequireNumbers');
  if (rules.RequireSymbols && !chars.some((c, i) => SYMBOLS.has(c) || (c === ' ' && i > 0 && i < chars.length - 1))) failed.push('RequireSymbols');
  return failed;
}

/**
 * Checks the policy options once, when the handler is built.
 *
 * @example
 * ```ts
 * passwordPolicySettings({ mode: 'warn' }, 'createUserMigrationHandler') // { mode: 'warn' }
 * ```
 */
export function passwordPolicySettings(options: PasswordPolicyOptions | undefined, where: string): { mode: PolicyMode; rules?: PasswordRules } {
  // Off unless asked: the library cannot know that its role may call DescribeUserPool. The deployments ask for warn
  // (template.yaml's PasswordPolicy parameter, the CDK construct) and grant the call.
  const mode = options?.mode ?? 'off';
  if (!['off', 'warn', 'reset'].includes(mode)) {
    throw new ConfigurationError('passwordPolicy.mode', `${where}: "passwordPolicy.mode" (PASSWORD_POLICY) must be off, warn or reset`, 'Leave it out for off (the deployments set warn).');
  }
  const rules = options?.rules;
  if (rules !== undefined) {
    const known = ['MinimumLength', 'RequireUppercase', 'RequireLowercase', 'RequireNumbers', 'RequireSymbols'];
    const bad = typeof rules !== 'object' || rules === null || Object.entries(rules).some(([k, v]) => !known.includes(k) || (k === 'MinimumLength' ? !Number.isInteger(v) || (v as number) < 6 || (v as number) > 99 : typeof v !== 'boolean'));
    if (bad) throw new ConfigurationError('passwordPolicy.rules', `${where}: "passwordPolicy.rules" (PASSWORD_POLICY_RULES) must be an object of ${known.join(', ')} (MinimumLength 6 to 99, the others true or false)`, 'Example: PASSWORD_POLICY_RULES={"MinimumLength":8,"RequireNumbers":true}, or leave it out to read the pool\'s own policy.');
  }
  return { mode, ...(rules ? { rules } : {}) };
}
