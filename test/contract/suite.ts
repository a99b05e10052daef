// The store contract every adapter must pass (the Hono pattern: one exported
// suite; each adapter's test file calls it with a factory). Run it against
// your own adapter the same way: see README, "Write your own adapter".
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AttributeMapping, PUBLIC_MESSAGES, type UserStore, createChainStore, createUserMigrationHandler, runChecks } from '../../src/index.js';
import { TOTP_DEFAULTS } from '../../src/totp.js';
import { decodeSecret, totpAt } from '../../src/totp-check.js';
import { TEST_LINK_KEY, captureLogger, countMetrics, lambdaContext, migrationEvent } from '../support/fakes.js';

/** The legacy users every adapter's backend must hold for the suite. */
export const CONTRACT_USERS = [
  { username: 'ada', email: 'ada@example.com', password: 'Ada-pässwörd 1', given_name: 'Ada', family_name: 'Lovelace', phone_number: '+442071838750', enabled: true, sms_mfa: false },
  { username: 'off', email: 'off@example.com', password: 'Off-password 2', given_name: 'Off', family_name: 'Line', phone_number: null, enabled: false, sms_mfa: false },
] as const;

/** The identities CONTRACT_USERS[0] holds in the backend of {@link ContractSetup.identities}. */
export const CONTRACT_IDENTITIES = [{ provider: 'Google', sub: '1093-ada' }, { provider: 'AcmeSAML', sub: 'ada@acme.example' }];

/** The authenticator secret (base32) CONTRACT_USERS[0] holds in the backend of {@link ContractSetup.totp}. */
export const CONTRACT_TOTP_SECRET = 'JBSWY3DPEHPK3PXP';

/**
 * Rows that make logins ambiguous, for backends that can hold them (any SQL
 * table without a unique index, the memory store): the same username twice,
 * two case variants, and a username equal to another row's email. A store
 * that holds them must refuse each of these logins as `ambiguous_login`,
 * whichever row's password is given.
 */
export const DUPLICATE_LOGIN_USERS = [
  { username: 'twin', email: 'twin.one@example.com', password: 'Twin-one 1', given_name: 'Twin', family_name: 'One', phone_number: null, enabled: true, sms_mfa: false },
  { username: 'twin', email: 'twin.two@example.com', password: 'Twin-two 2', given_name: 'Twin', family_name: 'Two', phone_number: null, enabled: true, sms_mfa: false },
  { username: 'Kase', email: 'kase.upper@example.com', password: 'Kase-upper 3', given_name: 'Kase', family_name: 'Upper', phone_number: null, enabled: true, sms_mfa: false },
  { username: 'kase', email: 'kase.lower@example.com', password: 'Kase-lower 4', given_name: 'Kase', family_name: 'Lower', phone_number: null, enabled: true, sms_mfa: false },
  { username: 'grace', email: 'grace@example.com', password: 'Grace-row 5', given_name: 'Grace', family_name: 'Row', phone_number: null, enabled: true, sms_mfa: false },
  { username: 'grace@example.com', email: 'other@example.com', password: 'Grace-login 6', given_name: 'Grace', family_name: 'Login', phone_number: null, enabled: true, sms_mfa: false },
] as const;

