import { describe, expect, it } from 'vitest';
import { amplifySignInWithMigration, isUnknownUserRefusal } from '../../src/client/index.js';

const error = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('client fallback rules', () => {
  it('falls back only on the two answers Cognito gives an unknown user', () => {
    expect(isUnknownUserRefusal(error('UserNotFoundException', 'User does not exist.'))).toBe(true);
    expect(isUnknownUserRefusal(error('NotAuthorizedException', 'Incorrect username or password.'))).toBe(true);
    // amazon-cognito-identity-js puts the name in `code` too.
    expect(isUnknownUserRefusal({ code: 'UserNotFoundException', message: 'User does not exist.' })).toBe(true);
    for (const other of [
      error('NotAuthorizedException', 'User is disabled.'), error('PasswordResetRequiredException', 'Password reset required for the user'),
      error('UserNotConfirmedException', 'User is not confirmed.'), error('TooManyRequestsException', 'Rate exceeded'), error('NetworkError', 'Network error'), null, 'text',
    ]) expect(isUnknownUserRefusal(other), JSON.stringify(other)).toBe(false);
  });

  it('Amplify v6: SRP first, one retry with USER_PASSWORD_AUTH on an unknown-user refusal, none otherwise or after fallbackUntil', async () => {
    const seen: Array<string | undefined> = [];
    const signIn = (answers: Array<Error | string>) => async (input: { options?: { authFlowType?: string } }) => {
      seen.push(input.options?.authFlowType);
      const next = answers.shift()!;
      if (next instanceof Error) throw next;
      return next;
    };
    expect(await amplifySignInWithMigration(signIn([error('UserNotFoundException', 'User does not exist.'), 'DONE']), { username: 'ada', password: 'pw' })).toBe('DONE');
    expect(seen).toEqual([undefined, 'USER_PASSWORD_AUTH']);
    seen.length = 0;
    await expect(amplifySignInWithMigration(signIn([error('NotAuthorizedException', 'Incorrect username or password.'), error('NotAuthorizedException', 'Incorrect username or password.')]), { username: 'ada', password: 'bad' }))
      .rejects.toThrow('Incorrect username or password.');
    expect(seen).toEqual([undefined, 'USER_PASSWORD_AUTH']);
    seen.length = 0;
    await expect(amplifySignInWithMigration(signIn([error('PasswordResetRequiredException', 'Password reset required for the user')]), { username: 'ada', password: 'pw' })).rejects.toThrow(/reset required/);
    expect(seen).toEqual([undefined]);
    seen.length = 0;
    const now = () => new Date('2027-07-01T00:00:00Z');
    await expect(amplifySignInWithMigration(signIn([error('UserNotFoundException', 'User does not exist.')]), { username: 'ada', password: 'pw' }, { fallbackUntil: '2027-06-30', now })).rejects.toThrow(/does not exist/);
    expect(seen).toEqual([undefined]);
    await expect(amplifySignInWithMigration(signIn(['DONE']), { username: 'ada' }, { fallbackUntil: 'soon' })).rejects.toThrow(/fallbackUntil is not a date/);
  });
});
