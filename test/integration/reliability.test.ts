// Reliability and security against real PostgreSQL: a canary secret through
// every path, a database stopped mid-run, odd passwords, timing, load, retries.
import bcrypt from 'bcryptjs';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../adapters/postgres/index.js';
import { csv } from '../../scripts/csv/index.js';
import { doctor } from '../../scripts/doctor/index.js';
import { startLambdaServer } from '../../scripts/lib/lambda-server.mjs';
import { startPostgres } from '../../scripts/lib/postgres.mjs';
import { seedLegacyUsers } from '../../scripts/lib/seed.mjs';
import { PUBLIC_MESSAGES, createUserMigrationHandler } from '../../src/index.js';
import { databaseUrl, sql } from '../support/database.js';
import { expectOutageAndRecovery } from '../support/outage.js';
import { captureLogger, countMetrics, lambdaContext, migrationEvent } from '../support/fakes.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const CANARY = `canary-${randomBytes(12).toString('hex')}`;
const user = (username: string, password: string) => ({ username, email: `${username}@example.com`, password, given_name: 'Can', family_name: 'Ary', phone_number: null, enabled: true, sms_mfa: false });
let table: string;
let canaryHash: string;
let dir: string;

beforeAll(async () => {
  table = await seedLegacyUsers(databaseUrl(), {
    schema: `rel_${randomBytes(4).toString('hex')}`, cost: 4,
    users: [user('canary', CANARY), user('empty', ''), user('long', 'p'.repeat(10_240)), user('nfc', 'Café crème'.normalize('NFC'))],
  });
  canaryHash = (await sql<{ h: string }>(`SELECT password_hash AS h FROM ${table} WHERE username = 'canary'`))[0]!.h;
  dir = await mkdtemp(join(tmpdir(), 'reliability-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expectNoSecret(text: string, where: string) {
  expect(text.length, `${where} captured nothing`).toBeGreaterThan(0);
  for (const secret of [CANARY, canaryHash, canaryHash.slice(29)]) expect(text.includes(secret), `${where} leaks ${secret === CANARY ? 'the password' : 'the hash'}`).toBe(false);
}

describe('canary: the password and its hash never appear in logs, errors or output', () => {
  it('through the handler: success, wrong password, unknown user, outage, self-check', async () => {
    const log = captureLogger();
    const errors: string[] = [];
    const base = { logger: log.logger, metrics: countMetrics().metrics, attributes: { email: 'email', email_verified: 'email_verified' } };
    const store = createPostgresStore({ connectionString: databaseUrl(), table });
    const handler = createUserMigrationHandler({ store, ...base });
    const down = createUserMigrationHandler({ store: createPostgresStore({ connectionString: 'postgres://u:p@127.0.0.1:1/db', table }), ...base });
    const outcomes: unknown[] = [];
    const attempt = async (p: Promise<unknown>) => outcomes.push(await p.catch((e: Error) => (errors.push(`${e.name}: ${e.message}\n${e.stack}`), e)));
    await attempt(handler(migrationEvent('canary', CANARY), lambdaContext()));
    await attempt(handler(migrationEvent('canary', `${CANARY}x`), lambdaContext()));
    await attempt(handler(migrationEvent('nobody', CANARY), lambdaContext()));
    await attempt(down(migrationEvent('canary', CANARY), lambdaContext()));
    await attempt(handler({ 'cognito-migrate': 'self-check' } as never));
    await store.close();
    expect(errors).toHaveLength(3);
    expectNoSecret(log.text() + errors.join('\n') + JSON.stringify(outcomes.slice(1)), 'handler logs and errors');
  });

  it('through the built bundle behind the local Invoke API, logging at DEBUG', async () => {
    const lines: string[] = [];
    const lambda = await startLambdaServer({
      onLog: (l) => lines.push(l),
      functions: {
        ok: { file: join(root, 'dist', 'postgres', 'index.mjs'), env: { DATABASE_URL: databaseUrl(), PG_TABLE: table, POWERTOOLS_LOG_LEVEL: 'DEBUG' } },
        down: { file: join(root, 'dist', 'postgres', 'index.mjs'), env: { DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db', POWERTOOLS_LOG_LEVEL: 'DEBUG' } },
      },
    });
    try {
      const bodies: string[] = [];
      for (const [fn, event] of [['ok', migrationEvent('canary', CANARY)], ['ok', migrationEvent('canary', 'wrong')], ['ok', migrationEvent('x', CANARY)], ['down', migrationEvent('canary', CANARY)], ['ok', { 'cognito-migrate': 'self-check' }]] as const) {
        const res = await fetch(`${lambda.url}/2015-03-31/functions/${fn}/invocations`, { method: 'POST', body: JSON.stringify(event) });
        const body = await res.text();
        // The successful answer is the event itself, which Cognito sent with the password; only errors and reports are checked.
        if (res.headers.get('x-amz-function-error') || fn === 'down' || 'cognito-migrate' in event) bodies.push(body);
      }
      await new Promise((r) => setTimeout(r, 100));
      expectNoSecret(lines.join('\n') + bodies.join('\n'), 'function logs at DEBUG');
    } finally {
      await lambda.close();
    }
  });

  it('through invoke, doctor and csv export', async () => {
    const eventFile = join(dir, 'event.json');
    await writeFile(eventFile, JSON.stringify(migrationEvent('canary', CANARY)));
    const env = { PATH: process.env.PATH, DATABASE_URL: databaseUrl(), PG_TABLE: table, POWERTOOLS_LOG_LEVEL: 'DEBUG' };
    const invoked = await run(process.execPath, [join(root, 'dist', 'cli.mjs'), 'invoke', '--event', eventFile], { env });
    // invoke prints the response: the event Cognito sent, password included, as sam local invoke does; the logs must not.
    expectNoSecret(invoked.stderr, 'invoke logs');
    const wrong = join(dir, 'wrong.json');
    await writeFile(wrong, JSON.stringify(migrationEvent('canary', `${CANARY}!`)));
    const refused = await run(process.execPath, [join(root, 'dist', 'cli.mjs'), 'invoke', '--event', wrong], { env }).catch((e: { stdout: string; stderr: string }) => e);
    expectNoSecret(refused.stdout + refused.stderr, 'invoke of a refused sign-in');

    let doctorOut = '';
    await doctor(['--template', join(root, 'template.yaml'), '--json'], (t) => { doctorOut += t; });
    expectNoSecret(doctorOut, 'doctor');

    const header = join(dir, 'header.json');
    await writeFile(header, JSON.stringify({ CSVHeader: ['email', 'email_verified', 'cognito:mfa_enabled', 'cognito:username', 'password_hash'] }));
    let printed = '';
    await csv(['export', '--out', join(dir, 'export'), '--header', header, '--database-url', databaseUrl(), '--table', table, '--attribute-map', '{"email":"email","email_verified":"email_verified"}'], (t) => { printed += t; });
    const report = await readFile(join(dir, 'export', 'left-out.csv'), 'utf8');
    const manifest = await readFile(join(dir, 'export', 'manifest.json'), 'utf8');
    expectNoSecret(printed + report + manifest, 'csv export output, report and manifest');
    // The import file itself carries the hash: that is what it is for.
    const files = (await readdir(join(dir, 'export'))).filter((f) => f.startsWith('users-bcrypt'));
    expect(await readFile(join(dir, 'export', files[0]!), 'utf8')).toContain(canaryHash);
  });
});

describe('outages', () => {
  it('PostgreSQL stopped mid-run: answers within the deadline with the retriable error, then recovers', async () => {
    const own = await startPostgres({ own: true });
    try {
      const ownTable = await seedLegacyUsers(own.url, { schema: 'outage', cost: 4, users: [user('ada', 'pw-ada')] });
      const counts = countMetrics();
      const handler = createUserMigrationHandler({ store: createPostgresStore({ connectionString: own.url, table: ownTable }), logger: captureLogger().logger, metrics: counts.metrics, timeoutMs: 1500 });
      await expectOutageAndRecovery(handler, own, counts.counts);
    } finally {
      await own.stop();
    }
  });
});

describe('passwords and logins', () => {
  const handler = () => createUserMigrationHandler({ store: createPostgresStore({ connectionString: databaseUrl(), table }), logger: captureLogger().logger, metrics: countMetrics().metrics, matchEmail: true, caseInsensitive: true });

  it('empty, 10 KB and NFD passwords are verified, never crash', async () => {
    const h = handler();
    expect((await h(migrationEvent('empty', ''), lambdaContext())).response.finalUserStatus).toBe('CONFIRMED');
    expect((await h(migrationEvent('long', 'p'.repeat(10_240)), lambdaContext())).response.finalUserStatus).toBe('CONFIRMED');
    // bcrypt reads 72 bytes: the legacy system accepted this too.
    expect((await h(migrationEvent('long', `${'p'.repeat(100)}x`), lambdaContext())).response.finalUserStatus).toBe('CONFIRMED');
    await expect(h(migrationEvent('nfc', 'Café crème'.normalize('NFD')), lambdaContext())).rejects.toThrow(PUBLIC_MESSAGES.rejected);
    const nfc = createUserMigrationHandler({ store: createPostgresStore({ connectionString: databaseUrl(), table }), logger: captureLogger().logger, metrics: countMetrics().metrics, normalize: 'NFC' });
    expect((await nfc(migrationEvent('nfc', 'Café crème'.normalize('NFD')), lambdaContext())).response.finalUserStatus).toBe('CONFIRMED');
    await h.close();
    await nfc.close();
  });

  it.each([["' OR 1=1 --"], ['%'], ['_'], ['a\\b'], ['ålîçé 🙂'], ['nul\u0000byte'], ['x'.repeat(2048)]])('login %j is only ever a parameter: refused as unknown', async (login) => {
    const h = handler();
    await expect(h(migrationEvent(login, 'pw'), lambdaContext())).rejects.toThrow(PUBLIC_MESSAGES.rejected);
    await h.close();
  });
});

describe('timing', () => {
  it('unknown user and wrong password differ by less than 10% of the verify time (medians of 25 interleaved runs)', async () => {
    const timed = await seedLegacyUsers(databaseUrl(), { schema: `timing_${randomBytes(3).toString('hex')}`, cost: 10, users: [user('ada', 'pw-ada')] });
    const h = createUserMigrationHandler({ store: createPostgresStore({ connectionString: databaseUrl(), table: timed }), logger: captureLogger().logger, metrics: countMetrics().metrics });
    const time = async (login: string) => {
      const t = performance.now();
      await h(migrationEvent(login, 'not-it'), lambdaContext()).catch(() => {});
      return performance.now() - t;
    };
    for (let i = 0; i < 3; i++) await time('ada');
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 25; i++) {
      unknown.push(await time(`nobody${i}`));
      wrong.push(await time('ada'));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    expect(Math.abs(median(unknown) - median(wrong))).toBeLessThan(0.1 * median(wrong));
    await h.close();
  });
});

describe('load and retries', () => {
  it('400 invocations: no error, one connection per instance, memory that stops growing', async () => {
    const appName = `rel-load-${randomBytes(3).toString('hex')}`;
    const store = createPostgresStore({ connection: { connectionString: databaseUrl(), application_name: appName }, table });
    const h = createUserMigrationHandler({ store, logger: captureLogger().logger, metrics: countMetrics().metrics });
    const heap: number[] = [];
    let errors = 0;
    for (let i = 0; i < 400; i++) {
      const event = i % 2 ? migrationEvent('canary', CANARY) : migrationEvent(`nobody${i}`, 'x');
      await h(event, lambdaContext()).catch((e: Error) => { if (e.message !== PUBLIC_MESSAGES.rejected) errors++; });
      if (i % 100 === 99) heap.push(process.memoryUsage().heapUsed);
    }
    expect(errors).toBe(0);
    const during = await sql<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [appName]);
    expect(Number(during[0]!.n)).toBe(1);
    // From the second hundred on, the heap may wobble with the collector but not climb by tens of MB.
    expect(heap.at(-1)! - heap[1]!).toBeLessThan(20 * 2 ** 20);
    await store.close();
    const after = await sql<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [appName]);
    expect(Number(after[0]!.n)).toBe(0);
  });

  it('Cognito\'s up-to-three invocations for one sign-in are safe and answer the same', async () => {
    const h = createUserMigrationHandler({ store: createPostgresStore({ connectionString: databaseUrl(), table }), logger: captureLogger().logger, metrics: countMetrics().metrics });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push((await h(migrationEvent('canary', CANARY), lambdaContext())).response);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    const refusals = await Promise.all([1, 2, 3].map(() => h(migrationEvent('canary', 'wrong'), lambdaContext()).catch((e: Error) => e.message)));
    expect(new Set(refusals)).toEqual(new Set([PUBLIC_MESSAGES.rejected]));
    await h.close();
  });
});