export interface ContractSetup {
  /** A store whose backend holds CONTRACT_USERS. */
  store: UserStore;
  /** Maps the backend's field names to Cognito attributes so that email, email_verified and given_name come out. */
  attributes?: AttributeMapping;
  /** What the backend can do; tests for missing abilities are not registered. */
  can: { caseInsensitive: boolean; disabledUsers: boolean; duplicateLogins?: boolean; duplicateCheck?: boolean; ledger?: boolean; lockout?: boolean; blankLedger?: boolean; attemptKey?: boolean; totp?: boolean; identities?: boolean };
  /**
   * The same adapter over the same backend with the ledger on: it reads and
   * writes the Cognito sub of each row, and reads roles, where
   * CONTRACT_USERS[0] holds the roles `admins` and `staff`.
   */
  ledger?: () => UserStore | Promise<UserStore>;
  /** Writes '' (a common column default) into a row's ledger cell, as a legacy system might. */
  blankLedger?: (login: string) => Promise<void>;
  /**
   * The guessing limit: the same adapter counting failed sign-ins per row, with
   * a way to read a row's count and to set a lock the way a legacy system would.
   */
  lockout?: {
    store: () => UserStore | Promise<UserStore>;
    failedAttempts(login: string): Promise<number>;
    lockUntil(login: string, until: Date): Promise<void>;
    /** The same store keeping the last attempt's retry key (`columns.attemptKey`). */
    keyed?: () => UserStore | Promise<UserStore>;
  };
  /**
   * The same adapter over a backend where CONTRACT_USERS[0] has an
   * authenticator with the secret {@link CONTRACT_TOTP_SECRET} (issue 36).
   */
  totp?: () => UserStore | Promise<UserStore>;
  /** The same adapter over a backend where CONTRACT_USERS[0] holds {@link CONTRACT_IDENTITIES} (issue 33). */
  identities?: () => UserStore | Promise<UserStore>;
  /** The same adapter pointed at a backend that is down (connection refused or 5xx). */
  outage?: () => UserStore | Promise<UserStore>;
  /** The same adapter pointed at a backend that accepts and answers after `ms` (or never). */
  slow?: (ms: number) => UserStore | Promise<UserStore>;
  close?: () => Promise<void>;
}

/**
 * Registers the contract tests for one adapter.
 *
 * @example
 * ```ts
 * runStoreContract('memory', async () => ({ store: createMemoryStore(users), can: { caseInsensitive: true, disabledUsers: true } }))
 * ```
 */
