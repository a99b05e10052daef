import { createHttpStore } from '../../adapters/http/index.js';
import { startLegacyApi } from '../support/legacy-api.js';
import { CONTRACT_IDENTITIES, CONTRACT_TOTP_SECRET, CONTRACT_USERS, runStoreContract } from './suite.js';

const users = CONTRACT_USERS.map((u) => ({ ...u, email_verified: true }));
const can = { caseInsensitive: true, disabledUsers: true, ledger: true, totp: true, identities: true };

runStoreContract('http', async () => {
  const api = await startLegacyApi(users);
  // A second API whose users hold the ledger and roles (the ledger test writes to it).
  const ledgerApi = await startLegacyApi(users.map((u, i) => ({ ...u, ...(i === 0 ? { roles: ['admins', 'staff'] } : {}) })));
  // A third whose first user has an authenticator, as the store's `totp` field documents it.
  const totpApi = await startLegacyApi(users.map((u, i) => ({ ...u, ...(i === 0 ? { totp: { secret: CONTRACT_TOTP_SECRET, digits: 6 }, identities: CONTRACT_IDENTITIES } : {}) })));
  const down = await startLegacyApi(users, { kind: 'error', status: 500 });
  const stalled = await startLegacyApi(users, { kind: 'stall' });
  const make = (url: string) => createHttpStore({ baseUrl: url, authorization: 'Bearer test-token', timeoutMs: 400, retries: 1 });
  return {
    store: make(api.url),
    ledger: () => createHttpStore({ baseUrl: ledgerApi.url, authorization: 'Bearer test-token', timeoutMs: 400, retries: 1, linkPath: '/users/{id}/cognito', linksPath: '/users/cognito-links' }),
    totp: () => make(totpApi.url),
    identities: () => createHttpStore({ baseUrl: totpApi.url, authorization: 'Bearer test-token', timeoutMs: 400, retries: 1, identityPath: '/users/by-identity/{provider}/{sub}' }),
    attributes: { email: 'email', email_verified: 'email_verified', given_name: 'given_name', family_name: 'family_name' },
    can,
    outage: () => make(down.url),
    slow: () => make(stalled.url),
    close: async () => {
      await Promise.all([api.close(), ledgerApi.close(), totpApi.close(), down.close(), stalled.close()]);
    },
  };
}, { ...can, outage: true, slow: true });
