// `cognito-migrate stage auth0|firebase|keycloak FILE --table T`: a source's
// export into the PostgreSQL table the adapter reads, so the trigger migrates
// those users with their old passwords and `csv export` can bulk-import the
// ones Cognito can verify.
import { createReadStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { SeenSet } from '../../src/csv/seen-set.js';
import { UnsupportedHashError } from '../../src/errors.js';
import { createFirebaseScryptVerifier, parseFirebaseHashConfig } from '../../src/passwords/firebase.js';
import { createPasswordVerifier } from '../../src/passwords/registry.js';
import type { PasswordVerifier } from '../../src/passwords/verifier.js';
import type { StagedUser } from '../../adapters/postgres/stage.js';
import { type Command, EXIT, type Io, UsageError, parse, jsonOption } from '../cli/command.js';
import { databaseUrl } from '../cli/database-url.js';
import { arrayItems } from './json-items.js';
import { DEFAULT_PROVIDER_MAP, type ReadOptions, MalformedRecord, SOURCES, type SourceName } from './sources.js';

const USAGE = `Usage: cognito-migrate stage auth0|firebase|keycloak FILE --table T [--hash-config FILE] [--provider-map JSON] [--database-url-file FILE] [--json]

Streams a source's user export into a PostgreSQL table with the adapter's
default columns (id, username, email, email_verified, phone_number,
phone_number_verified, enabled, sms_mfa, password_hash, password_format),
created when missing, in one transaction. The trigger then migrates those
users with their old passwords (PG_TABLE=T), and csv export can bulk-import
the ones Cognito can verify. Staging the same export again replaces its rows.

  auth0     NDJSON: the password-hash export from Auth0 support, or a bulk
            user export job (user_id, email, email_verified, passwordHash, …)
  firebase  firebase auth:export FILE --format=json, with --hash-config FILE:
            the project's password hash parameters (the console's hash_config
            text, or JSON); the function needs them too (FIREBASE_HASH_CONFIG)
  keycloak  a realm export (kc.sh export --realm R --file FILE), users with
            their password credentials

Social and enterprise identities (Auth0 identities of non-database
connections, Firebase providerUserInfo, Keycloak federatedIdentities) are
kept in the identities column as [{"provider", "sub"}], the provider named
as the pool's identity provider: Google, Facebook, SignInWithApple and
LoginWithAmazon by default; --provider-map JSON (or PROVIDER_MAP) names the
others, e.g. an Auth0 SAML connection or a Keycloak alias. Users with only
such identities are staged too, without a hash.

Every record is counted: staged with its hash, staged without one (none in
the export, or a hash no verifier reads, with the reason), or not staged
(no id, no username or email, not JSON, a repeated id, a login that another
record holds too: both are left out), by reason. Values
never appear in the output. The database URL comes from DATABASE_URL or
--database-url-file.`;

/** What staging did. */
export interface StageSummary {
  source: SourceName;
  table: string;
  read: number;
  staged: number;
  withHash: number;
  withoutHash: number;
  /** Users staged with an authenticator (TOTP) secret: they migrate with a code. */
  withTotp?: number;
  /** Users staged with social or enterprise identities (column identities), for linking them to the user. */
  withIdentities?: number;
  /** The identities kept, by the pool's provider name. */
  identities?: Record<string, number>;
  skipped: number;
  reasons: Record<string, number>;
  /** The positions (1-based, in the file's order) of the first records each reason not to stage was counted for. */
  positions: Record<string, number[]>;
}

async function* records(file: string, layout: 'ndjson' | 'users-array'): AsyncGenerator<{ n: number; text: string }> {
  let n = 0;
  if (layout === 'ndjson') {
    for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
      if (line.trim()) yield { n: ++n, text: line };
    }
    return;
  }
  for await (const text of arrayItems(createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }), 'users')) yield { n: ++n, text };
}

/** What `stage` was asked, checked: a bad option is a UsageError naming it and the fix. */
interface StageRequest {
  name: SourceName;
  file: string;
  table: string;
  url: string;
  verifiers: PasswordVerifier[];
  readOptions: ReadOptions;
  json: boolean;
}

