export { createCognitoStore, TOTP_METADATA_KEY } from './store.js';
export type { CognitoStoreOptions } from './store.js';
export { cognitoStoreFromEnv } from './env.js';
