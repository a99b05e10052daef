export { createMysqlStore } from './store.js';
export type { MysqlStore, MysqlStoreOptions, MysqlConnectionLike } from './store.js';
export { mysqlStoreFromEnv } from './env.js';
export { streamMysqlUsers, type MysqlExportOptions } from './export.js';
