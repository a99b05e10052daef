import { describe, expect, it } from 'vitest';
import { ConfigurationError, booleanEnv, enumEnv, handlerOptionsFromEnv, integerEnv, jsonEnv, rejectUnknownKeys, requiredEnv } from '../../src/index.js';

describe('environment helpers', () => {
  it('says "X is required" and how to fix it', () => {
    expect(() => requiredEnv({}, 'DATABASE_URL', 'Set it.')).toThrow('DATABASE_URL is required. Set it.');
    expect(() => requiredEnv({ DATABASE_URL: '  ' }, 'DATABASE_URL', 'Set it.')).toThrow(ConfigurationError);
  });
  it('says "X must be …" with the bad value', () => {
    expect(() => booleanEnv({ MATCH_EMAIL: 'maybe' }, 'MATCH_EMAIL', false)).toThrow('MATCH_EMAIL must be true or false, got "maybe"');
    expect(() => integerEnv({ TIMEOUT_MS: '9000' }, 'TIMEOUT_MS', { fallback: 3000, min: 100, max: 4800 })).toThrow('TIMEOUT_MS must be a whole number from 100 to 4800, got "9000"');
    expect(() => enumEnv({ FINAL_USER_STATUS: 'CONFIRMD' }, 'FINAL_USER_STATUS', ['CONFIRMED', 'RESET_REQUIRED'], 'CONFIRMED')).toThrow(/Did you mean "CONFIRMED"/);
    expect(() => jsonEnv({ ATTRIBUTE_MAP: '{email:' }, 'ATTRIBUTE_MAP')).toThrow(/ATTRIBUTE_MAP must be valid JSON/);
  });
  it('returns defaults and parsed values', () => {
    expect(booleanEnv({ X: 'YES' }, 'X', false)).toBe(true);
    expect(integerEnv({}, 'X', { fallback: 7, min: 0, max: 9 })).toBe(7);
    expect(enumEnv({}, 'X', ['A', 'B'], 'B')).toBe('B');
  });
  it('rejects unknown option keys, suggesting the closest', () => {
    expect(() => rejectUnknownKeys('f', { tabel: 1 }, ['table', 'query'])).toThrow('f: unknown option "tabel". Did you mean "table"?');
  });
});

describe('handlerOptionsFromEnv', () => {
  it('reads every handler setting', () => {
    expect(handlerOptionsFromEnv({
      MATCH_EMAIL: 'true', CASE_INSENSITIVE: '1', FINAL_USER_STATUS: 'RESET_REQUIRED', MESSAGE_ACTION: 'SEND',
      DESIRED_DELIVERY_MEDIUMS: 'email,SMS', FORCE_ALIAS_CREATION: 'true', ENABLE_SMS_MFA: 'true', TIMEOUT_MS: '2500',
      ATTRIBUTE_MAP: '{"email":"mail"}', PASSWORD_NORMALIZATION: 'NFC', SHADOW_MODE: 'true',
      REMIGRATE: 'if-absent', GROUP_MAP: '{"ROLE_ADMIN":"admins"}', UNMAPPED_ROLES: 'same-name', CREATE_MISSING_GROUPS: 'true',
      COMPLETION_TIMEOUT_MS: '1500', COMPLETION_MARK_ATTRIBUTE: 'custom:done_at', LOGIN_ATTEMPTS_MAX: '5', LOGIN_LOCK_SECONDS: '600',
      PASSWORD_POLICY: 'reset', PASSWORD_POLICY_RULES: '{"MinimumLength":10}', LINK_KEY: 'k'.repeat(40), COMPLETION_PROOF_ATTRIBUTE: 'custom:proof',
      SIGNUP_GUARD: 'off', TOTP_ENCODING: 'hex', TOTP_ALGORITHM: 'SHA256', TOTP_DIGITS: '8', TOTP_PERIOD: '60', TOTP_MARK_ATTRIBUTE: 'custom:had_mfa',
      LINK_BY_EMAIL: 'verified', USERNAME_FIELD: 'login',
    })).toEqual({
      matchEmail: true, caseInsensitive: true, finalUserStatus: 'RESET_REQUIRED', messageAction: 'SEND',
      desiredDeliveryMediums: ['EMAIL', 'SMS'], forceAliasCreation: true, enableSMSMFA: true, timeoutMs: 2500,
      attributes: { email: 'mail' }, normalize: 'NFC', shadow: true, remigrate: 'if-absent', lockout: { maxAttempts: 5, lockSeconds: 600 },
      passwordPolicy: { mode: 'reset', rules: { MinimumLength: 10 } },
      signUpGuard: 'off', linkByEmail: 'verified', usernameField: 'login',
      totp: { encoding: 'hex', algorithm: 'SHA256', digits: 8, period: 60, markAttribute: 'custom:had_mfa' },
      completion: { groupMap: { ROLE_ADMIN: 'admins' }, unmappedRoles: 'same-name', createMissingGroups: true, timeoutMs: 1500, markAttribute: 'custom:done_at', proofAttribute: 'custom:proof', linkKey: 'k'.repeat(40) },
    });
  });
  it('names the bad variable', () => {
    expect(() => handlerOptionsFromEnv({ DESIRED_DELIVERY_MEDIUMS: 'PIGEON' })).toThrow(/DESIRED_DELIVERY_MEDIUMS must be EMAIL, SMS or EMAIL,SMS/);
    expect(() => handlerOptionsFromEnv({ ATTRIBUTE_MAP: '[1]' })).toThrow(/ATTRIBUTE_MAP must be a JSON object/);
    expect(() => handlerOptionsFromEnv({ GROUP_MAP: '["admins"]' })).toThrow(/GROUP_MAP must be a JSON object/);
    expect(() => handlerOptionsFromEnv({ REMIGRATE: 'always' })).toThrow(/REMIGRATE/);
    expect(() => handlerOptionsFromEnv({ TOTP_DIGITS: '7' })).toThrow(/TOTP_DIGITS/);
    expect(() => handlerOptionsFromEnv({ SIGNUP_GUARD: 'allow' })).toThrow(/SIGNUP_GUARD/);
    expect(() => handlerOptionsFromEnv({ TOTP_ENCODING: 'base64' })).toThrow(/TOTP_ENCODING/);
    expect(() => handlerOptionsFromEnv({ COMPLETION_TIMEOUT_MS: '4500' })).toThrow(/COMPLETION_TIMEOUT_MS must be a whole number from 100 to 3000/);
    expect(() => handlerOptionsFromEnv({ LINK_KEY: 'k'.repeat(40), LINK_KEY_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:x' })).toThrow(/LINK_KEY and LINK_KEY_ARN are both set/);
  });
});
