// Every environment variable the deployed function reads, from the components'
// own declarations (src/settings.ts): the handler's, the SQL stores', the HTTP
// store's, the pool-to-pool store's, and the runtime's. doctor warns on a
// variable none of them declares (a typo reads as the default, silently), and
// test/unit/settings.test.ts holds the README's configuration table to them.
import { COGNITO_STORE_SETTINGS } from '../../adapters/cognito/settings.js';
import { HTTP_SETTINGS } from '../../adapters/http/settings.js';
import { DATABASE_SETTINGS, sqlSettings } from '../../adapters/sql/settings.js';
import { type CheckResult, pass, warn } from '../../src/checks.js';
import { suggest } from '../../src/config.js';
import { HANDLER_SETTINGS } from '../../src/handler-settings.js';
import { type Setting, settings } from '../../src/settings.js';

/** What the runtime and Powertools read. */
export const RUNTIME_SETTINGS = settings({
  service: { env: 'POWERTOOLS_SERVICE_NAME', kind: 'text', doc: 'Powertools\' service name' },
  logLevel: { env: 'POWERTOOLS_LOG_LEVEL', kind: 'text', doc: 'Powertools\' log level' },
  namespace: { env: 'POWERTOOLS_METRICS_NAMESPACE', kind: 'text', doc: 'Powertools\' metrics namespace' },
  metricsOff: { env: 'POWERTOOLS_METRICS_DISABLED', kind: 'text', doc: 'Powertools\' metrics switch' },
});

/** Every declared setting, by component. */
export const ALL_SETTINGS: ReadonlyArray<{ component: string; settings: readonly Setting[] }> = [
  { component: 'handler', settings: Object.values(HANDLER_SETTINGS) },
  { component: 'database', settings: Object.values(DATABASE_SETTINGS) },
  { component: 'postgres', settings: Object.values(sqlSettings('PG')) },
  { component: 'mysql', settings: Object.values(sqlSettings('MYSQL')) },
  { component: 'http', settings: Object.values(HTTP_SETTINGS) },
  { component: 'cognito', settings: Object.values(COGNITO_STORE_SETTINGS) },
  { component: 'runtime', settings: Object.values(RUNTIME_SETTINGS) },
];

/** Every declared variable's name. */
export const KNOWN_VARIABLES: ReadonlySet<string> = new Set(ALL_SETTINGS.flatMap((c) => c.settings.map((s) => s.env)));

// Set by Lambda, the AWS SDK or Node, not by this project: never "unknown".
const FOREIGN = /^(AWS_|LAMBDA_|NODE_|_X_AMZN|TZ$|LANG$|PATH$)/;

/**
 * A function's environment checked against the declarations: a variable
 * nobody reads is a warning that names the closest declared one.
 *
 * @example
 * ```ts
 * unknownVariables('MigrationFunction', ['PG_TABEL']) // warn: PG_TABEL is read by nothing; did you mean PG_TABLE?
 * ```
 */
export function unknownVariables(id: string, names: readonly string[]): CheckResult {
  const known = [...KNOWN_VARIABLES];
  const unknown = names.filter((n) => !KNOWN_VARIABLES.has(n) && !FOREIGN.test(n));
  if (unknown.length === 0) return pass(`${id}.environment`, `Every environment variable of ${id} is one the function reads`);
  return warn(`${id}.environment`, `${id} sets ${unknown.map((n) => `${n}${suggest(n, known)}`).join('; ')}, which nothing reads: the setting it meant keeps its default`, 'Fix the name (see the README\'s configuration table), or remove the variable.');
}
