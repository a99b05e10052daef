// doctor's pool pitfalls on DescribeUserPool answers cognito-local cannot give (its pools always list email
// among UsernameAttributes): shaped after the API reference's UserPoolType.
import { describe, expect, it } from 'vitest';
import { poolPitfalls } from '../../scripts/doctor/pool.js';

const ours = (arn: string | undefined) => arn === 'arn:aws:lambda:eu-west-1:123456789012:function:migrate';
const status = (results: ReturnType<typeof poolPitfalls>, id: string) => results.find((r) => r.id === id)?.status;

describe('pool pitfalls', () => {
  it('an email-alias pool with MATCH_EMAIL: an email username is refused there', () => {
    const results = poolPitfalls({ Id: 'eu-west-1_Alias', AliasAttributes: ['email', 'preferred_username'] }, { MATCH_EMAIL: 'true' }, ours);
    expect(results.find((r) => r.id === 'pool.sign-in')).toMatchObject({ status: 'warn', message: expect.stringMatching(/Username cannot be of email format/) });
    expect(status(poolPitfalls({ Id: 'p', AliasAttributes: ['email'] }, { MATCH_EMAIL: 'false' }, ours), 'pool.sign-in')).toBe('pass');
  });

  it('case: a pool that says nothing of case counts as case-sensitive; with a ledger the second spelling is refused, without one it is a second account', () => {
    expect(poolPitfalls({ Id: 'p' }, { CASE_INSENSITIVE: 'true' }, ours).find((r) => r.id === 'pool.case')?.message).toMatch(/says nothing of username case.*creates a second account/);
    expect(poolPitfalls({ Id: 'p' }, { CASE_INSENSITIVE: 'true', PG_COGNITO_SUB_COLUMN: 'cognito_sub' }, ours).find((r) => r.id === 'pool.case')?.message).toMatch(/where the ledger refuses it/);
    expect(status(poolPitfalls({ Id: 'p', UsernameConfiguration: { CaseSensitive: false } }, { CASE_INSENSITIVE: 'true' }, ours), 'pool.case')).toBe('pass');
  });

  it('names each other trigger and what it must accept, and none of ours', () => {
    const results = poolPitfalls({
      Id: 'p',
      LambdaConfig: { UserMigration: 'arn:aws:lambda:eu-west-1:123456789012:function:migrate', PostAuthentication: 'arn:aws:lambda:eu-west-1:123456789012:function:migrate', PreSignUp: 'arn:aws:lambda:eu-west-1:123456789012:function:signup', PostConfirmation: 'arn:aws:lambda:eu-west-1:123456789012:function:welcome' },
    }, {}, ours);
    expect(results.filter((r) => r.id === 'pool.other-trigger').map((r) => r.message)).toEqual([
      expect.stringMatching(/PreSignUp to signup, which runs for users created with AdminCreateUser/),
      expect.stringMatching(/PostConfirmation to welcome, which runs after ConfirmForgotPassword/),
    ]);
  });
});
