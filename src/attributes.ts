import { AttributeValidationError } from './errors.js';
import type { LegacyUser, LegacyValue } from './types.js';

/** Cognito's standard (OIDC) attributes that a migration may set. */
export const STANDARD_ATTRIBUTES = new Set([
  'address', 'birthdate', 'email', 'email_verified', 'family_name', 'gender', 'given_name',
  'locale', 'middle_name', 'name', 'nickname', 'phone_number', 'phone_number_verified',
  'picture', 'preferred_username', 'profile', 'updated_at', 'website', 'zoneinfo',
]);

const BOOLEAN_ATTRIBUTES = new Set(['email_verified', 'phone_number_verified']);
// Cognito owns these; returning one fails the migration.
const FORBIDDEN_ATTRIBUTES = new Set(['sub', 'username', 'cognito:username', 'cognito:user_status', 'identities']);
const MAX_VALUE_LENGTH = 2048;
const E164 = /^\+[1-9]\d{1,14}$/;
// Deliberately plain: one @, no spaces, a dot in the domain. Cognito's own check is not stricter.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CUSTOM_NAME = /^custom:[\w.:-]{1,20}$/;
const BIRTHDATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * How legacy fields become Cognito attributes: a table from Cognito attribute
 * name to legacy field name, or a function for anything else.
 *
 * @example
 * ```ts
 * const mapping: AttributeMapping = { email: 'email', given_name: 'first_name', 'custom:legacy_id': 'id' }
 * const computed: AttributeMapping = (u) => ({ email: u.fields.mail, email_verified: true })
 * ```
 */
export type AttributeMapping =
  | Readonly<Record<string, string>>
  | ((user: LegacyUser) => Record<string, LegacyValue>);

/**
 * Applies the mapping. With no mapping, legacy fields whose names are already
 * Cognito attributes (standard or `custom:`) pass through and the rest are
 * dropped. The mapping value `id` reads the user's legacy id.
 *
 * @example
 * ```ts
 * mapAttributes(user, { email: 'mail', 'custom:legacy_id': 'id' }) // { email: 'ada@…', 'custom:legacy_id': 42 }
 * ```
 */
export function mapAttributes(user: LegacyUser, mapping?: AttributeMapping): Record<string, LegacyValue> {
  // A mapping never sees the hash, and a hash that slipped into the fields is never returned.
  const passwordHash = user.passwordHash;
  let out: Record<string, LegacyValue>;
  if (typeof mapping === 'function') {
    const { passwordHash: _, ...visible } = user;
    out = mapping(visible);
  } else if (mapping) {
    out = {};
    // for…in over the mapping: the export calls this for every user, and Object.entries allocates.
    for (const attribute in mapping) {
      if (!Object.hasOwn(mapping, attribute)) continue;
      out[attribute] = mappedValue(user, mapping[attribute]!);
    }
  } else {
    out = {};
    for (const name in user.fields) {
      if (Object.hasOwn(user.fields, name) && (STANDARD_ATTRIBUTES.has(name) || name.startsWith('custom:'))) out[name] = user.fields[name];
    }
  }
  if (passwordHash !== undefined) {
    for (const name in out) {
      if (out[name] === passwordHash) throw new AttributeValidationError(name, 'would carry the stored password hash', 'Map it to another legacy field; hashes never leave the function.');
    }
  }
  return out;
}

/**
 * {@link mapAttributes} for many users, as values in the order of `columns`
 * (undefined where the mapping gives a column nothing). A table mapping's
 * entries are read once rather than for every user (csv export maps every
 * user through here); the same refusal of a value equal to the hash applies.
 *
 * @example
 * ```ts
 * const read = attributeReader({ email: 'mail' }, ['cognito:username', 'email']); read(user) // [undefined, 'ada@…']
 * ```
 */
export function attributeReader(mapping: AttributeMapping | undefined, columns: readonly string[]): (user: LegacyUser) => LegacyValue[] {
  if (!mapping || typeof mapping === 'function') {
    return (user) => {
      const out = mapAttributes(user, mapping);
      return columns.map((c) => (Object.hasOwn(out, c) ? out[c] : undefined));
    };
  }
  const attributes = Object.keys(mapping);
  const sources = attributes.map((a) => mapping[a]!);
  const slots = attributes.map((a) => columns.lastIndexOf(a));
  return (user) => {
    const values = new Array<LegacyValue>(columns.length);
    const { passwordHash } = user;
    for (let k = 0; k < sources.length; k++) {
      const value = mappedValue(user, sources[k]!);
      if (passwordHash !== undefined && value === passwordHash) throw new AttributeValidationError(attributes[k]!, 'would carry the stored password hash', 'Map it to another legacy field; hashes never leave the function.');
      if (slots[k]! >= 0) values[slots[k]!] = value;
    }
    return values;
  };
}

