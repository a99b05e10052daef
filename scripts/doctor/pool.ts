// The pool settings that quietly break a migration, judged from what
// DescribeUserPool answers (doctor --online) or the template declares
// (doctor, statically).
import { type CheckResult, pass, warn } from '../../src/checks.js';

/** What each trigger other than ours sees of the migration, and so must accept. */
const OTHER_TRIGGERS: Record<string, string> = {
  PreSignUp: 'runs for users created with AdminCreateUser too (PreSignUp_AdminCreateUser): it must not refuse users it did not sign up',
  PreAuthentication: 'runs before every sign-in of migrated users: it must accept their attributes as the legacy mapping made them (custom:legacy_id among them)',
  PostAuthentication: 'is where the completion runs: with a ledger or a group map it must be this function, or call it',
  PostConfirmation: 'runs after ConfirmForgotPassword for users the ForgotPassword migration created, and is where their completion runs: it must accept them, and call this function when there is a ledger',
  PreTokenGeneration: 'builds every migrated user\'s tokens: it must accept custom:legacy_id and the groups the completion adds',
  CustomMessage: 'writes the reset code of users a ForgotPassword migration created, and the welcome message when MESSAGE_ACTION=SEND',
};

/** What the pitfalls read of a pool: DescribeUserPool's UserPoolType has these fields. */
export interface PoolFacts {
  Id?: string;
  UsernameAttributes?: readonly string[];
  AliasAttributes?: readonly string[];
  UsernameConfiguration?: { CaseSensitive?: boolean };
  LambdaConfig?: object;
}

/**
 * The pool settings that quietly break a migration, from its DescribeUserPool
 * answer: how users sign in against MATCH_EMAIL, case sensitivity against
 * CASE_INSENSITIVE, and the other triggers that see migrated users.
 *
 * @example
 * ```ts
 * poolPitfalls({ UsernameAttributes: ['email'] }, { MATCH_EMAIL: 'false' }, () => true) // warn pool.sign-in
 * ```
 */
export function poolPitfalls(pool: PoolFacts, env: Record<string, string>, ours: (arn: string | undefined) => boolean): CheckResult[] {
  const out: CheckResult[] = [];
  const id = pool.Id ?? 'the pool';
  const matchEmail = env.MATCH_EMAIL === 'true';
  const emailUsernames = (pool.UsernameAttributes ?? []).includes('email');
  const emailAlias = (pool.AliasAttributes ?? []).includes('email');
  if (emailUsernames && !matchEmail) {
    out.push(warn('pool.sign-in', `Users of ${id} sign in with their email, so the trigger receives an email, but MATCH_EMAIL is off: it looks the email up as a legacy username, and users whose legacy login is not their email are never found`, 'Set MATCH_EMAIL=true (legacy usernames that are not emails cannot sign in to an email-as-username pool at all: give those users their email, or use a pool with email as an alias).'));
  } else if (emailAlias && !emailUsernames && matchEmail) {
    out.push(warn('pool.sign-in', `${id} has email as an alias, and MATCH_EMAIL is on: a user who signs in with their email is created with the email as username, which such a pool refuses ("Username cannot be of email format, since user pool is configured for email alias")`, 'Let legacy users sign in with their legacy username (MATCH_EMAIL=false), or migrate into a pool whose users sign in with their email (UsernameAttributes: email).'));
  } else {
    out.push(pass('pool.sign-in', `How users sign in to ${id} (${emailUsernames ? 'email as username' : emailAlias ? 'username, email as alias' : 'username'}) fits MATCH_EMAIL=${matchEmail}`));
  }
  const caseSensitive = pool.UsernameConfiguration?.CaseSensitive;
  if (env.CASE_INSENSITIVE === 'true' && caseSensitive !== false) {
    const ledger = ['PG_COGNITO_SUB_COLUMN', 'MYSQL_COGNITO_SUB_COLUMN', 'HTTP_LINK_PATH'].some((k) => Boolean(env[k]));
    out.push(warn('pool.case', `${id} ${caseSensitive === true ? 'tells usernames apart by case' : 'says nothing of username case (pools made before case-insensitivity was the default tell case apart)'}, while the legacy lookup folds case (CASE_INSENSITIVE=true): "Ada" after "ada" migrated is unknown to the pool and reaches the trigger again${ledger ? ', where the ledger refuses it' : ', which creates a second account'}`, ledger ? 'Migrate into a pool with case-insensitive usernames (UsernameConfiguration CaseSensitive false), so that both spellings sign in.' : 'Migrate into a pool with case-insensitive usernames, or keep a ledger (PG_COGNITO_SUB_COLUMN) so that the second spelling is refused.'));
  } else {
    out.push(pass('pool.case', `Username case in ${id} (${caseSensitive === false ? 'case-insensitive' : 'case-sensitive'}) fits CASE_INSENSITIVE=${env.CASE_INSENSITIVE === 'true'}`));
  }
  for (const [trigger, what] of Object.entries(OTHER_TRIGGERS)) {
    const arn = (pool.LambdaConfig as Record<string, string | undefined> | undefined)?.[trigger];
    if (arn && !ours(arn)) out.push(warn('pool.other-trigger', `${id} sends ${trigger} to ${arn.split(':').pop()}, which ${what}`, `Check that ${arn.split(':').pop()} accepts migrated users (test it with a migrated user in a staging pool).`));
  }
  return out;
}

