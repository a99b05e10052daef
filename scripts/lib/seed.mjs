// The legacy schema and users shared by the demo, the tests and the benchmarks.
import bcrypt from 'bcryptjs';
import pg from 'pg';

/** Demo users: login, password, and what the legacy row holds. */
export const DEMO_USERS = [
  { username: 'alice', email: 'alice@example.com', password: 'correct horse battery staple', given_name: 'Alice', family_name: 'Liddell', phone_number: '+12065550100', enabled: true, sms_mfa: false },
  { username: 'bob', email: 'bob@example.com', password: 'hunter2-but-longer', given_name: 'Bob', family_name: 'Builder', phone_number: null, enabled: false, sms_mfa: false },
  { username: 'carol', email: 'carol@example.com', password: 'Tr0ub4dor&3', given_name: 'Carol', family_name: 'Danvers', phone_number: '+442071838750', enabled: true, sms_mfa: true },
];

/**
 * Creates `schema.users` afresh and fills it.
 * @param {string} url PostgreSQL connection string
 * @param {{ schema?: string, users?: typeof DEMO_USERS, cost?: number, uniqueUsername?: boolean }} [options] `uniqueUsername: false` seeds a table that can hold one login twice, as many legacy tables do
 * @returns {Promise<string>} the qualified table name
 * @example const table = await seedLegacyUsers(db.url, { schema: 'demo' })
 */
export async function seedLegacyUsers(url, { schema = 'legacy', users = DEMO_USERS, cost = 10, uniqueUsername = true } = {}) {
  const client = new pg.Client(url);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query(`CREATE TABLE "${schema}".users (
      id bigserial PRIMARY KEY,
      username text NOT NULL${uniqueUsername ? ' UNIQUE' : ''},
      email text,
      email_verified boolean NOT NULL DEFAULT true,
      password_hash text,
      given_name text,
      family_name text,
      phone_number text,
      phone_number_verified boolean NOT NULL DEFAULT true,
      enabled boolean NOT NULL DEFAULT true,
      sms_mfa boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    for (const u of users) {
      await client.query(
        `INSERT INTO "${schema}".users (username, email, password_hash, given_name, family_name, phone_number, enabled, sms_mfa)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [u.username, u.email, await bcrypt.hash(u.password, cost), u.given_name, u.family_name, u.phone_number, u.enabled, u.sms_mfa],
      );
    }
  } finally {
    await client.end();
  }
  return `${schema}.users`;
}

/** The attribute mapping the demo and tests deploy with (Cognito attribute → legacy column). */
export const DEMO_ATTRIBUTE_MAP = {
  email: 'email',
  email_verified: 'email_verified',
  given_name: 'given_name',
  family_name: 'family_name',
  phone_number: 'phone_number',
  phone_number_verified: 'phone_number_verified',
  'custom:legacy_id': 'id',
};