export function runStoreContract(name: string, setup: () => Promise<ContractSetup>, can: ContractSetup['can'] & { outage: boolean; slow: boolean }): void {
  const modes = [
    { matchEmail: false, caseInsensitive: false }, { matchEmail: true, caseInsensitive: false },
    ...(can.caseInsensitive ? [{ matchEmail: false, caseInsensitive: true }, { matchEmail: true, caseInsensitive: true }] : []),
  ];
  describe(`${name} store contract`, () => {
    let s: ContractSetup;
    const [ada, off] = CONTRACT_USERS;
    beforeAll(async () => {
      s = await setup();
    });
    afterAll(async () => {
      await s?.store.close?.();
      await s?.close?.();
    });

    const handlerFor = (store: UserStore, extra: object = {}) => {
      const log = captureLogger();
      const m = countMetrics();
      const handler = createUserMigrationHandler({ store, logger: log.logger, metrics: m.metrics, ...(s.attributes ? { attributes: s.attributes } : {}), ...extra });
      return { handler, log, counts: m.counts };
    };
    const lambdaCtx = () => {
      const deadline = Date.now() + 3000;
      return { signal: new AbortController().signal, deadline, remainingMs: () => Math.max(0, deadline - Date.now()) };
    };
    const refusal = async (p: Promise<unknown>) => {
      const err = await p.then(() => undefined, (e: unknown) => e);
      expect(err, 'the handler should have refused').toBeInstanceOf(Error);
      return (err as Error).message;
    };

    it('migrates a found user with the right password, mapping attributes', async () => {
      const { handler, counts } = handlerFor(s.store);
      const out = await handler(migrationEvent(ada.username, ada.password), lambdaContext());
      expect(out.response.userAttributes).toMatchObject({ email: ada.email, given_name: ada.given_name });
      expect(out.response.finalUserStatus).toBe('CONFIRMED');
      expect(counts.get('migrated')).toBe(1);
    });

    it('refuses an unknown user and a wrong password with the same public message', async () => {
      const { handler, counts } = handlerFor(s.store);
      const a = await refusal(handler(migrationEvent('nobody-here', ada.password), lambdaContext()));
      const b = await refusal(handler(migrationEvent(ada.username, 'not the password'), lambdaContext()));
      expect([a, b]).toEqual([PUBLIC_MESSAGES.rejected, PUBLIC_MESSAGES.rejected]);
      expect(Object.fromEntries(counts)).toEqual({ unknown_user: 1, wrong_password: 1 });
    });

    if (can.disabledUsers) {
      it('refuses a disabled legacy account, even with the right password', async () => {
        const { handler, counts } = handlerFor(s.store);
        expect(await refusal(handler(migrationEvent(off.username, off.password), lambdaContext()))).toBe(PUBLIC_MESSAGES.rejected);
        expect(counts.get('user_disabled')).toBe(1);
      });
    }

    it('looks a user up for ForgotPassword without a password', async () => {
      const { handler } = handlerFor(s.store);
      const out = await handler(migrationEvent(ada.username, undefined), lambdaContext());
      expect(out.response.userAttributes).toMatchObject({ email: ada.email, email_verified: 'true' });
      expect(await refusal(handler(migrationEvent('nobody-here', undefined), lambdaContext()))).toBe(PUBLIC_MESSAGES.rejected);
    });

    it('finds users by email only when matchEmail is on', async () => {
      expect(await refusal(handlerFor(s.store).handler(migrationEvent(ada.email, ada.password), lambdaContext()))).toBe(PUBLIC_MESSAGES.rejected);
      const out = await handlerFor(s.store, { matchEmail: true }).handler(migrationEvent(ada.email, ada.password), lambdaContext());
      expect(out.response.userAttributes.given_name).toBe(ada.given_name);
    });

    if (can.caseInsensitive) {
      it('matches logins case-insensitively only when asked', async () => {
        await refusal(handlerFor(s.store).handler(migrationEvent('ADA', ada.password), lambdaContext()));
        const out = await handlerFor(s.store, { caseInsensitive: true }).handler(migrationEvent('ADA', ada.password), lambdaContext());
        expect(out.response.userAttributes.email).toBe(ada.email);
      });
    }

    if (can.outage) {
      it('reports an outage with the retriable message, never as a wrong password or unknown user', async () => {
        const { handler, counts } = handlerFor(await s.outage!());
        expect(await refusal(handler(migrationEvent(ada.username, ada.password), lambdaContext()))).toBe(PUBLIC_MESSAGES.unavailable);
        expect(await refusal(handler(migrationEvent(ada.username, 'wrong'), lambdaContext()))).toBe(PUBLIC_MESSAGES.unavailable);
        expect(await refusal(handler(migrationEvent('nobody-here', undefined), lambdaContext()))).toBe(PUBLIC_MESSAGES.unavailable);
        expect([...counts.keys()].every((k) => k === 'store_unavailable' || k === 'deadline_exceeded')).toBe(true);
      });
    }

    if (can.slow) {
      it('answers within its timeout when the backend is slow', async () => {
        const { handler, counts } = handlerFor(await s.slow!(4000), { timeoutMs: 600 });
        const started = Date.now();
        expect(await refusal(handler(migrationEvent(ada.username, ada.password), lambdaContext()))).toBe(PUBLIC_MESSAGES.unavailable);
        expect(Date.now() - started).toBeLessThan(2000);
        expect([...counts.keys()]).toEqual([expect.stringMatching(/deadline_exceeded|store_unavailable/)]);
      });
    }

    if (can.duplicateLogins) {
      const [twin1, twin2, upper, lower, graceRow, graceLogin] = DUPLICATE_LOGIN_USERS;
      const refusedAs = async (mode: object, login: string, password: string) => {
        const { handler, counts } = handlerFor(s.store, mode);
        expect(await refusal(handler(migrationEvent(login, password), lambdaContext())), `${login} under ${JSON.stringify(mode)}`).toBe(PUBLIC_MESSAGES.rejected);
        return Object.fromEntries(counts);
      };

      it('refuses a username that two rows hold as ambiguous in every lookup mode, whichever row\'s password is given', async () => {
        for (const mode of modes) {
          for (const password of [twin1.password, twin2.password]) {
            expect(await refusedAs(mode, twin1.username, password)).toEqual({ ambiguous_login: 1 });
          }
          // ForgotPassword creates no user for an ambiguous login either.
          expect(await refusedAs(mode, twin1.username, undefined as never)).toEqual({ ambiguous_login: 1 });
        }
      });

      it('refuses a username equal to another row\'s email as ambiguous once emails match, whichever password is given', async () => {
        const exact = await handlerFor(s.store).handler(migrationEvent(graceLogin.username, graceLogin.password), lambdaContext());
        expect(exact.response.userAttributes.family_name).toBe(graceLogin.family_name);
        for (const mode of modes.filter((m) => m.matchEmail)) {
          for (const password of [graceRow.password, graceLogin.password]) {
            expect(await refusedAs(mode, graceLogin.username, password)).toEqual({ ambiguous_login: 1 });
          }
        }
      });

      if (can.caseInsensitive) {
        it('refuses two case variants as ambiguous when matching case-insensitively, and tells them apart otherwise', async () => {
          for (const u of [upper, lower]) {
            const out = await handlerFor(s.store).handler(migrationEvent(u.username, u.password), lambdaContext());
            expect(out.response.userAttributes.family_name).toBe(u.family_name);
          }
          for (const mode of modes.filter((m) => m.caseInsensitive)) {
            for (const login of [upper.username, lower.username, 'KASE']) {
              for (const password of [upper.password, lower.password]) {
                expect(await refusedAs(mode, login, password)).toEqual({ ambiguous_login: 1 });
              }
            }
          }
        });
      }
    }

    if (can.ledger) {
      it('links a row to one Cognito user with a compare-and-set, answers its roles, and then refuses the row', async () => {
        const store = await s.ledger!();
        const ctx = lambdaCtx();
        const row = await store.findUser({ login: ada.username, matchEmail: false, caseInsensitive: false }, ctx);
        expect(row?.cognitoSub).toBeUndefined();
        const [first, second] = [randomUUID(), randomUUID()];
        const linked = await store.linkAccount!({ legacyId: row!.id, sub: first, expected: null }, ctx);
        expect(linked.outcome).toBe('linked');
        expect(linked.outcome === 'linked' && [...linked.roles].sort()).toEqual(['admins', 'staff']);
        expect(await store.linkAccount!({ legacyId: row!.id, sub: first, expected: null }, ctx)).toMatchObject({ outcome: 'already_linked' });
        expect(await store.linkAccount!({ legacyId: row!.id, sub: second, expected: null }, ctx)).toEqual({ outcome: 'linked_elsewhere', sub: first });
        expect((await store.findUser({ login: ada.username, matchEmail: false, caseInsensitive: false }, ctx))?.cognitoSub).toBe(first);
        expect(await store.linkAccount!({ legacyId: 'no-such-legacy-id', sub: second, expected: null }, ctx)).toEqual({ outcome: 'no_row' });
        // MySQL reads '1abc' as the number 1 when comparing with a numeric key; no row may be linked through such an id.
        expect(await store.linkAccount!({ legacyId: `${row!.id}abc`, sub: second, expected: first }, ctx)).toEqual({ outcome: 'no_row' });

        // The row now belongs to `first`: neither password sign-in nor a reset creates a second account.
        const { handler, counts } = handlerFor(store);
        expect(await refusal(handler(migrationEvent(ada.username, ada.password), lambdaContext()))).toBe(PUBLIC_MESSAGES.rejected);
        expect(await refusal(handler(migrationEvent(ada.username, undefined), lambdaContext()))).toBe(PUBLIC_MESSAGES.rejected);
        expect(Object.fromEntries(counts)).toEqual({ already_migrated: 2 });

        // Re-migration replaces exactly the sub it was told is gone.
        expect(await store.linkAccount!({ legacyId: row!.id, sub: second, expected: first }, ctx)).toMatchObject({ outcome: 'linked' });
        expect((await store.findUser({ login: ada.username, matchEmail: false, caseInsensitive: false }, ctx))?.cognitoSub).toBe(second);
      });
    }

    if (can.ledger) {
      it('links a page at once (linkAccounts, issue 34) with the same compare-and-set as one link at a time', async () => {
        const store = await s.ledger!();
        expect(store.linkAccounts, `${name}: a store with a ledger links a page at once`).toBeTypeOf('function');
        if (!store.linkAccounts) return;
        const ctx = lambdaCtx();
        const row = (await store.findUser({ login: ada.username, matchEmail: false, caseInsensitive: false }, ctx))!;
        let held = row.cognitoSub;
        if (!held) {
          held = randomUUID();
          const [first] = await store.linkAccounts([{ legacyId: row.id, sub: held, expected: null }], ctx);
          expect(first?.outcome === 'linked' && [...first.roles].sort()).toEqual(['admins', 'staff']);
        }
        const other = randomUUID();
        const page = [
          { legacyId: row.id, sub: held, expected: null }, { legacyId: row.id, sub: other, expected: null },
          { legacyId: 'no-such-legacy-id', sub: other, expected: null }, { legacyId: `${row.id}abc`, sub: other, expected: null },
        ];
        const batch = await store.linkAccounts(page, ctx);
        expect(batch.map((r) => r.outcome)).toEqual(['already_linked', 'linked_elsewhere', 'no_row', 'no_row']);
        expect(batch[1]).toEqual({ outcome: 'linked_elsewhere', sub: held });
        // What the batch answers, one link at a time answers too.
        for (const [i, link] of page.entries()) expect(await store.linkAccount!(link, ctx)).toEqual(batch[i]);
        // Re-linking to a sub the caller knows is gone, and nothing written twice.
        const next = randomUUID();
        expect(await store.linkAccounts([{ legacyId: row.id, sub: next, expected: held }, { legacyId: row.id, sub: next, expected: held }], ctx)).toEqual([
          { outcome: 'linked', roles: expect.arrayContaining(['admins', 'staff']) }, { outcome: 'already_linked', roles: expect.arrayContaining(['admins', 'staff']) },
        ]);
        expect((await store.findUser({ login: ada.username, matchEmail: false, caseInsensitive: false }, ctx))?.cognitoSub).toBe(next);
        expect(await store.linkAccounts([], ctx)).toEqual([]);
      });
    }

    if (can.identities) {
      it('finds the row that holds a social or enterprise identity, and carries its identities (issue 33)', async () => {
        const store = await s.identities!();
        expect(store.findByIdentity, `${name}: a store with identities looks them up`).toBeTypeOf('function');
        const ctx = lambdaCtx();
        const byLogin = await store.findUser({ login: ada.username, matchEmail: false, caseInsensitive: false }, ctx);
        expect(byLogin?.identities).toEqual(CONTRACT_IDENTITIES);
        for (const identity of CONTRACT_IDENTITIES) {
          const found = await store.findByIdentity!(identity, ctx);
          expect(found?.id).toBe(byLogin!.id);
          expect(found?.passwordHash === undefined || typeof found.passwordHash === 'string').toBe(true);
        }
        expect(await store.findByIdentity!({ provider: 'Google', sub: 'nobody' }, ctx)).toBeUndefined();
        // The provider is part of the key: the same subject under another provider is someone else.
        expect(await store.findByIdentity!({ provider: 'Facebook', sub: '1093-ada' }, ctx)).toBeUndefined();
        expect(await store.findByIdentity!({ provider: '..', sub: '..' }, ctx)).toBeUndefined();
      });
    }

    if (can.totp) {
      it('a row with an authenticator carries its secret (never as a field) and migrates only with its current code (issue 36)', async () => {
        const store = await s.totp!();
        const user = await store.findUser({ login: ada.username, matchEmail: false, caseInsensitive: false }, lambdaCtx());
        expect(user?.totp?.secret).toBe(CONTRACT_TOTP_SECRET);
        expect(JSON.stringify(user?.fields)).not.toContain(CONTRACT_TOTP_SECRET);
        const { handler, counts, log } = handlerFor(store);
        expect(await refusal(handler(migrationEvent(ada.username, ada.password), lambdaContext()))).toBe(PUBLIC_MESSAGES.rejected);
        const event = migrationEvent(ada.username, ada.password);
        (event.request as Record<string, unknown>).validationData = { legacy_totp_code: totpAt(decodeSecret(CONTRACT_TOTP_SECRET, 'base32')!, Math.floor(Date.now() / 30_000), TOTP_DEFAULTS) };
        const out = await handler(event, lambdaContext());
        expect(out.response.userAttributes).toMatchObject({ 'custom:legacy_mfa': 'totp' });
        expect(Object.values(out.response.userAttributes ?? {})).not.toContain(CONTRACT_TOTP_SECRET);
        expect(Object.fromEntries(counts)).toEqual({ mfa_required: 1, migrated: 1 });
        expect(log.text()).not.toContain(CONTRACT_TOTP_SECRET);
      });
    }

    if (can.ledger && can.blankLedger) {
      it('a blank ledger cell is an empty ledger: the row migrates and links, never a conflict with the sub "" (issue 32)', async () => {
        const store = await s.ledger!();
        const ctx = lambdaCtx();
        await s.blankLedger!(ada.username);
        const row = await store.findUser({ login: ada.username, matchEmail: false, caseInsensitive: false }, ctx);
        expect(row?.cognitoSub).toBeUndefined();
        const sub = randomUUID();
        expect(await store.linkAccount!({ legacyId: row!.id, sub, expected: null }, ctx)).toMatchObject({ outcome: 'linked' });
        expect((await store.findUser({ login: ada.username, matchEmail: false, caseInsensitive: false }, ctx))?.cognitoSub).toBe(sub);
      });
    }

    if (can.lockout) {
      it('the guessing limit: wrong passwords lock the row, a locked row is refused with the right password, the lock expires and a success resets the count', async () => {
        const store = await s.lockout!.store();
        const { handler, counts } = handlerFor(store, { lockout: { maxAttempts: 3, lockSeconds: 1 } });
        const attempt = (password: string) => handler(migrationEvent(ada.username, password), lambdaContext()).then(() => 'migrated', (e: Error) => e.message);
        for (let i = 0; i < 3; i++) expect(await attempt('wrong')).toBe(PUBLIC_MESSAGES.rejected);
        expect(await s.lockout!.failedAttempts(ada.username)).toBe(3);
        expect(await attempt(ada.password)).toBe(PUBLIC_MESSAGES.rejected);
        expect(Object.fromEntries(counts)).toEqual({ wrong_password: 3, locked: 1 });
        await new Promise((r) => setTimeout(r, 1100));
        expect(await attempt(ada.password)).toBe('migrated');
        expect(await s.lockout!.failedAttempts(ada.username)).toBe(0);
      });

      it('the guessing limit shows in the self-check, with its setting and the columns it writes', async () => {
        const store = await s.lockout!.store();
        const report = await handlerFor(store, { lockout: { maxAttempts: 7, lockSeconds: 120 } }).handler({ 'cognito-migrate': 'self-check' }) as unknown as { checks: Array<{ id: string; status: string; message: string }> };
        expect(report.checks.find((c) => c.id === 'lockout')).toMatchObject({ status: 'pass', message: expect.stringMatching(/7 wrong passwords lock a legacy row for 120 s/) });
        expect(report.checks.find((c) => c.id.endsWith('.lockout'))).toMatchObject({ status: 'pass' });
      });

      it('the guessing limit: parallel wrong passwords lose no count, and a lock the legacy system set holds', async () => {
        const store = await s.lockout!.store();
        const { handler, counts } = handlerFor(store, { lockout: { maxAttempts: 100, lockSeconds: 60 } });
        await Promise.all(Array.from({ length: 6 }, () => handler(migrationEvent(ada.username, 'wrong'), lambdaContext()).catch(() => {})));
        expect(await s.lockout!.failedAttempts(ada.username)).toBe(6);
        await s.lockout!.lockUntil(ada.username, new Date(Date.now() + 3_600_000));
        expect(await handler(migrationEvent(ada.username, ada.password), lambdaContext()).then(() => 'migrated', (e: Error) => e.message)).toBe(PUBLIC_MESSAGES.rejected);
        expect(counts.get('locked')).toBe(1);
        await s.lockout!.lockUntil(ada.username, new Date(Date.now() - 1000));
        expect(await handler(migrationEvent(ada.username, ada.password), lambdaContext()).then(() => 'migrated')).toBe('migrated');
      });

      /** Clears the row's lock and count as its owner's successful sign-in does. */
      const unlock = async (store: UserStore) => {
        await s.lockout!.lockUntil(ada.username, new Date(Date.now() - 1000));
        await handlerFor(store).handler(migrationEvent(ada.username, ada.password), lambdaContext());
      };

      for (const chained of [false, true]) {
        it(`the guessing limit holds under a burst${chained ? ', behind a chain' : ''}: 40 wrong passwords and the right one at once check at most the limit (issue 32)`, async () => {
          const member = await s.lockout!.store();
          await unlock(member);
          const store = chained ? createChainStore([member]) : member;
          const { handler, counts } = handlerFor(store, { lockout: { maxAttempts: 5, lockSeconds: 60 }, timeoutMs: 4500 });
          const passwords = [...Array.from({ length: 40 }, (_, i) => `wrong ${i}`), ada.password];
          await Promise.all(passwords.map((p) => handler(migrationEvent(ada.username, p), lambdaContext()).catch(() => {})));
          const seen = JSON.stringify(Object.fromEntries(counts));
          const checked = (counts.get('wrong_password') ?? 0) + (counts.get('migrated') ?? 0);
          expect(checked, seen).toBeLessThanOrEqual(5);
          // Every other attempt was refused unchecked; on a loaded machine a few may instead have run out of time waiting
          // for the one connection, which answers "temporarily unavailable" and checks nothing either.
          const unchecked = ['locked', 'store_unavailable', 'deadline_exceeded'].reduce((n, o) => n + (counts.get(o) ?? 0), 0);
          expect(checked + unchecked, seen).toBe(41);
          expect(counts.get('locked') ?? 0, seen).toBeGreaterThan(0);
          // Locked now, whatever the order: the right password alone is refused unchecked.
          if (!counts.get('migrated')) {
            expect(await handler(migrationEvent(ada.username, ada.password), lambdaContext()).then(() => 'migrated', (e: Error) => e.message)).toBe(PUBLIC_MESSAGES.rejected);
            expect(await s.lockout!.failedAttempts(ada.username)).toBe(5);
          }
          await unlock(member);
        });
      }

      if (can.attemptKey) {
        it('the guessing limit counts Cognito\'s retry of one request once: the same event three times is one attempt, another password another (issue 32)', async () => {
          const store = await s.lockout!.keyed!();
          await unlock(store);
          const { handler } = handlerFor(store, { lockout: { maxAttempts: 5, lockSeconds: 60 }, completion: { linkKey: TEST_LINK_KEY } });
          const send = (password: string) => handler(migrationEvent(ada.username, password), lambdaContext()).catch(() => {});
          for (let i = 0; i < 3; i++) await send('wrong, retried');
          expect(await s.lockout!.failedAttempts(ada.username)).toBe(1);
          await send('another guess');
          await send('another guess');
          expect(await s.lockout!.failedAttempts(ada.username)).toBe(2);
          // Without a link key there is no retry key: each delivery counts.
          const plain = handlerFor(store, { lockout: { maxAttempts: 5, lockSeconds: 60 } }).handler;
          for (let i = 0; i < 2; i++) await plain(migrationEvent(ada.username, 'another guess'), lambdaContext()).catch(() => {});
          expect(await s.lockout!.failedAttempts(ada.username)).toBe(4);
          await unlock(store);
        });
      }

      it('the guessing limit: an expired lock starts the count again, so one wrong password does not lock the row for another period', async () => {
        const store = await s.lockout!.store();
        await unlock(store);
        const { handler } = handlerFor(store, { lockout: { maxAttempts: 3, lockSeconds: 1 } });
        const attempt = (password: string) => handler(migrationEvent(ada.username, password), lambdaContext()).then(() => 'migrated', (e: Error) => e.message);
        for (let i = 0; i < 3; i++) await attempt('wrong');
        await new Promise((r) => setTimeout(r, 1100));
        expect(await attempt('wrong again')).toBe(PUBLIC_MESSAGES.rejected);
        expect(await s.lockout!.failedAttempts(ada.username)).toBe(1);
        expect(await attempt(ada.password)).toBe('migrated');
      });

      it('ForgotPassword: the guessing limit\'s own lock lets a reset through (the owner proves the email), a lock the legacy system set holds', async () => {
        const store = await s.lockout!.store();
        await unlock(store);
        const { handler, counts } = handlerFor(store, { lockout: { maxAttempts: 3, lockSeconds: 60 } });
        for (let i = 0; i < 3; i++) await handler(migrationEvent(ada.username, 'wrong'), lambdaContext()).catch(() => {});
        await handler(migrationEvent(ada.username, undefined), lambdaContext()).catch(() => {});
        expect(counts.get('locked') ?? 0).toBe(0);
        await s.lockout!.lockUntil(ada.username, new Date(Date.now() + 86_400_000));
        expect(await handler(migrationEvent(ada.username, undefined), lambdaContext()).then(() => 'found', (e: Error) => e.message)).toBe(PUBLIC_MESSAGES.rejected);
        expect(counts.get('locked')).toBe(1);
        await unlock(store);
      });
    }

    it('passes its own self-checks when healthy', async () => {
      const report = await runChecks(s.store.checks?.({ matchEmail: true, caseInsensitive: false }) ?? []);
      // The duplicate rows this suite seeds are the one thing wrong with the backend; the next test reads that finding.
      expect(report.checks.filter((c) => c.status === 'fail' && !(can.duplicateLogins && c.id.endsWith('.duplicates')))).toEqual([]);
    });

    if (can.duplicateCheck) {
      it('counts the logins two rows hold in its self-check, under the mode the handler uses, naming no login', async () => {
        const found = async (mode: { matchEmail: boolean; caseInsensitive: boolean }) =>
          (await runChecks(s.store.checks!(mode))).checks.find((c) => c.id.endsWith('.duplicates'));
        expect(await found({ matchEmail: false, caseInsensitive: false })).toMatchObject({ status: 'fail', message: expect.stringMatching(/^1 login is held by more than one row/) });
        expect(await found({ matchEmail: true, caseInsensitive: false })).toMatchObject({ status: 'fail', message: expect.stringMatching(/^2 logins are held/) });
        if (can.caseInsensitive) expect(await found({ matchEmail: true, caseInsensitive: true })).toMatchObject({ status: 'fail', message: expect.stringMatching(/^3 logins are held/) });
        const text = JSON.stringify(await found({ matchEmail: true, caseInsensitive: true }));
        for (const u of DUPLICATE_LOGIN_USERS) expect(text).not.toContain(u.username);
      });
    }

    if (can.outage) {
      it('fails a self-check when the backend is down', async () => {
        const store = await s.outage!();
        expect(store.checks, `${name} must contribute self-checks`).toBeTypeOf('function');
        const report = await runChecks(store.checks!({ matchEmail: true, caseInsensitive: false }));
        expect(report.ok).toBe(false);
      });
    }
  });
}
