// The legacy second factor (issue 36): RFC 6238's own vectors, then the
// migration flow with a row that has a TOTP secret: no code, a wrong code,
// codes a step old and ahead, a replayed step, the guessing limit, the reset,
// the attribute that tells the app to enrol, and no secret or code in a log.
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { type LegacyUser, PUBLIC_MESSAGES, type UserStore, createUserMigrationHandler } from '../../src/index.js';
import { TOTP_DEFAULTS, totpParameters, totpSettings } from '../../src/totp.js';
import { decodeSecret, encodeBase32, matchTotp, totpAt } from '../../src/totp-check.js';
import { totpOnline } from '../../scripts/doctor/online.js';
import { captureLogger, countMetrics, lambdaContext, migrationEvent } from '../support/fakes.js';

// RFC 6238 Appendix B: the seeds (ASCII), 8 digits, 30 s steps, and the codes at each time.
const SEEDS = { SHA1: '12345678901234567890', SHA256: '12345678901234567890123456789012', SHA512: '1234567890123456789012345678901234567890123456789012345678901234' } as const;
const VECTORS: Array<[number, string, string, string]> = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP (RFC 6238)', () => {
  it('computes Appendix B\'s codes for SHA-1, SHA-256 and SHA-512', () => {
    for (const [time, ...codes] of VECTORS) {
      (['SHA1', 'SHA256', 'SHA512'] as const).forEach((algorithm, i) => {
        expect(totpAt(Buffer.from(SEEDS[algorithm]), Math.floor(time / 30), { algorithm, digits: 8 }), `${algorithm} at ${time}`).toBe(codes[i]);
      });
    }
  });

  it('writes base32 as RFC 4648 §10 does (unpadded), and reads back what it wrote', () => {
    const vectors: Array<[string, string]> = [['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
    for (const [plain, b32] of vectors) {
      expect(encodeBase32(Buffer.from(plain))).toBe(b32);
      expect(decodeSecret(b32, 'base32')).toEqual(Buffer.from(plain));
    }
  });

  it('reads secrets in base32 and hex, and refuses what is neither', () => {
    expect(decodeSecret('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 'base32')).toEqual(Buffer.from(SEEDS.SHA1));
    expect(decodeSecret('gezd gnbv gy3t qojq gezd gnbv gy3t qojq', 'base32')).toEqual(Buffer.from(SEEDS.SHA1));
    expect(decodeSecret(Buffer.from(SEEDS.SHA1).toString('hex'), 'hex')).toEqual(Buffer.from(SEEDS.SHA1));
    expect(decodeSecret('not base32!', 'base32')).toBeUndefined();
    expect(decodeSecret('abc', 'hex')).toBeUndefined();
    expect(decodeSecret('', 'base32')).toBeUndefined();
  });

  it('accepts one step either side of now, and nothing further', () => {
    const secret = Buffer.from(SEEDS.SHA1);
    const now = 1_111_111_111_000;
    const step = Math.floor(now / 30_000);
    const p = { ...TOTP_DEFAULTS, digits: 6 as const };
    for (const d of [-1, 0, 1]) expect(matchTotp(secret, totpAt(secret, step + d, p), p, now)).toBe(step + d);
    for (const d of [-2, 2]) expect(matchTotp(secret, totpAt(secret, step + d, p), p, now)).toBeUndefined();
    expect(matchTotp(secret, '12345', p, now)).toBeUndefined();
    expect(matchTotp(secret, 'abcdef', p, now)).toBeUndefined();
  });

  it('takes a row\'s own algorithm, digits and period, refuses ones out of range, and checks the settings', () => {
    expect(totpParameters({ algorithm: 'HmacSHA256', digits: 8, period: 60 }, TOTP_DEFAULTS)).toEqual({ encoding: 'base32', algorithm: 'SHA256', digits: 8, period: 60 });
    expect(totpParameters({ algorithm: 'md5' }, TOTP_DEFAULTS)).toBeUndefined();
    expect(totpParameters({ digits: 7 }, TOTP_DEFAULTS)).toBeUndefined();
    expect(totpParameters({ digits: Number.NaN }, TOTP_DEFAULTS)).toBeUndefined();
    expect(() => totpSettings({ encoding: 'base64' as never }, 'test')).toThrow(/TOTP_ENCODING/);
    expect(() => totpSettings({ digits: 7 as never }, 'test')).toThrow(/TOTP_DIGITS/);
  });
});

const SECRET = 'JBSWY3DPEHPK3PXP';
const hash = bcrypt.hashSync('right', 4);
const code = (offset = 0, secret = SECRET) => totpAt(decodeSecret(secret, 'base32')!, Math.floor(Date.now() / 30_000) + offset, TOTP_DEFAULTS);

/** A store with one row that has an authenticator, counting attempts and keeping the last step as a SQL store does. */
function totpStore(row: Partial<LegacyUser> = {}) {
  const state = { failures: 0, lastStep: undefined as number | undefined, reserved: 0 };
  const store: UserStore = {
    name: 'totp',
    findUser: async () => ({ id: '7', passwordHash: hash, fields: { email: 'ada@example.com', email_verified: 'true' }, totp: { secret: SECRET, ...(state.lastStep === undefined ? {} : { lastStep: state.lastStep }) }, ...row }),
    async reserveAttempt() { state.reserved++; return state.reserved <= 5; },
    async recordAttempt(_u, outcome) { if (outcome === 'success') state.reserved = 0; },
    async useTotpStep(_u, step) {
      if (state.lastStep !== undefined && step <= state.lastStep) return false;
      state.lastStep = step;
      return true;
    },
  };
  return { store, state };
}

function handlerFor(store: UserStore) {
  const log = captureLogger();
  const m = countMetrics();
  const handler = createUserMigrationHandler({ store, verifyWorker: false, logger: log.logger, metrics: m.metrics, attributes: { email: 'email', email_verified: 'email_verified', 'custom:legacy_id': 'id' } });
  return { handler, log, counts: m.counts };
}

const withCode = (event: ReturnType<typeof migrationEvent>, value: string | undefined) => {
  if (value !== undefined) (event.request as Record<string, unknown>)[event.triggerSource === 'UserMigration_Authentication' ? 'validationData' : 'clientMetadata'] = { legacy_totp_code: value };
  return event;
};
const attempt = (handler: ReturnType<typeof handlerFor>['handler'], password: string | undefined, value?: string) =>
  handler(withCode(migrationEvent('ada', password), value), lambdaContext()).then((e) => e.response as Record<string, unknown>, (e: Error) => e.message);

describe('a row with an authenticator (issue 36)', () => {
  it('migrates only with its current code: no code, a wrong one and a right password alone are refused as a wrong password', async () => {
    const { store } = totpStore();
    const { handler, counts, log } = handlerFor(store);
    expect(await attempt(handler, 'right')).toBe(PUBLIC_MESSAGES.rejected);
    expect(await attempt(handler, 'right', code(5))).toBe(PUBLIC_MESSAGES.rejected);
    expect(await attempt(handler, 'wrong', code())).toBe(PUBLIC_MESSAGES.rejected);
    const ok = await attempt(handler, 'right', code());
    expect(ok).toMatchObject({ userAttributes: { email: 'ada@example.com', 'custom:legacy_mfa': 'totp' }, finalUserStatus: 'CONFIRMED' });
    expect(Object.fromEntries(counts)).toEqual({ mfa_required: 2, wrong_password: 1, migrated: 1 });
    expect(log.records.filter((r) => r.extra.outcome === 'mfa_required').map((r) => r.extra.totp)).toEqual(['no_code', 'wrong_code']);
    // Neither the secret nor any code reaches a log line.
    expect(log.text()).not.toContain(SECRET);
    for (const d of [-1, 0, 1, 5]) expect(log.text()).not.toContain(code(d));
  });

  it('takes a code one step old or ahead, and never the same step twice (the last-step guard)', async () => {
    for (const d of [-1, 1]) {
      const { store, state } = totpStore();
      const { handler } = handlerFor(store);
      expect(await attempt(handler, 'right', code(d))).toMatchObject({ finalUserStatus: 'CONFIRMED' });
      expect(state.lastStep).toBe(Math.floor(Date.now() / 30_000) + d);
    }
    const { store } = totpStore();
    const { handler, counts, log } = handlerFor(store);
    const now = code();
    expect(await attempt(handler, 'right', now)).toMatchObject({ finalUserStatus: 'CONFIRMED' });
    expect(await attempt(handler, 'right', now)).toBe(PUBLIC_MESSAGES.rejected);
    expect(await attempt(handler, 'right', code(-1))).toBe(PUBLIC_MESSAGES.rejected);
    expect(Object.fromEntries(counts)).toEqual({ migrated: 1, mfa_required: 2 });
    expect(log.records.at(-1)?.extra.totp).toBe('replayed_code');
  });

  it('counts each wrong code against the guessing limit: codes cannot be guessed past it', async () => {
    const { store, state } = totpStore();
    const { handler, counts } = handlerFor(store);
    for (let i = 0; i < 5; i++) expect(await attempt(handler, 'right', '000000' === code() ? '111111' : '000000')).toBe(PUBLIC_MESSAGES.rejected);
    expect(state.reserved).toBe(5);
    // The limit (here 5) is reached: the right password and the right code are refused unchecked.
    expect(await attempt(handler, 'right', code())).toBe(PUBLIC_MESSAGES.rejected);
    expect(Object.fromEntries(counts)).toEqual({ mfa_required: 5, locked: 1 });
  });

  it('a store without a reservation counts a wrong code as a failure', async () => {
    const outcomes: string[] = [];
    const store: UserStore = { name: 'counting', findUser: async () => ({ id: '7', passwordHash: hash, fields: {}, totp: { secret: SECRET } }), async recordAttempt(_u, o) { outcomes.push(o); } };
    const { handler } = handlerFor(store);
    expect(await attempt(handler, 'right', 'x')).toBe(PUBLIC_MESSAGES.rejected);
    expect(await attempt(handler, 'right', code())).toMatchObject({ finalUserStatus: 'CONFIRMED' });
    expect(outcomes).toEqual(['failure', 'success']);
  });

  it('a reset needs the code too, and counts it: the email alone does not lower the second factor', async () => {
    const { store, state } = totpStore();
    const { handler, counts } = handlerFor(store);
    expect(await attempt(handler, undefined)).toBe(PUBLIC_MESSAGES.rejected);
    expect(await attempt(handler, undefined, '123')).toBe(PUBLIC_MESSAGES.rejected);
    expect(state.reserved).toBe(2);
    expect(await attempt(handler, undefined, code())).toMatchObject({ userAttributes: { 'custom:legacy_mfa': 'totp' } });
    expect(Object.fromEntries(counts)).toEqual({ mfa_required: 2, found: 1 });
  });

  it('a secret that cannot be read refuses the row and says so, never skipping the factor', async () => {
    const { store } = totpStore({ totp: { secret: 'not base32 at all!' } });
    const { handler, counts, log } = handlerFor(store);
    expect(await attempt(handler, 'right', code())).toBe(PUBLIC_MESSAGES.rejected);
    expect(Object.fromEntries(counts)).toEqual({ mfa_required: 1 });
    expect(log.records.at(-1)?.extra).toMatchObject({ totp: 'unreadable', dataProblems: [expect.stringMatching(/TOTP secret/)] });
    expect(log.text()).not.toContain('not base32 at all');
  });

  it('a row without a secret is unchanged: no code asked, no mark', async () => {
    const { store } = totpStore({ totp: undefined });
    const { handler } = handlerFor(store);
    const ok = await attempt(handler, 'right');
    expect(ok).toMatchObject({ finalUserStatus: 'CONFIRMED' });
    expect((ok as { userAttributes: Record<string, string> }).userAttributes['custom:legacy_mfa']).toBeUndefined();
  });
});

describe('doctor and the second factor (issue 36)', () => {
  const env = { PG_COLUMNS: JSON.stringify({ totpSecret: 'otp_secret' }) };
  const schema = [{ Name: 'custom:legacy_mfa', AttributeDataType: 'String' as const, Mutable: true }];
  it('says nothing for a store without secrets', () => {
    expect(totpOnline({ MfaConfiguration: 'OFF' }, {}, 'eu-west-1_P')).toEqual([]);
  });
  it('fails a pool without the mark attribute, naming the command that adds it', () => {
    const [mark] = totpOnline({ MfaConfiguration: 'ON', SchemaAttributes: [] }, env, 'eu-west-1_P');
    expect(mark).toMatchObject({ id: 'pool.totp-mark', status: 'fail', fix: expect.stringMatching(/add-custom-attributes .*Name=legacy_mfa,AttributeDataType=String,Mutable=true/) });
  });
  it('warns when MFA is OFF: nothing would make the person enrol again', () => {
    const checks = totpOnline({ MfaConfiguration: 'OFF', SchemaAttributes: schema }, env, 'eu-west-1_P');
    expect(checks.map((c) => [c.id, c.status])).toEqual([['pool.totp-mark', 'pass'], ['mfa.totp-enrolment', 'warn']]);
    expect(totpOnline({ MfaConfiguration: 'OPTIONAL', SchemaAttributes: schema }, { MYSQL_COLUMNS: env.PG_COLUMNS, TOTP_MARK_ATTRIBUTE: 'custom:legacy_mfa' }, 'eu-west-1_P').map((c) => c.status)).toEqual(['pass', 'pass']);
  });
});
