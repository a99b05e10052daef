// What each source's export looks like, as documented by the source, mapped
// onto the row the PostgreSQL adapter reads. A record that cannot be staged
// says why, in words that name fields, never their values.

import type { StagedUser as Row } from '../../adapters/postgres/stage.js';
import { parseFlag } from '../../src/flags.js';
import { encodeBase32 } from '../../src/totp-check.js';

/** One user to stage, with facts worth counting that staging cannot carry (a TOTP secret). */
export interface StagedUser extends Row {
  notes?: string[];
}

/** A record's verdict: the user to stage, or why it cannot be. */
export type Staged = { user: StagedUser } | { skip: string };

export type SourceName = 'auth0' | 'firebase' | 'keycloak';

type Json = Record<string, unknown>;
const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined);
const flag = (v: unknown) => (typeof v === 'boolean' ? v : undefined);

/** A record whose shape is not the source's: not staged, counted by what is wrong, at its position. */
export class MalformedRecord extends Error {}

/** A list of objects, or none; anything else is a malformed record (named by field, never by value). */
function objects(v: unknown, field: string): Json[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new MalformedRecord(`"${field}" is not a list`);
  if (v.some((x) => !x || typeof x !== 'object' || Array.isArray(x))) throw new MalformedRecord(`"${field}" holds an entry that is not an object`);
  return v as Json[];
}

/** A social or enterprise identity the user signed in with at the source, as the pool's identity provider names it. */
export interface StagedIdentity {
  provider: string;
  sub: string;
}

/**
 * Source provider names → the pool's identity-provider names (what a
 * federated user's Cognito username starts with: `Google_…`). Defaults for
 * the social providers Cognito supports; PROVIDER_MAP (or --provider-map)
 * adds or overrides, e.g. an Auth0 enterprise connection or a Keycloak alias
 * named like the pool's SAML or OIDC provider. A name neither maps is kept.
 */
export const DEFAULT_PROVIDER_MAP: Readonly<Record<string, string>> = {
  'google-oauth2': 'Google', 'google.com': 'Google', google: 'Google',
  facebook: 'Facebook', 'facebook.com': 'Facebook',
  apple: 'SignInWithApple', 'apple.com': 'SignInWithApple',
  amazon: 'LoginWithAmazon',
};

/** How a source record is read: the provider names to map identities with. */
export interface ReadOptions {
  providerMap: Readonly<Record<string, string>>;
}

/** The identities of a record, mapped, each once; a malformed entry is left out (the count says so). */
function identities(list: Array<{ provider: string | undefined; sub: string | undefined }>, options: ReadOptions): StagedIdentity[] {
  const seen = new Set<string>();
  const out: StagedIdentity[] = [];
  for (const { provider, sub } of list) {
    if (!provider || !sub) continue;
    const mapped = Object.hasOwn(options.providerMap, provider) ? options.providerMap[provider]! : provider;
    const key = `${mapped}\u0000${sub}`;
    if (!seen.has(key)) { seen.add(key); out.push({ provider: mapped, sub }); }
  }
  return out;
}

/**
 * Whether an account may sign in, from the export's flag, failing closed: a
 * missing field is the source's default, but a field present in any spelling
 * that is not clearly "may sign in" (`"true"` for blocked, `1`, `null`,
 * `"maybe"`) disables the user, with a note naming the field.
 */
function allowed(r: Json, field: string, meaning: 'blocked' | 'enabled'): { enabled: boolean; notes?: string[] } {
  if (!Object.hasOwn(r, field)) return { enabled: true };
  const value = parseFlag(r[field]);
  if (value === undefined) return { enabled: false, notes: [`its "${field}" flag could not be read, so it is staged disabled`] };
  return { enabled: meaning === 'blocked' ? !value : value };
}

