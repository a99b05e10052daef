import bcrypt from 'bcryptjs';
import { createMemoryStore } from '../../adapters/memory/index.js';
import { createChainStore } from '../../src/index.js';
import { CONTRACT_USERS, DUPLICATE_LOGIN_USERS, runStoreContract } from './suite.js';

// The contract users live in the second store; the first knows nobody.
runStoreContract('chain (memory → memory)', async () => ({
  store: createChainStore([
    createMemoryStore([]),
    createMemoryStore(await Promise.all([...CONTRACT_USERS, ...DUPLICATE_LOGIN_USERS].map(async (u, i) => ({
      username: u.username, id: String(i + 1), passwordHash: await bcrypt.hash(u.password, 4), enabled: u.enabled,
      fields: { email: u.email, email_verified: true, given_name: u.given_name, family_name: u.family_name },
    })))),
  ]),
  can: { caseInsensitive: true, disabledUsers: true, duplicateLogins: true },
}), { caseInsensitive: true, disabledUsers: true, duplicateLogins: true, outage: false, slow: false });
