// The guessing limit in the UserMigration flow, with stores whose count write
// fails or hangs: the answer never changes, and never waits past the deadline.
// (The counting itself runs against PostgreSQL and MariaDB in the contract suite.)
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { type LegacyUser, PUBLIC_MESSAGES, type UserStore, createUserMigrationHandler } from '../../src/index.js';
import { captureLogger, countMetrics, lambdaContext, migrationEvent } from '../support/fakes.js';

const hash = bcrypt.hashSync('right', 4);
function storeWith(user: Partial<LegacyUser>, recordAttempt: UserStore['recordAttempt']): UserStore {
  return { name: 'counting', findUser: async () => ({ id: '1', passwordHash: hash, fields: {}, ...user }), recordAttempt };
}
function handlerFor(store: UserStore) {
  const log = captureLogger();
  const m = countMetrics();
  return { handler: createUserMigrationHandler({ store, verifyWorker: false, logger: log.logger, metrics: m.metrics, timeoutMs: 800 }), log, counts: m.counts };
}
const answer = (p: Promise<unknown>) => p.then(() => 'migrated', (e: Error) => e.message);

describe('the guessing limit', () => {
  it('a locked row is refused with the right password, without its hash being verified, and without a count', async () => {
    const calls: string[] = [];
    const { handler, counts, log } = handlerFor(storeWith({ lockedUntil: new Date(Date.now() + 60_000), passwordHash: 'not a hash any verifier reads' }, async (_u, outcome) => { calls.push(outcome); }));
    expect(await answer(handler(migrationEvent('ada', 'right'), lambdaContext()))).toBe(PUBLIC_MESSAGES.rejected);
    expect(Object.fromEntries(counts)).toEqual({ locked: 1 });
    expect(calls).toEqual([]);
    expect(log.records.at(-1)).toMatchObject({ level: 'warn', extra: { outcome: 'locked', lockedUntil: expect.any(String) } });
  });

  it('a count that fails or hangs never changes the answer, and never holds it past the deadline', async () => {
    for (const recordAttempt of [async () => { throw Object.assign(new Error('row 1 locked'), { code: '55P03' }); }, () => new Promise<void>(() => {})]) {
      const { handler, counts, log } = handlerFor(storeWith({}, recordAttempt));
      const started = Date.now();
      expect(await answer(handler(migrationEvent('ada', 'wrong'), lambdaContext()))).toBe(PUBLIC_MESSAGES.rejected);
      expect(await answer(handler(migrationEvent('ada', 'right'), lambdaContext()))).toBe('migrated');
      expect(Date.now() - started).toBeLessThan(2500);
      expect(Object.fromEntries(counts)).toEqual({ wrong_password: 1, migrated: 1 });
      expect(log.text()).not.toContain('row 1 locked');
    }
  });

  it('a lock that has passed lets the row in; an unreadable lock holds', async () => {
    expect(await answer(handlerFor(storeWith({ lockedUntil: new Date(Date.now() - 1000) }, async () => {})).handler(migrationEvent('ada', 'right'), lambdaContext()))).toBe('migrated');
    const { rowToLegacyUser, DEFAULT_COLUMNS } = await import('../../adapters/sql/rows.js');
    const row = rowToLegacyUser({ id: 1, username: 'ada', locked_until: 'not a time', failed_attempts: 3 }, { ...DEFAULT_COLUMNS, failedAttempts: 'failed_attempts', lockedUntil: 'locked_until' });
    expect(row.lockedUntil!.getTime()).toBeGreaterThan(Date.now() + 1e12);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A handler over one row ('ada') whose stored hash takes `verifyMs` to verify, with a timing hash of 1 ms (the
 * self-check's advice gone stale), and `more` store methods; answers a timer of its wrong-password sign-ins.
 */
function slowRowTimer(verifyMs: number, more: Partial<UserStore> = {}) {
  const slow = { id: 'slow', recognizes: (e: string) => e.startsWith('slow$'), cost: () => ({ ms: 1, memoryBytes: 0 }), verify: async (p: string) => (await sleep(verifyMs), p === 'right') };
  const fast = { id: 'fast', recognizes: (e: string) => e.startsWith('fast$'), cost: () => ({ ms: 1, memoryBytes: 0 }), verify: async () => (await sleep(1), false) };
  const store: UserStore = { name: 'slow', findUser: async (q) => (q.login === 'ada' ? { id: '1', passwordHash: 'slow$x', fields: {} } : undefined), ...more };
  const handler = createUserMigrationHandler({ store, verifiers: [slow, fast], timingHash: 'fast$t', verifyWorker: false, logger: captureLogger().logger, metrics: countMetrics().metrics });
  return async (login: string) => {
    const started = performance.now();
    await handler(migrationEvent(login, 'wrong'), lambdaContext()).catch(() => {});
    return performance.now() - started;
  };
}

describe('attack: refusal timing follows the time actually spent, not estimates', () => {
  it('an unknown user answers in the time a known user\'s wrong password takes here, even when the timing hash is far cheaper', async () => {
    const time = slowRowTimer(200);
    // The padding follows the median of the real verifications measured here, once there are five of them.
    const wrongs = [];
    for (let i = 0; i < 5; i++) wrongs.push(await time('ada'));
    const wrong = Math.min(...wrongs);
    const unknown = [await time('nobody'), await time('someone-else')];
    expect(wrong).toBeGreaterThan(190);
    for (const ms of unknown) expect(ms / wrong).toBeGreaterThan(0.85);
  });
});

describe('attack: timing and look-ups that tell a correct password (issue 32)', () => {
  it('a refusal waits as long as a known row\'s store write and verification take here, not the verification alone (a 60 ms count write)', async () => {
    for (const kind of ['reserve', 'record'] as const) {
      const write = async () => { await sleep(60); };
      const time = slowRowTimer(40, kind === 'reserve' ? { reserveAttempt: async () => (await write(), true), recordAttempt: async () => {} } : { recordAttempt: write });
      const wrongs = [];
      for (let i = 0; i < 5; i++) wrongs.push(await time('ada'));
      const wrong = Math.min(...wrongs);
      expect(wrong, kind).toBeGreaterThan(95);
      for (const login of ['nobody', 'someone-else']) expect((await time(login)) / wrong, `${kind} ${login}`).toBeGreaterThan(0.85);
    }
  });

  it('REMIGRATE=if-absent asks the pool only once the password is proven, and never on ForgotPassword', async () => {
    const asked: string[] = [];
    const pool = { addToGroup: async () => 'added' as const, createGroup: async () => {}, setAttributes: async () => {}, hasSub: async (_p: string, sub: string) => (asked.push(sub), false) };
    const store: UserStore = { name: 'linked', findUser: async () => ({ id: '1', passwordHash: hash, cognitoSub: '5b1e4a2c-0000-4000-8000-0000000000aa', fields: { email: 'ada@example.com', email_verified: true } }) };
    const handler = createUserMigrationHandler({ store, pool, remigrate: 'if-absent', verifyWorker: false, attributes: { email: 'email', email_verified: 'email_verified' }, logger: captureLogger().logger, metrics: countMetrics().metrics });
    expect(await answer(handler(migrationEvent('ada', 'wrong'), lambdaContext()))).toBe(PUBLIC_MESSAGES.rejected);
    expect(await answer(handler(migrationEvent('ada', undefined), lambdaContext()))).toBe(PUBLIC_MESSAGES.rejected);
    expect(asked).toEqual([]);
    expect(await answer(handler(migrationEvent('ada', 'right'), lambdaContext()))).toBe('migrated');
    expect(asked).toHaveLength(1);
  });

  it('a ledger value that is no sub (not a UUID) counts as a user still there: never looked up, never migrated again', async () => {
    const { cognitoPoolAdmin } = await import('../../src/pool-admin.js');
    const sent: unknown[] = [];
    const admin = cognitoPoolAdmin({ send: async (c: unknown) => (sent.push(c), { Users: [] }) } as never);
    expect(await admin.hasSub('eu-west-1_P', 'legacy-user-42"', { signal: new AbortController().signal })).toBe(true);
    expect(sent).toEqual([]);
  });
});

describe('attack: work estimates that leave out a parameter that costs time', () => {
  it('scrypt: a tiny N with a huge p costs its lanes; Argon2: many lanes cost their own work, whatever m', async () => {
    const { createPasswordVerifier } = await import('../../src/passwords/registry.js');
    const { MS_PER_UNIT } = await import('../../src/passwords/work.js');
    const passwords = createPasswordVerifier({ worker: false });
    const scrypt = (N: number, r: number, p: number) => `$scrypt$ln=${Math.log2(N)},r=${r},p=${p}$c2FsdHNhbHQ$${'A'.repeat(43)}`;
    // Measured with node:crypto on this project's machines: N=2, r=8, p=8,192 took about 0.0019 ms per r·p, 5× N·r·p units.
    const tiny = await passwords.cost(scrypt(2, 8, 8192));
    expect(tiny.ms).toBeGreaterThanOrEqual(2 * 8 * 8192 * MS_PER_UNIT.scryptUnit * 3.5);
    // At a usual N the lanes change nothing that matters.
    const usual = await passwords.cost(scrypt(2 ** 17, 8, 1));
    expect(usual.ms / (2 ** 17 * 8 * MS_PER_UNIT.scryptUnit)).toBeLessThan(1.001);
    const argon2 = (p: number) => `$argon2id$v=19$m=65536,t=1,p=${p}$c2FsdHNhbHQ$${'A'.repeat(43)}`;
    // Measured with hash-wasm: p=8,192 at m=64 MiB t=1 took about 4× the time of p=1.
    const [one, many] = [await passwords.cost(argon2(1)), await passwords.cost(argon2(8192))];
    expect(many.ms / one.ms).toBeGreaterThan(4);
    expect((await passwords.cost(argon2(4))).ms / one.ms).toBeLessThan(1.01);
  });
});

describe('the pool\'s password policy for migrated passwords (issue 32: Cognito does not apply it)', () => {
  const policyPool = (reads: string[]) => ({
    addToGroup: async () => 'added' as const, createGroup: async () => {}, setAttributes: async () => {}, hasSub: async () => true,
    passwordPolicy: async (poolId: string) => (reads.push(poolId), { MinimumLength: 12, RequireNumbers: true, RequireSymbols: true }),
  });
  const weak = bcrypt.hashSync('short', 4);
  const strong = bcrypt.hashSync('long enough 1!', 4);
  const storeOf = (h: string): UserStore => ({ name: 'p', findUser: async () => ({ id: '1', passwordHash: h, fields: {} }) });

  it('reset: a proven password that fails the pool\'s policy migrates RESET_REQUIRED; one that passes keeps it; the policy is read once per instance', async () => {
    for (const [h, password, status] of [[weak, 'short', 'RESET_REQUIRED'], [strong, 'long enough 1!', 'CONFIRMED']] as const) {
      const reads: string[] = [];
      const m = countMetrics();
      const log = captureLogger();
      const handler = createUserMigrationHandler({ store: storeOf(h), pool: policyPool(reads), passwordPolicy: { mode: 'reset' }, verifyWorker: false, logger: log.logger, metrics: m.metrics });
      for (let i = 0; i < 2; i++) expect((await handler(migrationEvent('ada', password), lambdaContext())).response.finalUserStatus).toBe(status);
      expect(reads).toEqual(['eu-west-1_TEST']);
      expect(m.counts.get('password_policy_failed') ?? 0).toBe(status === 'RESET_REQUIRED' ? 2 : 0);
      if (status === 'RESET_REQUIRED') expect(log.records.at(-1)!.extra.passwordPolicy).toEqual(['MinimumLength', 'RequireNumbers', 'RequireSymbols']);
      expect(log.text()).not.toContain(password);
    }
  });

  it('warn counts and keeps the password; off and a wrong password never read the policy; given rules stand instead of the pool\'s', async () => {
    const reads: string[] = [];
    const m = countMetrics();
    const warn = createUserMigrationHandler({ store: storeOf(weak), pool: policyPool(reads), passwordPolicy: { mode: 'warn' }, verifyWorker: false, logger: captureLogger().logger, metrics: m.metrics });
    expect(await answer(warn(migrationEvent('ada', 'not it'), lambdaContext()))).toBe(PUBLIC_MESSAGES.rejected);
    expect(reads).toEqual([]);
    expect((await warn(migrationEvent('ada', 'short'), lambdaContext())).response.finalUserStatus).toBe('CONFIRMED');
    expect(m.counts.get('password_policy_failed')).toBe(1);
    const off = createUserMigrationHandler({ store: storeOf(weak), pool: policyPool(reads), verifyWorker: false, logger: captureLogger().logger, metrics: countMetrics().metrics });
    await off(migrationEvent('ada', 'short'), lambdaContext());
    expect(reads).toHaveLength(1);
    const given = createUserMigrationHandler({ store: storeOf(weak), passwordPolicy: { mode: 'reset', rules: { MinimumLength: 6 } }, verifyWorker: false, logger: captureLogger().logger, metrics: countMetrics().metrics });
    expect((await given(migrationEvent('ada', 'short'), lambdaContext())).response.finalUserStatus).toBe('RESET_REQUIRED');
    expect(() => createUserMigrationHandler({ store: storeOf(weak), passwordPolicy: { mode: 'strict' as never } })).toThrow(/PASSWORD_POLICY/);
  });
});