async function stageRequest(argv: string[]): Promise<StageRequest> {
  const { values, positionals } = parse(argv, {
    table: { type: 'string' }, 'hash-config': { type: 'string' }, 'database-url-file': { type: 'string' }, 'provider-map': { type: 'string' }, json: { type: 'boolean', default: false },
  }, true);
  const [source, file, ...extra] = positionals;
  if (!source || !Object.hasOwn(SOURCES, source)) throw new UsageError(`stage needs the source first: auth0, firebase or keycloak${source ? `, not "${source}"` : ''}`);
  if (!file || extra.length) throw new UsageError('stage needs one export FILE after the source');
  if (!values.table) throw new UsageError('stage needs --table T (plain or schema-qualified), the table the trigger will read');
  await access(file).catch((err: NodeJS.ErrnoException) => { throw new UsageError(`cannot read ${file} (${err.code ?? 'error'})`); });
  const name = source as SourceName;
  const verifiers: PasswordVerifier[] = [];
  if (name === 'firebase') {
    if (!values['hash-config']) throw new UsageError('stage firebase needs --hash-config FILE: the project\'s password hash parameters (Firebase console → Authentication → Users → ⋮ → Password hash parameters)');
    const text = await readFile(values['hash-config'], 'utf8').catch((err: NodeJS.ErrnoException) => { throw new UsageError(`cannot read --hash-config ${values['hash-config']} (${err.code ?? 'error'})`); });
    try {
      verifiers.push(createFirebaseScryptVerifier(parseFirebaseHashConfig(text, '--hash-config')));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const url = await databaseUrl(undefined, values['database-url-file'], 'stage');
  if (!/^postgres(ql)?:\/\//.test(url)) throw new UsageError('stage writes to PostgreSQL: DATABASE_URL (or --database-url-file) must be a postgres:// URL');
  const given = jsonOption('provider-map', values['provider-map'] ?? process.env.PROVIDER_MAP);
  if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given) || Object.values(given).some((v) => typeof v !== 'string' || !v))) {
    throw new UsageError('--provider-map (or PROVIDER_MAP) must be a JSON object of source provider name → the pool\'s identity provider name, e.g. {"acme-saml":"AcmeSAML"}');
  }
  const readOptions: ReadOptions = { providerMap: { ...DEFAULT_PROVIDER_MAP, ...(given as Record<string, string> | undefined) } };
  return { name, file, table: values.table, url, verifiers, readOptions, json: values.json === true };
}

/** The export's users as they will be staged, each counted in the summary (and left out with its reason) on the way. */
async function* stagedUsers(request: StageRequest, summary: StageSummary, progress: (t: string) => void): AsyncGenerator<StagedUser> {
  const { read: readRecord, layout } = SOURCES[request.name];
  // Only parses hashes (cost estimates): nothing is verified here.
  const passwords = createPasswordVerifier({ worker: false, verifiers: request.verifiers });
  const count = (reason: string, at?: number) => {
    summary.reasons[reason] = (summary.reasons[reason] ?? 0) + 1;
    if (at !== undefined && reason.startsWith('not staged') && (summary.positions[reason] ??= []).length < 10) summary.positions[reason]!.push(at);
  };
  const ids = new SeenSet();
  for await (const { n, text } of records(request.file, layout)) {
    summary.read++;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      summary.skipped++;
      count('not staged: a record is not valid JSON', n);
      continue;
    }
    let verdict: ReturnType<typeof readRecord>;
    try {
      verdict = record && typeof record === 'object' && !Array.isArray(record) ? readRecord(record as Record<string, unknown>, request.readOptions) : { skip: 'not an object' };
    } catch (err) {
      if (!(err instanceof MalformedRecord)) throw err;
      verdict = { skip: `a malformed record: ${err.message}` };
    }
    if ('skip' in verdict) { summary.skipped++; count(`not staged: ${verdict.skip}`, n); continue; }
    const { notes, ...user } = verdict.user as StagedUser & { notes?: string[] };
    if (!ids.add(user.id)) { summary.skipped++; count('not staged: an earlier record has the same id', n); continue; }
    for (const note of notes ?? []) count(`staged, but ${note}`);
    if (user.passwordHash) {
      try {
        await passwords.cost(user.passwordHash, user.passwordFormat);
      } catch (err) {
        if (!(err instanceof UnsupportedHashError)) throw err;
        delete user.passwordHash;
        delete user.passwordFormat;
        // Lengths would split one reason into many; the format's name is what the operator needs.
        const what = err.format.startsWith('an unrecognised') ? 'an unrecognised format' : err.format.replace(/ \(\d+ characters\)$/, '');
        count(`staged without its hash: ${what}: ${err.reason}`);
      }
    }
    if (user.totp) summary.withTotp = (summary.withTotp ?? 0) + 1;
    if (user.identities?.length) {
      summary.withIdentities = (summary.withIdentities ?? 0) + 1;
      summary.identities ??= {};
      for (const identity of user.identities) summary.identities[identity.provider] = (summary.identities[identity.provider] ?? 0) + 1;
    }
    if (user.passwordHash) summary.withHash++;
    else {
      summary.withoutHash++;
      if (!(verdict.user as StagedUser).passwordHash) count('staged without a hash: the export has none (a federated or passwordless user; they can reset)');
    }
    if (summary.read % 1000 === 0) progress(`\r  ${summary.read.toLocaleString('en')} read`);
    yield user;
  }
}

