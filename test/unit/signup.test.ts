// The Pre sign-up guard (issue 33, the sign-up door): a sign-up may not take
// the login of a legacy person who has not migrated yet, nor carry an
// attribute only the migration sets; a store it cannot read refuses too.
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../adapters/memory/index.js';
import { PUBLIC_MESSAGES, type UserStore, createUserMigrationHandler } from '../../src/index.js';
import { signUpGuardOnline } from '../../scripts/doctor/online.js';
import { captureLogger, countMetrics, lambdaContext } from '../support/fakes.js';

const rows = () => [
  { id: '1', username: 'Ada', fields: { email: 'Ada.Lovelace@example.com' } },
  { id: '2', username: 'moved', cognitoSub: 'sub-of-moved', fields: { email: 'moved@example.com' } },
  { id: '3', username: 'twin', fields: { email: 'twin1@example.com' } },
  { id: '4', username: 'twin', fields: { email: 'twin2@example.com' } },
];

function setup(store: UserStore = createMemoryStore(rows()), more: Record<string, unknown> = {}) {
  const log = captureLogger();
  const m = countMetrics();
  const handler = createUserMigrationHandler({ store, matchEmail: true, caseInsensitive: true, logger: log.logger, metrics: m.metrics, verifyWorker: false, timeoutMs: 600, ...more });
  return { handler, log, counts: m.counts };
}

const signUp = (userName: string, userAttributes: Record<string, string> = {}, triggerSource = 'PreSignUp_SignUp') => ({
  version: '1', triggerSource, region: 'eu-west-1', userPoolId: 'eu-west-1_TEST', userName, callerContext: { awsSdkVersion: 'x', clientId: 'c' },
  request: { userAttributes, validationData: {}, clientMetadata: {} }, response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
});
const answer = (p: Promise<unknown>) => p.then(() => 'allowed', (e: Error) => e.message);

describe('the sign-up guard', () => {
  it('refuses a legacy login in another case, by username or by email, and says how to get in; the log names no login', async () => {
    const { handler, counts, log } = setup();
    expect(await answer(handler(signUp('ada', { email: 'someone@example.com' }) as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.signUpTaken);
    expect(await answer(handler(signUp('mallory', { email: 'ADA.LOVELACE@example.com' }) as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.signUpTaken);
    expect(await answer(handler(signUp('a-uuid-username', { email: 'ada.lovelace@example.com' }, 'PreSignUp_AdminCreateUser') as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.signUpTaken);
    expect(Object.fromEntries(counts)).toEqual({ signup_refused: 3 });
    expect(log.records.filter((r) => r.message === 'sign-up refused').map((r) => r.extra.reason)).toEqual(['legacy_login', 'legacy_login', 'legacy_login']);
    expect(log.text().toLowerCase()).not.toMatch(/ada|lovelace|mallory|someone/);
  });

  it('lets an unrelated sign-up and the login of a user who migrated already through, unchanged', async () => {
    const { handler, counts } = setup();
    const event = signUp('grace', { email: 'grace@example.com' });
    expect(await handler(event as never, lambdaContext())).toBe(event);
    expect(await answer(handler(signUp('moved2', { email: 'moved@example.com' }) as never, lambdaContext()))).toBe('allowed');
    expect(Object.fromEntries(counts)).toEqual({});
  });

  it('refuses a login two legacy rows hold, and a sign-up that carries an attribute only the migration sets', async () => {
    const { handler, log } = setup();
    expect(await answer(handler(signUp('twin') as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.signUpTaken);
    for (const attribute of ['custom:legacy_id', 'custom:migrated_at', 'custom:legacy_proof', 'custom:legacy_mfa']) {
      expect(await answer(handler(signUp('grace', { email: 'grace@example.com', [attribute]: '1' }) as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.signUpTaken);
    }
    expect(log.records.filter((r) => r.extra.reason === 'reserved_attribute').map((r) => r.extra.attributes)).toEqual([['custom:legacy_id'], ['custom:migrated_at'], ['custom:legacy_proof'], ['custom:legacy_mfa']]);
  });

  it('never lets a sign-up through when the store cannot be read: down, or not answering in time', async () => {
    const down: UserStore = { name: 'down', findUser: async () => { throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' }); } };
    const { handler, counts, log } = setup(down);
    expect(await answer(handler(signUp('grace', { email: 'grace@example.com' }) as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.unavailable);
    expect(log.text()).not.toContain('10.0.0.5');
    const stalled: UserStore = { name: 'stalled', findUser: () => new Promise(() => {}) };
    const slow = setup(stalled);
    const started = Date.now();
    expect(await answer(slow.handler(signUp('grace') as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.unavailable);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(Object.fromEntries(counts)).toEqual({ store_unavailable: 1 });
  });

  it('SIGNUP_GUARD=off lets every sign-up through; a federated sign-in of nobody\'s identity is not the guard\'s (test/unit/federation.test.ts)', async () => {
    const off = setup(undefined, { signUpGuard: 'off' });
    expect(await answer(off.handler(signUp('ada') as never, lambdaContext()))).toBe('allowed');
    const on = setup();
    expect(await answer(on.handler(signUp('Google_1234', { email: 'ada.lovelace@example.com' }, 'PreSignUp_ExternalProvider') as never, lambdaContext()))).toBe('allowed');
  });
});

describe('doctor and the sign-up door', () => {
  const ours = (arn: string | undefined) => arn === 'arn:aws:lambda:eu-west-1:1:function:migrate';
  it('passes a pool that sends Pre sign-up to the function, warns one that does not, and warns SIGNUP_GUARD=off', () => {
    expect(signUpGuardOnline({ LambdaConfig: { PreSignUp: 'arn:aws:lambda:eu-west-1:1:function:migrate' } }, {}, 'eu-west-1_P', ours).status).toBe('pass');
    expect(signUpGuardOnline({ LambdaConfig: {} }, {}, 'eu-west-1_P', ours)).toMatchObject({ status: 'warn', message: expect.stringMatching(/has no Pre sign-up trigger: anyone can sign up with a legacy user's email/) });
    expect(signUpGuardOnline({ LambdaConfig: { PreSignUp: 'arn:aws:lambda:eu-west-1:1:function:welcome' } }, {}, 'eu-west-1_P', ours).message).toMatch(/sends Pre sign-up to welcome/);
    expect(signUpGuardOnline({}, { SIGNUP_GUARD: 'off' }, 'eu-west-1_P', ours)).toMatchObject({ status: 'warn', message: expect.stringMatching(/SIGNUP_GUARD=off/) });
  });
});
