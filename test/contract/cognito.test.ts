import { createCognitoStore } from '../../adapters/cognito/index.js';
import { startSilentServer } from '../support/legacy-api.js';
import { localCognitoClient, startOldPool } from '../support/old-pool.js';
import { CONTRACT_USERS, runStoreContract } from './suite.js';

const can = { caseInsensitive: false, disabledUsers: true };
runStoreContract('cognito (pool to pool)', async () => {
  const old = await startOldPool();
  const silent = await startSilentServer();
  const make = (endpoint: string) => createCognitoStore({ userPoolId: old.userPoolId, clientId: old.clientId, client: localCognitoClient(endpoint) });
  return {
    store: make(old.cognito.endpoint),
    can,
    outage: () => make('http://127.0.0.1:1'),
    slow: () => make(`http://127.0.0.1:${silent.port}`),
    close: async () => {
      old.idp.destroy();
      await old.cognito.stop();
      await silent.close();
    },
  };
}, { ...can, outage: true, slow: true });
