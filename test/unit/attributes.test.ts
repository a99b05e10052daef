import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { attributeReader } from '../../src/attributes.js';
import { AttributeValidationError, mapAttributes, toCognitoAttributes } from '../../src/index.js';

const user = { id: '42', fields: { mail: 'ada@example.com', first: 'Ada', email: 'x@y.io', nickname: 'ada', shoe_size: 9 } };

describe('mapAttributes', () => {
  it('maps Cognito attributes to legacy fields and reads the legacy id', () => {
    expect(mapAttributes(user, { email: 'mail', given_name: 'first', 'custom:legacy_id': 'id' })).toEqual({
      email: 'ada@example.com', given_name: 'Ada', 'custom:legacy_id': '42',
    });
  });
  it('passes through only fields already named like Cognito attributes when no mapping is given', () => {
    expect(mapAttributes(user)).toEqual({ email: 'x@y.io', nickname: 'ada' });
  });
  it('accepts a function', () => {
    expect(mapAttributes(user, (u) => ({ name: `${u.fields.first}` }))).toEqual({ name: 'Ada' });
  });
});

describe('attributeReader', () => {
  const columns = ['cognito:username', 'email', 'given_name', 'nickname', 'custom:legacy_id', 'constructor', 'name'];
  const field = fc.constantFrom('mail', 'first', 'email', 'nickname', 'id', 'missing', 'constructor', '__proto__', 'toString');
  const attribute = fc.constantFrom(...columns.slice(1));
  const value = fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.constant(undefined), fc.constant('$2b$hash'));
  const users = fc.record({ id: fc.string({ maxLength: 3 }), fields: fc.dictionary(field, value), passwordHash: fc.option(fc.constant('$2b$hash'), { nil: undefined }) });
  const outcome = (f: () => unknown) => { try { return { value: f() }; } catch (err) { return { error: (err as Error).message, name: (err as AttributeValidationError).attribute }; } };

  it('reads what mapAttributes gives, column by column, and refuses the hash the same way', () => {
    const mappings = fc.oneof(fc.constant(undefined), fc.dictionary(attribute, field), fc.constant((u: { fields: Record<string, unknown> }) => ({ name: String(u.fields.first ?? '') })));
    fc.assert(fc.property(mappings, users, (mapping, user) => {
      const expected = outcome(() => { const out = mapAttributes(user, mapping as never); return columns.map((c) => (Object.hasOwn(out, c) ? out[c] : undefined)); });
      expect(outcome(() => attributeReader(mapping as never, columns)(user))).toEqual(expected);
    }), { numRuns: 3000 });
  });
});

describe('toCognitoAttributes', () => {
  it('writes booleans as "true"/"false", dates and numbers as Cognito expects, and drops empty values', () => {
    expect(toCognitoAttributes({
      email_verified: true, phone_number_verified: 'f', updated_at: new Date(1_700_000_000_000),
      birthdate: new Date('1990-05-17T00:00:00Z'), 'custom:tier': 3, name: '  Ada  ', nickname: null, locale: undefined,
    })).toEqual({
      email_verified: 'true', phone_number_verified: 'false', updated_at: '1700000000', birthdate: '1990-05-17', 'custom:tier': '3', name: 'Ada',
    });
  });

  it.each([
    ['sub', { sub: 'abc' }, /set by Cognito itself/],
    ['username', { username: 'abc' }, /set by Cognito itself/],
    ['missing custom: prefix', { shoe_size: '9' }, /not a standard Cognito attribute.*custom:shoe_size/],
    ['custom name too long', { 'custom:abcdefghijklmnopqrstu': 'x' }, /not a valid custom attribute name/],
    ['non-boolean verified flag', { email_verified: 'yes please' }, /must be a boolean/],
    ['phone not E.164', { phone_number: '(206) 555-0100' }, /E\.164/],
    ['bad email', { email: 'not an email' }, /not a valid email/],
    ['too long', { name: 'x'.repeat(2049) }, /2049 characters long; Cognito allows at most 2048/],
    ['updated_at not seconds', { updated_at: '2020-01-01' }, /POSIX/],
  ])('rejects %s, naming the attribute but not the value', (_case, input, message) => {
    const err = (() => { try { toCognitoAttributes(input); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(AttributeValidationError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(`"${Object.keys(input)[0]}"`);
    const value = String(Object.values(input)[0]);
    if (value.length > 3) expect((err as Error).message).not.toContain(value);
  });
});
