import bcrypt from 'bcryptjs';
import { createMemoryStore } from '../../adapters/memory/index.js';
import { CONTRACT_IDENTITIES, CONTRACT_TOTP_SECRET, CONTRACT_USERS, DUPLICATE_LOGIN_USERS, runStoreContract } from './suite.js';

const users = async () => Promise.all([...CONTRACT_USERS, ...DUPLICATE_LOGIN_USERS].map(async (u, i) => ({
  username: u.username,
  id: String(i + 1),
  passwordHash: await bcrypt.hash(u.password, 4),
  enabled: u.enabled,
  fields: { email: u.email, email_verified: true, given_name: u.given_name, family_name: u.family_name },
  ...(i === 0 ? { roles: ['admins', 'staff'] } : {}),
})));

const can = { caseInsensitive: true, disabledUsers: true, duplicateLogins: true, ledger: true, totp: true, identities: true };
runStoreContract('memory', async () => ({
  store: createMemoryStore(await users()),
  identities: async () => createMemoryStore((await users()).map((u, i) => (i === 0 ? { ...u, identities: CONTRACT_IDENTITIES } : u))),
  totp: async () => createMemoryStore((await users()).map((u, i) => (i === 0 ? { ...u, totp: { secret: CONTRACT_TOTP_SECRET } } : u))),
  ledger: async () => createMemoryStore(await users()),
  can,
}), { ...can, outage: false, slow: false });