/** What a table mapping's entry reads: the legacy field, or the legacy id for `id`. */
function mappedValue(user: LegacyUser, field: string): LegacyValue {
  // Own fields only: `constructor` or `__proto__` must not reach Object.prototype.
  return Object.hasOwn(user.fields, field) ? user.fields[field] : field === 'id' ? user.id : undefined;
}

const SECRET_FIELD = /pass(word|wd)?|hash|secret|salt|token|otp|mfa_?seed/i;

/**
 * Refuses, at configuration time, a mapping that reads a legacy field named
 * like a password, hash, salt, secret or token: such a value must never
 * become a Cognito attribute.
 *
 * @example
 * ```ts
 * checkMappingSources({ 'custom:legacy_id': 'id' }) // fine
 * checkMappingSources({ 'custom:pw': 'password_hash' }) // throws AttributeValidationError
 * ```
 */
export function checkMappingSources(mapping: Readonly<Record<string, string>>): void {
  for (const [attribute, field] of Object.entries(mapping)) {
    if (SECRET_FIELD.test(field)) {
      throw new AttributeValidationError(attribute, `maps the legacy field "${field}", which is named like a password, hash or secret`, 'Map attributes from profile fields only; passwords and hashes never become attributes.');
    }
  }
}

/**
 * Turns mapped values into the strings Cognito accepts, or throws
 * {@link AttributeValidationError} naming the first attribute Cognito would
 * reject. Null and undefined values are left out.
 *
 * @example
 * ```ts
 * toCognitoAttributes({ email: 'ada@example.com', email_verified: true })
 * // { email: 'ada@example.com', email_verified: 'true' }
 * ```
 */
export function toCognitoAttributes(mapped: Record<string, LegacyValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(mapped)) {
    if (raw === null || raw === undefined) continue;
    checkName(name);
    const value = toText(name, raw);
    if (value.length > MAX_VALUE_LENGTH) {
      throw new AttributeValidationError(name, `is ${value.length} characters long; Cognito allows at most ${MAX_VALUE_LENGTH}`);
    }
    checkValue(name, value);
    out[name] = value;
  }
  return out;
}

function checkName(name: string): void {
  if (FORBIDDEN_ATTRIBUTES.has(name)) {
    throw new AttributeValidationError(name, 'is set by Cognito itself and cannot be migrated', 'Remove it from the attribute mapping; keep the legacy id in a custom attribute such as custom:legacy_id.');
  }
  if (name.startsWith('custom:')) {
    if (!CUSTOM_NAME.test(name)) {
      throw new AttributeValidationError(name, 'is not a valid custom attribute name (1 to 20 letters, digits or _.:- after "custom:")');
    }
    return;
  }
  if (!STANDARD_ATTRIBUTES.has(name)) {
    throw new AttributeValidationError(name, 'is not a standard Cognito attribute', `Map it to "custom:${name.slice(0, 20)}" and add that custom attribute to the pool schema, or drop it.`);
  }
}

function toText(name: string, raw: Exclude<LegacyValue, null | undefined>): string {
  if (BOOLEAN_ATTRIBUTES.has(name)) {
    if (raw === true || raw === 'true' || raw === 1 || raw === 't') return 'true';
    if (raw === false || raw === 'false' || raw === 0 || raw === 'f') return 'false';
    throw new AttributeValidationError(name, 'must be a boolean ("true" or "false")');
  }
  if (raw instanceof Date) {
    if (Number.isNaN(raw.getTime())) throw new AttributeValidationError(name, 'is an invalid date');
    if (name === 'updated_at') return String(Math.floor(raw.getTime() / 1000));
    if (name === 'birthdate') return raw.toISOString().slice(0, 10);
    return raw.toISOString();
  }
  if (typeof raw === 'boolean') return raw ? 'true' : 'false';
  return String(raw).trim();
}

function checkValue(name: string, value: string): void {
  switch (name) {
    case 'email':
      if (!EMAIL.test(value)) throw new AttributeValidationError(name, 'is not a valid email address');
      return;
    case 'phone_number':
      if (!E164.test(value)) {
        throw new AttributeValidationError(name, 'must be in E.164 form, a + and up to 15 digits, e.g. +12065550100', 'Normalise legacy phone numbers in the mapping (strip spaces, add the country code).');
      }
      return;
    case 'updated_at':
      if (!/^\d+$/.test(value)) throw new AttributeValidationError(name, 'must be a number of seconds since 1970 (POSIX time)');
      return;
    case 'birthdate':
      if (!BIRTHDATE.test(value)) throw new AttributeValidationError(name, 'must be in YYYY-MM-DD form');
      return;
  }
}
