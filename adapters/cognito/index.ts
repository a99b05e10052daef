export { createCognitoStore } from './store.js';
export type { CognitoStoreOptions } from './store.js';
export { cognitoStoreFromEnv } from './env.js';
