// The legacy database's URL for the commands that read it (csv export, status, db index, stage).
import { readFile } from 'node:fs/promises';
import type { ExportSource } from '../../src/csv/export.js';
import { UsageError } from './command.js';

/**
 * The database URL from a file, the environment, or (discouraged: it shows in `ps` and shell history) the command line.
 * @example await databaseUrl(undefined, 'db-url.txt', 'status')
 */
export async function databaseUrl(flag: string | undefined, file: string | undefined, command = 'export'): Promise<string> {
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read --database-url-file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const url = text.trim();
    if (!/^(postgres(ql)?|mysql|mariadb):\/\//.test(url)) throw new UsageError(`--database-url-file ${file} must hold one postgres:// or mysql:// URL`);
    return url;
  }
  const url = flag ?? process.env.DATABASE_URL;
  if (!url) throw new UsageError(`${command} needs DATABASE_URL in the environment or --database-url-file FILE`);
  return url;
}


/**
 * True for a MySQL or MariaDB URL: its scheme picks the adapter.
 * @example isMysqlUrl('mysql://app@db/legacy') // true
 */
export const isMysqlUrl = (url: string): boolean => /^(mysql|mariadb):\/\//.test(url);

/**
 * Every legacy user of the database the URL names, streamed by its adapter (PostgreSQL or MySQL).
 * @example for await (const { login, user } of await streamLegacyUsers(url, { table: 'legacy.users' })) …
 */
export async function streamLegacyUsers(url: string, options: { table?: string; columns?: object; query?: string; onCount?(total: number): void }): Promise<ExportSource> {
  if (isMysqlUrl(url)) return (await import('../../adapters/mysql/export.js')).streamMysqlUsers({ ...options, connection: url });
  return (await import('../../adapters/postgres/export.js')).postgresExportSource({ ...options, connection: url });
}
