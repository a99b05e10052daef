export { createPostgresStore } from './store.js';
export type { PostgresStore, PostgresStoreOptions, PostgresColumns, PgClientLike } from './store.js';
export { postgresStoreFromEnv } from './env.js';
