// Property and fuzz tests: every input ends in a result or a typed error with a
// clear message; nothing crashes, hangs or rejects unhandled.
import bcrypt from 'bcryptjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../adapters/memory/index.js';
import {
  AttributeValidationError, CognitoMigrateError, PUBLIC_MESSAGES, UnsupportedHashError, type UserStore, createUserMigrationHandler, toCognitoAttributes, verifyPassword,
} from '../../src/index.js';
import { checkRecord, csvValue, recordChecker, splitCsvLine } from '../../src/csv/rules.js';
import { captureLogger, countMetrics, lambdaContext, migrationEvent } from '../support/fakes.js';

let store: UserStore;
beforeAll(async () => {
  store = createMemoryStore([{ username: 'ada', id: '1', passwordHash: await bcrypt.hash('pw', 4), fields: { email: 'ada@example.com', email_verified: true } }]);
});
const PUBLIC = new Set<string>(Object.values(PUBLIC_MESSAGES));

// Any JSON, including the wrong types in the right places and huge strings.
const anyValue = fc.oneof(fc.string({ maxLength: 50 }), fc.string({ minLength: 3000, maxLength: 12_000 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.object({ maxDepth: 2 }), fc.array(fc.anything(), { maxLength: 3 }));

describe('trigger events', () => {
  it('any mutation of a valid event ends in the event or an Error with a public message', async () => {
    const log = captureLogger();
    const handler = createUserMigrationHandler({ store, logger: log.logger, metrics: countMetrics().metrics, matchEmail: true, timeoutMs: 500 });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('triggerSource', 'userName', 'request', 'response', 'callerContext', 'userPoolId', 'request.password', 'version'),
        anyValue,
        fc.constantFrom('UserMigration_Authentication', 'UserMigration_ForgotPassword', 'PreSignUp_SignUp', 'CustomMessage_SignUp'),
        async (field, value, source) => {
          const event = JSON.parse(JSON.stringify(migrationEvent('ada', 'pw', source as never))) as Record<string, any>;
          if (field === 'request.password') event.request.password = value;
          else event[field] = value;
          const outcome = await handler(event as never, lambdaContext()).then(() => 'ok', (e: unknown) => e);
          if (outcome === 'ok') return;
          expect(outcome).toBeInstanceOf(Error);
          expect(PUBLIC.has((outcome as Error).message)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
    expect(log.text()).not.toContain('"pw"');
  });

  it('completely arbitrary input never crashes the handler', async () => {
    const handler = createUserMigrationHandler({ store, logger: captureLogger().logger, metrics: countMetrics().metrics });
    await fc.assert(fc.asyncProperty(fc.anything(), async (event) => {
      const outcome = await handler(event as never, lambdaContext()).then(() => 'ok', (e: unknown) => e);
      expect(outcome === 'ok' || (outcome instanceof Error && PUBLIC.has(outcome.message))).toBe(true);
    }), { numRuns: 300 });
  });
});

describe('attribute mapping and validation', () => {
  it('returns strings Cognito accepts, or throws AttributeValidationError naming the attribute', () => {
    const names = fc.oneof(fc.constantFrom('email', 'email_verified', 'phone_number', 'phone_number_verified', 'birthdate', 'updated_at', 'name', 'sub', 'username', 'custom:tier', 'custom:', 'shoe_size'), fc.string({ maxLength: 30 }));
    const values = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ minLength: 2040, maxLength: 2100 }), fc.boolean(), fc.integer(), fc.date({ noInvalidDate: false }), fc.constant(null), fc.constantFrom('+12065550100', 'a@b.co', 'true', '2000-01-01', '17'));
    fc.assert(fc.property(fc.dictionary(names, values, { maxKeys: 6 }), (mapped) => {
      try {
        const out = toCognitoAttributes(mapped);
        for (const [k, v] of Object.entries(out)) {
          expect(typeof v).toBe('string');
          expect(v.length).toBeLessThanOrEqual(2048);
          if (k.endsWith('_verified')) expect(['true', 'false']).toContain(v);
          if (k === 'phone_number') expect(v).toMatch(/^\+[1-9]\d{1,14}$/);
        }
      } catch (err) {
        expect(err).toBeInstanceOf(AttributeValidationError);
        expect((err as AttributeValidationError).message).toContain(`"${(err as AttributeValidationError).attribute}"`);
      }
    }), { numRuns: 1000 });
  });
});

describe('hash parsing', () => {
  const prefixes = ['$2a$', '$2b$05$', '$2x$', '$argon2id$v=19$', '$argon2i$', '$scrypt$ln=', 'scrypt:', 'pbkdf2_sha256$', 'pbkdf2:sha256:', '$pbkdf2-sha256$', '$6$', '$5$rounds=', '$1$', '$apr1$', '$P$', '$H$', 'sha1$', 'md5$', '{SSHA}', '{SHA}', '{MD5}', ''];
  it('any stored string resolves a boolean or throws UnsupportedHashError, fast, without quoting the hash', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...prefixes), fc.string({ maxLength: 120 }), fc.string({ maxLength: 20 }), async (prefix, rest, password) => {
      const encoded = prefix + rest;
      const started = performance.now();
      const outcome = await verifyPassword(password, encoded).then((ok) => ok, (e: unknown) => e);
      expect(performance.now() - started).toBeLessThan(3000);
      if (typeof outcome === 'boolean') return;
      expect(outcome).toBeInstanceOf(UnsupportedHashError);
      if (rest.length > 12) expect((outcome as Error).message).not.toContain(rest);
    }), { numRuns: 400 });
  });
});

describe('CSV writer', () => {
  it('round-trips any value through Cognito\'s escaping (or refuses what no CSV can carry)', () => {
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 30 }), { minLength: 1, maxLength: 8 }), (values) => {
      const escaped = values.map(csvValue);
      if (escaped.some((v) => v === undefined)) {
        // Refused only for quotes, line breaks, or a trailing backslash (which would escape the separator).
        expect(values.some((v) => /["\r\n]/.test(v.trim()) || v.trim().endsWith('\\'))).toBe(true);
        return;
      }
      expect(splitCsvLine(escaped.join(','))).toEqual(values.map((v) => v.trim()));
    }), { numRuns: 2000 });
  });

  it('checks any record without throwing', () => {
    const cols = ['cognito:username', 'cognito:mfa_enabled', 'email', 'email_verified', 'phone_number', 'phone_number_verified', 'birthdate', 'updated_at'];
    fc.assert(fc.property(fc.dictionary(fc.constantFrom(...cols), fc.string({ maxLength: 20 })), (record) => {
      const problems = checkRecord(record, { header: cols }, 2);
      for (const p of problems) expect(p.fix.length).toBeGreaterThan(0);
      // The compiled checker the linter and the export use reads columns in any order.
      const order = [...cols].reverse();
      expect(recordChecker({ header: cols }, order)(order.map((c) => record[c]), 2)).toEqual(problems);
    }), { numRuns: 1000 });
  });
});

describe('errors', () => {
  it('every typed error has a public message from the fixed set', () => {
    const samples: CognitoMigrateError[] = [new UnsupportedHashError('x', 'y'), new AttributeValidationError('email', 'bad')];
    for (const e of samples) expect(PUBLIC.has(e.publicMessage)).toBe(true);
  });
});
