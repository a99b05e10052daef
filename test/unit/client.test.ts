import { describe, expect, it } from 'vitest';
import { FEDERATED_LINKED_TEXT, amplifySignInWithMigration, isLinkedFirstSignIn, retryLinkedSignInOnce, isMigrationRefusal, isUnknownUserRefusal, legacyTotpMetadata, migrationServices, needsAuthenticatorEnrolment, signInWithMigration } from '../../src/client/index.js';

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

  it('both helpers send the app\'s ClientMetadata, a legacy authenticator code included, on the fallback request', async () => {
    const metadata = legacyTotpMetadata('246810', { app: 'web' });
    expect(metadata).toEqual({ app: 'web', legacy_totp_code: '246810' });
    expect(() => legacyTotpMetadata('12ab56')).toThrow(/6 to 8 digits/);
    const inputs: unknown[] = [];
    await amplifySignInWithMigration(async (input) => {
      inputs.push(input);
      if (inputs.length === 1) throw error('UserNotFoundException', 'User does not exist.');
      return 'DONE';
    }, { username: 'ada', password: 'pw', options: { clientMetadata: metadata } });
    expect(inputs[1]).toEqual({ username: 'ada', password: 'pw', options: { clientMetadata: metadata, authFlowType: 'USER_PASSWORD_AUTH' } });
    // amazon-cognito-identity-js sends the details' ClientMetadata with each InitiateAuth; the fallback reuses the same details.
    const details = { getClientMetadata: () => metadata };
    const sent: Array<{ flow: string; details: unknown }> = [];
    let flow = '';
    const user = {
      setAuthenticationFlowType: (f: string) => { flow = f; },
      authenticateUser: (d: never, callbacks: { onSuccess(s: never): void; onFailure(e: unknown): void }) => {
        sent.push({ flow, details: d });
        if (flow === 'USER_SRP_AUTH') callbacks.onFailure(error('UserNotFoundException', 'User does not exist.'));
        else callbacks.onSuccess('SESSION' as never);
      },
    };
    expect(await signInWithMigration(user, details)).toEqual({ kind: 'session', session: 'SESSION', fellBack: true });
    expect(sent.map((s) => s.flow)).toEqual(['USER_SRP_AUTH', 'USER_PASSWORD_AUTH']);
    expect(sent.every((s) => s.details === details)).toBe(true);
  });

  it('Amplify UI Authenticator: services.handleSignIn falls back once, with the input the Authenticator gives it', async () => {
    const calls: unknown[] = [];
    const signIn = async (input: unknown) => {
      calls.push(input);
      if (calls.length === 1) throw error('NotAuthorizedException', 'Incorrect username or password.');
      return { isSignedIn: true, nextStep: { signInStep: 'DONE' } };
    };
    const services = migrationServices(signIn, { fallbackUntil: '2999-01-01' });
    expect(await services.handleSignIn({ username: 'ada@example.com', password: 'pw', options: { clientMetadata: { app: 'web' } } })).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    expect(calls).toEqual([
      { username: 'ada@example.com', password: 'pw', options: { clientMetadata: { app: 'web' } } },
      { username: 'ada@example.com', password: 'pw', options: { clientMetadata: { app: 'web' }, authFlowType: 'USER_PASSWORD_AUTH' } },
    ]);
    // Challenges come back as nextStep, never retried.
    calls.length = 0;
    const challenged = migrationServices(async (input: unknown) => (calls.push(input), { isSignedIn: false, nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_TOTP_CODE' } }));
    expect((await challenged.handleSignIn({ username: 'ada', password: 'pw' })).nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_TOTP_CODE');
    expect(calls).toHaveLength(1);
  });
});

describe('the legacy authenticator code (issue 36)', () => {
  const refused = () => error('UserNotFoundException', 'UserMigration failed with error Incorrect username or password.');
  it('Amplify v6: a refused fallback asks once for the code and tries again with it in clientMetadata; a given code or no answer asks nothing more', async () => {
    const inputs: Array<{ options?: { authFlowType?: string; clientMetadata?: Record<string, string> } }> = [];
    const signIn = (answers: Array<Error | string>) => async (input: (typeof inputs)[number]) => {
      inputs.push(input);
      const next = answers.shift()!;
      if (next instanceof Error) throw next;
      return next;
    };
    let asked = 0;
    const ask = async () => { asked++; return '123456'; };
    expect(await amplifySignInWithMigration(signIn([error('UserNotFoundException', 'User does not exist.'), refused(), 'DONE']), { username: 'ada', password: 'pw', options: { clientMetadata: { app: 'web' } } }, { askLegacyCode: ask })).toBe('DONE');
    expect(asked).toBe(1);
    expect(inputs.at(-1)?.options).toEqual({ authFlowType: 'USER_PASSWORD_AUTH', clientMetadata: { app: 'web', legacy_totp_code: '123456' } });
    inputs.length = 0;
    // A code sent already: nothing is asked, the refusal stands.
    await expect(amplifySignInWithMigration(signIn([error('UserNotFoundException', 'User does not exist.'), refused()]), { username: 'ada', password: 'pw', options: { clientMetadata: legacyTotpMetadata('654321') } }, { askLegacyCode: ask })).rejects.toThrow(/UserMigration failed/);
    expect(asked).toBe(1);
    // The app gives no code: the refusal stands, one fallback only.
    await expect(amplifySignInWithMigration(signIn([error('UserNotFoundException', 'User does not exist.'), refused()]), { username: 'ada', password: 'pw' }, { askLegacyCode: async () => undefined })).rejects.toThrow(/UserMigration failed/);
    // Not a refusal (an outage): never asked.
    await expect(amplifySignInWithMigration(signIn([error('UserNotFoundException', 'User does not exist.'), error('UserNotFoundException', 'UserMigration failed with error Sign-in is temporarily unavailable. Please try again later.')]), { username: 'ada', password: 'pw' }, { askLegacyCode: ask })).rejects.toThrow(/temporarily/);
    expect(asked).toBe(1);
  });

  it('tells a migration\'s refusal from a disabled user or an outage, and a user who should enrol from one who has', () => {
    expect(isMigrationRefusal(refused())).toBe(true);
    expect(isMigrationRefusal(error('NotAuthorizedException', 'Incorrect username or password.'))).toBe(true);
    expect(isMigrationRefusal(error('NotAuthorizedException', 'User is disabled.'))).toBe(false);
    expect(isMigrationRefusal(error('TooManyRequestsException', 'Rate exceeded'))).toBe(false);
    expect(needsAuthenticatorEnrolment({ 'custom:legacy_mfa': 'totp' }, false)).toBe(true);
    expect(needsAuthenticatorEnrolment({ 'custom:legacy_mfa': 'totp' }, true)).toBe(false);
    expect(needsAuthenticatorEnrolment({}, false)).toBe(false);
  });
});

describe('a linked federated first sign-in (issue 33)', () => {
  it('knows the function\'s text and Cognito\'s own, from a redirect URL (query or fragment) or an error', async () => {
    const { PUBLIC_MESSAGES } = await import('../../src/index.js');
    expect(FEDERATED_LINKED_TEXT).toBe(PUBLIC_MESSAGES.federatedLinked);
    const q = `https://app.example.com/cb?error_description=${encodeURIComponent(`PreSignUp failed with error ${PUBLIC_MESSAGES.federatedLinked}.`)}&error=invalid_request`;
    expect(isLinkedFirstSignIn(q)).toBe(true);
    expect(isLinkedFirstSignIn('https://app.example.com/cb#error_description=Already+found+an+entry+for+username+Google_1093&error=invalid_request')).toBe(true);
    expect(isLinkedFirstSignIn(new Error('Already found an entry for username google_1093'))).toBe(true);
    expect(isLinkedFirstSignIn('https://app.example.com/cb?error_description=PreSignUp+failed+with+error+An+account+already+exists.')).toBe(false);
    expect(isLinkedFirstSignIn('https://app.example.com/cb?code=abc')).toBe(false);
  });

  it('retries once, and shows a second such error instead of looping', () => {
    const store = new Map<string, string>();
    const memory = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => { store.set(k, v); }, removeItem: (k: string) => { store.delete(k); } };
    let retries = 0;
    const linked = 'https://app.example.com/cb?error_description=Already+found+an+entry+for+username+Google_1';
    expect(retryLinkedSignInOnce(linked, memory, () => { retries++; })).toBe(true);
    expect(retryLinkedSignInOnce(linked, memory, () => { retries++; })).toBe(false);
    expect(retries).toBe(1);
    expect(retryLinkedSignInOnce(linked, memory, () => { retries++; })).toBe(true);
    expect(retryLinkedSignInOnce('https://app.example.com/cb?code=abc', memory, () => { retries++; })).toBe(false);
    expect(store.size).toBe(0);
    expect(retries).toBe(2);
  });
});
