// One scenario for the legacy second factor on a real SQL store (issue 36),
// run on PostgreSQL (totp.test.ts) and MariaDB (totp.mariadb.test.ts): the
// secret and the last step in columns, the guessing limit's columns beside
// them, and the handler in front.
import bcrypt from 'bcryptjs';
import { expect, it } from 'vitest';
import { PUBLIC_MESSAGES, type UserStore, createUserMigrationHandler } from '../../src/index.js';
import { TOTP_DEFAULTS } from '../../src/totp.js';
import { decodeSecret, totpAt } from '../../src/totp-check.js';
import { captureLogger, countMetrics, lambdaContext, migrationEvent } from '../support/fakes.js';

export const TOTP_SECRET = 'JBSWY3DPEHPK3PXP';
export const TOTP_PASSWORD = 'Ada-totp-pass 1';
export const TOTP_HASH = bcrypt.hashSync(TOTP_PASSWORD, 4);
/** The columns the scenario's store reads. */
export const TOTP_COLUMNS = { failedAttempts: 'failed_attempts', lockedUntil: 'locked_until', totpSecret: 'otp_secret', totpLastStep: 'otp_last_step', totpDigits: 'otp_digits' };

export interface TotpBackend {
  /** A store over a fresh table holding 'ada' (secret TOTP_SECRET, otp_digits NULL) and 'plain' (no secret), both with TOTP_PASSWORD. */
  store(): Promise<UserStore>;
  /** A row's columns as the database holds them. */
  row(username: string): Promise<{ otp_last_step: unknown; failed_attempts: unknown }>;
  close(): Promise<void>;
}

const code = (offset = 0) => totpAt(decodeSecret(TOTP_SECRET, 'base32')!, Math.floor(Date.now() / 30_000) + offset, TOTP_DEFAULTS);

/** Registers the scenario's tests. */
export function totpScenario(backend: () => TotpBackend) {
  const handlerFor = (store: UserStore) => {
    const log = captureLogger();
    const m = countMetrics();
    const handler = createUserMigrationHandler({ store, verifyWorker: false, logger: log.logger, metrics: m.metrics, lockout: { maxAttempts: 4, lockSeconds: 60 }, attributes: { email: 'email', email_verified: 'email_verified' } });
    const attempt = (login: string, value?: string) => {
      const event = migrationEvent(login, TOTP_PASSWORD);
      if (value !== undefined) (event.request as Record<string, unknown>).validationData = { legacy_totp_code: value };
      return handler(event, lambdaContext()).then((e) => e.response as Record<string, unknown>, (e: Error) => e.message);
    };
    return { attempt, log, counts: m.counts };
  };

  it('no code, a wrong code, then the right one: refused as a wrong password, then migrated with the mark; the step kept; no secret or code logged', async () => {
    const b = backend();
    const { attempt, counts, log } = handlerFor(await b.store());
    expect(await attempt('ada')).toBe(PUBLIC_MESSAGES.rejected);
    expect(await attempt('ada', code(3))).toBe(PUBLIC_MESSAGES.rejected);
    expect(await attempt('ada', code(-1))).toMatchObject({ userAttributes: { 'custom:legacy_mfa': 'totp' } });
    expect(Number((await b.row('ada')).otp_last_step)).toBe(Math.floor(Date.now() / 30_000) - 1);
    // A success gives the attempts back.
    expect(Number((await b.row('ada')).failed_attempts ?? 0)).toBe(0);
    expect(Object.fromEntries(counts)).toEqual({ mfa_required: 2, migrated: 1 });
    expect(log.text()).not.toContain(TOTP_SECRET);
    for (const d of [-1, 3]) expect(log.text()).not.toContain(code(d));
    // A row without a secret signs in with its password alone.
    expect(await attempt('plain')).toMatchObject({ finalUserStatus: 'CONFIRMED' });
  });

  it('a code one step ahead is taken; the same step again, or an older one, is refused (the last-step column)', async () => {
    const b = backend();
    const { attempt, counts } = handlerFor(await b.store());
    expect(await attempt('ada', code(1))).toMatchObject({ finalUserStatus: 'CONFIRMED' });
    expect(await attempt('ada', code(1))).toBe(PUBLIC_MESSAGES.rejected);
    expect(await attempt('ada', code(0))).toBe(PUBLIC_MESSAGES.rejected);
    expect(Object.fromEntries(counts)).toEqual({ migrated: 1, mfa_required: 2 });
  });

  it('wrong codes count against the guessing limit, and lock the row for the right code too', async () => {
    const b = backend();
    const { attempt, counts } = handlerFor(await b.store());
    const wrong = code() === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i++) expect(await attempt('ada', wrong)).toBe(PUBLIC_MESSAGES.rejected);
    expect(Number((await b.row('ada')).failed_attempts)).toBe(4);
    expect(await attempt('ada', code())).toBe(PUBLIC_MESSAGES.rejected);
    expect(Object.fromEntries(counts)).toEqual({ mfa_required: 4, locked: 1 });
  });
}
