export { createHttpStore } from './store.js';
export type { HttpStore, HttpStoreOptions } from './store.js';
export { httpStoreFromEnv } from './env.js';