/** The summary for a person: counts, each reason with its first records, and what to set next. */
function printSummary(summary: StageSummary, file: string, totpColumns: unknown, print: (t: string) => void): void {
  print(`${summary.read} records read from ${file}: ${summary.staged} staged into ${summary.table} (${summary.withHash} with their password hash, ${summary.withoutHash} without), ${summary.skipped} not staged\n`);
  if (summary.identities) print(`  identities kept for linking: ${Object.entries(summary.identities).map(([p, n]) => `${n} ${p}`).join(', ')}\n`);
  for (const [reason, n] of Object.entries(summary.reasons).sort((a, b) => b[1] - a[1])) print(`  ${String(n).padStart(7)}  ${reason}${summary.positions[reason] ? ` (record${summary.positions[reason]!.length > 1 ? 's' : ''} ${summary.positions[reason]!.join(', ')}${n > summary.positions[reason]!.length ? ', …' : ''})` : ''}\n`);
  const totp = summary.withTotp ? ` PG_COLUMNS='${JSON.stringify(totpColumns)}' (${summary.withTotp} with an authenticator: they migrate with its code)` : '';
  print(`\nNext: point the trigger at the table: PG_TABLE=${summary.table} MATCH_EMAIL=true${totp}${summary.source === 'firebase' ? ', and FIREBASE_HASH_CONFIG set to the contents of the --hash-config file' : ''}.\n`);
}

/**
 * `stage`: reads, checks and stages; prints the counts and what to set next.
 * @example process.exitCode = await stage(['firebase', 'users.json', '--table', 'staging.firebase', '--hash-config', 'hash.txt'])
 */
export async function stage(argv: string[], print: (t: string) => void = (t) => process.stdout.write(t), progress: (t: string) => void = () => {}): Promise<number> {
  const request = await stageRequest(argv);
  const summary: StageSummary = { source: request.name, table: request.table, read: 0, staged: 0, withHash: 0, withoutHash: 0, skipped: 0, reasons: {}, positions: {} };
  const { stagePostgresUsers, STAGED_TOTP_COLUMNS } = await import('../../adapters/postgres/stage.js');
  try {
    const written = await stagePostgresUsers(stagedUsers(request, summary, progress), { connection: request.url, table: request.table, source: request.name });
    summary.staged = written.staged;
    if (written.repeated) {
      summary.skipped += written.repeated;
      summary.reasons['not staged: another record has the same login (username or email, ignoring case), so neither is staged'] = written.repeated;
    }
  } catch (err) {
    if (err instanceof Error && /file has no top-level|array is not closed/.test(err.message)) throw new UsageError(`${request.file}: ${err.message}; nothing was staged`);
    throw err;
  }
  progress('\n');
  if (request.json) print(`${JSON.stringify(summary, null, 2)}\n`);
  else printSummary(summary, request.file, STAGED_TOTP_COLUMNS, print);
  return EXIT.ok;
}

export const command: Command = {
  name: 'stage',
  summary: 'Load an Auth0, Firebase or Keycloak export into the table the adapter reads',
  usage: USAGE,
  run: (argv: string[], io: Io) => stage(argv, io.out, process.stderr.isTTY ? io.err : () => {}),
};
