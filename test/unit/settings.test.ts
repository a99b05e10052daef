// One declaration per setting (issue 35): the README's configuration table
// names exactly the declared variables, with their declared defaults; the
// env readers and the option checks share the declared bounds; doctor warns
// on a variable nothing declares.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_SETTINGS, KNOWN_VARIABLES, unknownVariables } from '../../scripts/doctor/variables.js';
import { HTTP_SETTINGS } from '../../adapters/http/settings.js';
import { createHttpStore } from '../../adapters/http/index.js';
import { httpStoreFromEnv } from '../../adapters/http/env.js';
import { sqlSettings } from '../../adapters/sql/settings.js';
import { sqlStoreEnv } from '../../adapters/sql/env.js';
import { createPostgresStore } from '../../adapters/postgres/index.js';
import { handlerOptionsFromEnv } from '../../src/environment.js';
import { HANDLER_SETTINGS } from '../../src/handler-settings.js';
import { createMemoryStore } from '../../adapters/memory/index.js';
import { createUserMigrationHandler } from '../../src/index.js';

const readmeRows = async () => {
  const readme = await readFile(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration (environment variables'), readme.indexOf('### Lookups at millions of rows'));
  return section.split('\n').filter((l) => l.startsWith('| `')).map((l) => {
    const [names = '', shown = ''] = l.slice(2).split(' | ');
    return { names: [...names.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!), shown };
  });
};

describe('each setting declared once', () => {
  it('the README\'s configuration table names every declared variable and nothing else', async () => {
    const named = new Set((await readmeRows()).flatMap((r) => r.names));
    expect([...named].filter((n) => !KNOWN_VARIABLES.has(n)).sort()).toEqual([]);
    expect([...KNOWN_VARIABLES].filter((n) => !named.has(n)).sort()).toEqual([]);
  });

  it('a row of one variable shows its declared default', async () => {
    const declared = new Map(ALL_SETTINGS.flatMap((c) => c.settings).map((s) => [s.env, s]));
    const wrong = (await readmeRows()).filter((r) => r.names.length === 1).flatMap((r) => {
      const s = declared.get(r.names[0]!);
      if (!s || s.default === undefined || s.kind === 'json') return [];
      return r.shown.startsWith(`\`${String(s.default)}\``) ? [] : [`${s.env}: README "${r.shown}", declared ${String(s.default)}`];
    });
    expect(wrong).toEqual([]);
  });

  it('the environment and the option refuse the same values at the same bounds', () => {
    const store = createMemoryStore([]);
    for (const s of [HANDLER_SETTINGS.timeoutMs, HANDLER_SETTINGS.maxAttempts, HANDLER_SETTINGS.lockSeconds]) {
      expect(() => handlerOptionsFromEnv({ [s.env]: String(s.max + 1) })).toThrow(s.env);
      expect(handlerOptionsFromEnv({ [s.env]: String(s.max) })).toBeTruthy();
      const option = s.option!.includes('.') ? { lockout: { [s.option!.split('.')[1]!]: s.max + 1 } } : { [s.option!]: s.max + 1 };
      expect(() => createUserMigrationHandler({ store, verifyWorker: false, ...option })).toThrow(`from ${s.min} to ${s.max}`);
    }
    for (const prefix of ['PG', 'MYSQL'] as const) {
      const q = sqlSettings(prefix).queryTimeoutMs;
      expect(() => sqlStoreEnv({ [q.env]: String(q.min - 1) }, prefix)).toThrow(q.env);
      expect(sqlStoreEnv({ [q.env]: String(q.min) }, prefix).queryTimeoutMs).toBe(q.min);
    }
    expect(() => createPostgresStore({ connectionString: 'postgres://x', queryTimeoutMs: sqlSettings('PG').queryTimeoutMs.min - 1 })).toThrow('from 50 to 4800');
    for (const s of [HTTP_SETTINGS.timeoutMs, HTTP_SETTINGS.retries, HTTP_SETTINGS.maxResponseBytes]) {
      expect(() => httpStoreFromEnv({ HTTP_BASE_URL: 'https://legacy.example', [s.env]: String(s.max + 1) })).toThrow(s.env);
      expect(() => createHttpStore({ baseUrl: 'https://legacy.example', [s.option!]: s.max + 1 })).toThrow(`from ${s.min} to ${s.max}`);
    }
  });

  it('doctor warns on a variable nothing reads, naming the closest one', () => {
    expect(unknownVariables('Fn', ['PG_TABLE', 'AWS_REGION', 'NODE_OPTIONS']).status).toBe('pass');
    const typo = unknownVariables('Fn', ['PG_TABEL', 'MATCH_EMAILS']);
    expect(typo.status).toBe('warn');
    expect(typo.message).toContain('PG_TABEL. Did you mean "PG_TABLE"?');
    expect(typo.message).toContain('MATCH_EMAILS. Did you mean "MATCH_EMAIL"?');
  });
});