function finish(id: string | undefined, fields: Omit<StagedUser, 'id' | 'username'> & { username?: string }): Staged {
  if (!id) return { skip: 'no user id' };
  const username = fields.username ?? fields.email;
  if (!username) return { skip: 'no username and no email: nothing to sign in with' };
  const user: StagedUser = { id, username, enabled: fields.enabled, smsMfa: fields.smsMfa };
  for (const k of ['email', 'emailVerified', 'phoneNumber', 'phoneVerified', 'passwordHash', 'passwordFormat', 'totp', 'identities', 'notes'] as const) {
    if (fields[k] !== undefined) (user as unknown as Json)[k] = fields[k];
  }
  return { user };
}

/**
 * An Auth0 user: a line of the password-hash export Auth0 support provides
 * (`_id.$oid`, `email`, `email_verified`, `passwordHash`, …) or of a bulk
 * user export job (`user_id`, `username`, `phone_number`, `blocked`, …).
 */
function auth0(r: Json, options: ReadOptions): Staged {
  const oid = r._id && typeof r._id === 'object' ? text((r._id as Json).$oid) : text(r._id);
  const multifactor = Array.isArray(r.multifactor) ? r.multifactor : [];
  const access = allowed(r, 'blocked', 'blocked');
  const social = auth0Identities(r, options);
  return finish(text(r.user_id) ?? oid, {
    ...(social.length ? { identities: social } : {}),
    username: text(r.username),
    email: text(r.email),
    emailVerified: flag(r.email_verified),
    phoneNumber: text(r.phone_number),
    phoneVerified: flag(r.phone_verified),
    ...access,
    smsMfa: multifactor.includes('sms'),
    passwordHash: text(r.passwordHash) ?? text(r.password_hash),
  });
}

/**
 * An Auth0 user's identities of non-database connections: `identities[]`
 * (`provider`, `user_id`, `connection`, `isSocial`) as the Management API
 * gives the user, or, in an export without it, the `user_id` itself
 * (`google-oauth2|1234`). A social identity is named by its provider, an
 * enterprise one (SAML, OIDC, …) by its connection.
 */
function auth0Identities(r: Json, options: ReadOptions): StagedIdentity[] {
  const listed = objects(r.identities, 'identities');
  if (listed.length) {
    return identities(listed.filter((i) => text(i.provider) !== 'auth0').map((i) => ({ provider: i.isSocial === false ? text(i.connection) : text(i.provider), sub: text(i.user_id) })), options);
  }
  const id = text(r.user_id);
  const bar = id?.indexOf('|') ?? -1;
  return bar > 0 && !id!.startsWith('auth0|') ? identities([{ provider: id!.slice(0, bar), sub: id!.slice(bar + 1) }], options) : [];
}

/** A user of `firebase auth:export --format=json`: the hash is the user's salt and hash, read with the project's parameters. */
function firebase(r: Json, options: ReadOptions): Staged {
  const mfa = objects(r.mfaInfo, 'mfaInfo');
  // Every provider but the password and the phone, which sign in to Firebase itself.
  const social = identities(objects(r.providerUserInfo, 'providerUserInfo').filter((p) => !['password', 'phone'].includes(String(p.providerId))).map((p) => ({ provider: text(p.providerId), sub: text(p.rawId) })), options);
  const access = allowed(r, 'disabled', 'blocked');
  const mfaPhone = mfa.map((m) => text(m.phoneInfo)).find(Boolean);
  const phone = text(r.phoneNumber) ?? mfaPhone;
  const hash = text(r.passwordHash);
  const salt = text(r.salt);
  return finish(text(r.localId), {
    ...(social.length ? { identities: social } : {}),
    email: text(r.email),
    emailVerified: flag(r.emailVerified),
    // Firebase verifies a phone number by signing in with it (or enrolling it as a factor).
    ...(phone ? { phoneNumber: phone, phoneVerified: true } : {}),
    ...access,
    smsMfa: mfaPhone !== undefined,
    ...(hash && salt ? { passwordHash: `${salt}$${hash}`, passwordFormat: 'firebase-scrypt' } : {}),
  });
}

/** A user of a Keycloak realm export (`kc.sh export`): its password credential, kept whole for the keycloak format. */
function keycloak(r: Json, options: ReadOptions): Staged {
  const credentials = objects(r.credentials, 'credentials');
  const social = identities(objects(r.federatedIdentities, 'federatedIdentities').map((f) => ({ provider: text(f.identityProvider), sub: text(f.userId) })), options);
  const access = allowed(r, 'enabled', 'enabled');
  const password = credentials.find((c) => c.type === 'password');
  const attributes = (r.attributes && typeof r.attributes === 'object' ? r.attributes : {}) as Json;
  const phone = Array.isArray(attributes.phoneNumber) ? text(attributes.phoneNumber[0]) : text(attributes.phoneNumber);
  const otp = keycloakTotp(credentials);
  return finish(text(r.id), {
    username: text(r.username),
    email: text(r.email),
    emailVerified: flag(r.emailVerified),
    ...(phone ? { phoneNumber: phone } : {}),
    enabled: access.enabled,
    smsMfa: false,
    ...(otp.totp ? { totp: otp.totp } : {}),
    ...(social.length ? { identities: social } : {}),
    notes: [...(access.notes ?? []), ...(otp.notes ?? [])],
    ...(password?.secretData && password.credentialData
      ? { passwordHash: JSON.stringify({ secretData: password.secretData, credentialData: password.credentialData }), passwordFormat: 'keycloak' }
      : {}),
  });
}

/**
 * A Keycloak OTP credential as the adapter's TOTP columns: `secretData`'s
 * `value` and `credentialData`'s algorithm, digits and period. Keycloak's
 * TimeBasedOTP keys its HMAC with the secret text's own bytes, unless
 * `secretEncoding` is `BASE32` (then the text is base32): either way the
 * staged secret is the base32 of the key, as authenticator apps hold it. An
 * HOTP (counter) credential cannot be checked by time: noted, not kept.
 */
function keycloakTotp(credentials: Json[]): Pick<StagedUser, 'totp' | 'notes'> {
  const otp = credentials.find((c) => c.type === 'otp');
  if (!otp) return {};
  const parse = (v: unknown): Json => { try { return typeof v === 'string' ? JSON.parse(v) as Json : {}; } catch { return {}; } };
  const secret = parse(otp.secretData);
  const data = parse(otp.credentialData);
  const value = text(secret.value);
  if (!value || (data.subType !== undefined && data.subType !== 'totp')) return { notes: ['an OTP credential that is not a readable TOTP (a counter-based HOTP, or no secret): the user enrols again'] };
  const key = String(data.secretEncoding ?? '').toUpperCase() === 'BASE32' ? value.replace(/[\s=]/g, '').toUpperCase() : encodeBase32(Buffer.from(value, 'utf8'));
  const algorithm = text(data.algorithm)?.replace(/^Hmac/i, '').toUpperCase();
  return {
    totp: { secret: key, ...(algorithm ? { algorithm } : {}), ...(typeof data.digits === 'number' ? { digits: data.digits } : {}), ...(typeof data.period === 'number' ? { period: data.period } : {}) },
    notes: ['a TOTP credential, kept: the user migrates with a code from their authenticator, then enrols one in Cognito'],
  };
}

/**
 * The mapping of each source, and how its file is laid out.
 * @example SOURCES.firebase.read({ localId: 'u1', email: 'a@b.c', passwordHash: '…', salt: '…' }, { providerMap: DEFAULT_PROVIDER_MAP }) // { user: { id: 'u1', … } }
 */
export const SOURCES: Record<SourceName, { read: (record: Json, options: ReadOptions) => Staged; layout: 'ndjson' | 'users-array' }> = {
  auth0: { read: auth0, layout: 'ndjson' },
  firebase: { read: firebase, layout: 'users-array' },
  keycloak: { read: keycloak, layout: 'users-array' },
};
