import { type WriteStream, createWriteStream, fchmodSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AttributeMapping, attributeReader } from '../attributes.js';
import { ConfigurationError } from '../errors.js';
import { DEFAULT_PROOF_ATTRIBUTE, linkProof } from '../link-proof.js';
import { HASH_COLUMN, IMPORT_ALGORITHMS, type ImportHashAlgorithm, importability } from './hash-import.js';
import { DEFAULT_CONVERSIONS, type HashConversion } from './hash-convert.js';
import type { LegacyUser, LegacyValue } from '../types.js';
import { CSV_LIMITS, type CsvRules, csvValue, recordChecker } from './rules.js';
import { SeenSet } from './seen-set.js';

export { HASH_COLUMN, IMPORT_ALGORITHMS, IMPORT_BOUNDS, type ImportHashAlgorithm, type Importable, importAlgorithmOf, importability } from './hash-import.js';
export { DEFAULT_CONVERSIONS, type HashConversion, verifyImportHash } from './hash-convert.js';

/** One user to export: the login that becomes cognito:username, and the legacy user. */
export interface ExportItem {
  login: string;
  user: LegacyUser;
}

/**
 * What {@link exportCsv} reads: users one by one, or in batches (a source that
 * reads blocks of rows saves an await per user).
 *
 * @example
 * ```ts
 * const source: ExportSource = streamPostgresUserBatches({ connection, table: 'legacy.users' })
 * ```
 */
export type ExportSource = AsyncIterable<ExportItem | readonly ExportItem[]>;

/**
 * The users of an {@link ExportSource} one by one, batches opened.
 *
 * @example
 * ```ts
 * for await (const { login, user } of itemsOf(source)) …
 * ```
 */
export async function* itemsOf(source: ExportSource): AsyncGenerator<ExportItem> {
  for await (const entry of source) {
    if (isBatch(entry)) yield* entry;
    else yield entry;
  }
}

const isBatch = (entry: ExportItem | readonly ExportItem[]): entry is readonly ExportItem[] => Array.isArray(entry);

/**
 * One user as the export's texts, in the header's order: what {@link exportCsv}
 * makes of each {@link ExportItem}, and what a {@link RowSource} hands it
 * directly.
 *
 * @example
 * ```ts
 * const row: PreparedRow = { login: 'ada', enabled: true, hash: '$2b$10$…', texts: ['ada', 'ada@example.com', ''] }
 * ```
 */
export interface PreparedRow {
  /** cognito:username as stored: the report and the duplicate check use it as it is. */
  login: string;
  /** False when the legacy store has the account disabled. */
  enabled: boolean;
  /** The stored hash, '' when there is none. */
  hash: string;
  /** The header's texts, unescaped (values after them are the source's own and ignored); the hash column's is not read (the export sets it). Absent for a disabled user the export leaves out. */
  texts?: string[];
  /**
   * The finished line, when the source vouches that it is the texts escaped with
   * `csvValue` and joined, with `hash` in the hash column: the export writes it
   * as it is instead of escaping and joining again.
   */
  line?: string;
  /** A reason to leave the user out (`options.skip`'s). */
  skip?: string;
}

/**
 * How the export writes each user, for a {@link RowSource}: enough to write the
 * texts of {@link PreparedRow} without a user object.
 *
 * @example
 * ```ts
 * { header, attributes: { email: 'mail' }, hashColumn: 'password_hash', mfaText: undefined, includeDisabled: false, prepare }
 * ```
 */
export interface RowPlan {
  header: readonly string[];
  /** Cognito attribute → legacy field (`id` reads the legacy id when no field has that name); undefined: header columns named as attributes read the field of that name. */
  attributes: Readonly<Record<string, string>> | undefined;
  hashColumn: string | undefined;
  /** cognito:mfa_enabled when the pool fixes it; otherwise `true` for a user whose sms_mfa flag is true, else `false`. */
  mfaText: string | undefined;
  includeDisabled: boolean;
  /** The export's own conversion, for a source that cannot convert its rows itself. */
  prepare(item: ExportItem): PreparedRow;
}

/**
 * A source that can write the export's texts itself (PostgreSQL does it in
 * the COPY's SELECT): {@link exportCsv} reads its rows instead of its users
 * unless a `skip` or a mapping function needs the user objects.
 *
 * @example
 * ```ts
 * const source: ExportSource & RowSource = postgresExportSource({ connection, table: 'legacy.users' })
 * ```
 */
export interface RowSource {
  rows(plan: RowPlan): AsyncIterable<readonly PreparedRow[]>;
}

const isRowSource = (source: object): source is RowSource => typeof (source as Partial<RowSource>).rows === 'function';

/**
 * Options of {@link exportCsv}.
 *
 * @example
 * ```ts
 * { header: csvHeader.CSVHeader, outDir: 'out', attributes: { email: 'email', email_verified: 'email_verified' } }
 * ```
 */
export interface ExportOptions {
  /** The pool's columns from GetCSVHeader. */
  header: readonly string[];
  outDir: string;
  /** Pool facts the rules need (auto-verified attributes, MFA, required attributes). */
  rules?: Omit<CsvRules, 'header'>;
  /** Legacy fields → Cognito attributes (as for the trigger). */
  attributes?: AttributeMapping;
  /** The header column that carries password hashes (default `password_hash` when the header has it); it must be in the header. */
  hashColumn?: string;
  /** Which algorithms go in with their hash (default all four). */
  hashAlgorithms?: readonly ImportHashAlgorithm[];
  /**
   * A user whose hash cannot be imported (format, bound, or an algorithm not
   * chosen): `trigger` (default) leaves them out, listed in the report as left
   * for the sign-in trigger, which migrates them with their password later;
   * `reset` exports them without a hash (RESET_REQUIRED).
   */
  unimportable?: 'trigger' | 'reset';
  /**
   * Re-encodings into the published layouts (default `['pbkdf2']`): `pbkdf2`
   * for Django and Werkzeug PBKDF2-SHA256, `scrypt` for passlib and Werkzeug
   * scrypt. A hash whose conversion is off is left for the trigger.
   */
  conversions?: readonly HashConversion[];
  /**
   * The link proof the completion asks for (src/link-proof.ts): each user's
   * `column` gets the MAC of `userPoolId` and the text of `idColumn`, as the
   * trigger sets it. Needed whenever the header has the proof column, or the
   * imported users could never complete.
   */
  proof?: { key: string; userPoolId: string; column?: string; idColumn?: string };
  /** Export legacy accounts marked disabled too (default: left out, as the trigger would). */
  includeDisabled?: boolean;
  /** A reason to leave a user out (already migrated), or undefined to export. */
  skip?: (item: ExportItem) => string | undefined;
  maxUsers?: number;
  maxBytes?: number;
  /** Called every 1,000 users with the count so far. */
  onProgress?: (seen: number) => void;
}

/** What an export wrote. */
export interface ExportSummary {
  files: Array<{ file: string; users: number; bytes: number; passwordHashingAlgorithm?: ImportHashAlgorithm }>;
  exported: number;
  /** Of `exported`, users written with their hash (they keep their password). */
  withHash: number;
  /** Of `withHash`, users whose hash was re-encoded to a published layout. */
  converted: number;
  /** Of `exported`, users written without a hash (RESET_REQUIRED): none stored, or `unimportable: 'reset'`. */
  withoutHash: number;
  /** Every user not exported, with `forTrigger` among them. */
  leftOut: number;
  /** Of `leftOut`, users whose hash Cognito cannot import, left for the sign-in trigger. */
  forTrigger: number;
  seen: number;
  reportPath: string;
  manifestPath: string;
}

class FileSet {
  private stream: WriteStream | undefined;
  // Lines are handed to the stream in blocks: one write per line costs more than the formatting.
  private buffered: string[] = [];
  private bufferedBytes = 0;
  private users = 0;
  private bytes = 0;
  private index = 0;
  constructor(
    private readonly dir: string,
    private readonly name: string,
    private readonly headerLine: string,
    private readonly maxUsers: number,
    private readonly maxBytes: number,
    private readonly algorithm: ImportHashAlgorithm | undefined,
    private readonly written: ExportSummary['files'],
  ) {}

  /** Buffers one line; a promise only when a file must be rotated or a block written (awaiting every line costs a tick each). */
  write(line: string): Promise<void> | undefined {
    const size = Buffer.byteLength(line) + 1;
    if (!this.stream || this.users >= this.maxUsers || this.bytes + size > this.maxBytes) return this.rotate().then(() => this.write(line));
    this.users++;
    this.bytes += size;
    this.buffered.push(line);
    this.bufferedBytes += size;
    return this.bufferedBytes >= 64 * 1024 ? this.flush() : undefined;
  }

  private async flush(): Promise<void> {
    if (!this.stream || this.buffered.length === 0) return;
    const block = `${this.buffered.join('\n')}\n`;
    this.buffered = [];
    this.bufferedBytes = 0;
    if (!this.stream.write(block)) await new Promise<void>((r) => this.stream!.once('drain', () => r()));
  }

  private async rotate(): Promise<void> {
    await this.flush();
    await this.close();
    this.index++;
    const file = `${this.name}-${String(this.index).padStart(4, '0')}.csv`;
    this.stream = privateStream(join(this.dir, file));
    this.users = 0;
    this.bytes = Buffer.byteLength(this.headerLine) + 1;
    this.stream.write(`${this.headerLine}\n`);
    this.written.push({ file, users: 0, bytes: 0, ...(this.algorithm ? { passwordHashingAlgorithm: this.algorithm } : {}) });
  }

  async close(): Promise<void> {
    await this.flush();
    if (!this.stream) return;
    const entry = this.written.findLast((f) => f.file.startsWith(`${this.name}-`))!;
    entry.users = this.users;
    entry.bytes = this.bytes;
    const s = this.stream;
    this.stream = undefined;
    await new Promise<void>((resolve, reject) => s.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

/**
 * Writes Cognito import files from a stream of legacy users. Every record is
 * checked with the linter's rules first; a user that would break a rule, is
 * disabled, is a duplicate, or is already migrated is left out and named in
 * `left-out.csv` with the reason. Nothing is dropped silently.
 *
 * @example
 * ```ts
 * const summary = await exportCsv(streamPostgresUsers({ … }), { header, outDir: 'import' })
 * ```
 */
export async function exportCsv(items: ExportSource, options: ExportOptions): Promise<ExportSummary> {
  const { header, rules, hashColumn, proofAt, idAt } = exportColumns(options);
  const allowed = new Set(options.hashAlgorithms ?? IMPORT_ALGORITHMS);
  const maxUsers = Math.min(options.maxUsers ?? CSV_LIMITS.users, CSV_LIMITS.users);
  const maxBytes = Math.min(options.maxBytes ?? CSV_LIMITS.fileBytes, CSV_LIMITS.fileBytes);
  await mkdir(options.outDir, { recursive: true });
  const out = exportFiles(options.outDir, header.join(','), maxUsers, maxBytes);
  const mfaText = rules.mfa === 'ON' ? 'true' : rules.mfa === 'OFF' ? 'false' : undefined;
  const usernames = new SeenSet();
  let seen = 0;
  let exported = 0;
  let leftOut = 0;
  let withHashCount = 0;
  let forTrigger = 0;
  let converted = 0;
  const conversions = options.conversions ?? DEFAULT_CONVERSIONS;
  const importOptions = { conversions };
  const leaveOut = (login: string, reason: string) => {
    leftOut++;
    return out.leaveOut(seen, login, reason);
  };

  const attributeValues = attributeReader(options.attributes, header);
  // The hash column is blank to the rules: the hash is set after the check, importable by construction (the rules would want one job's algorithm).
  const check = recordChecker(rules, hashColumn === undefined ? header : header.map((c) => (c === hashColumn ? '\0hash' : c)));
  const hashAt = hashColumn === undefined ? -1 : header.indexOf(hashColumn);
  const includeDisabled = options.includeDisabled === true;
  const prepare = rowPreparer(header, hashColumn, mfaText, attributeValues, includeDisabled);
  const rows = !options.skip && typeof options.attributes !== 'function' && isRowSource(items)
    ? items.rows({ header, attributes: options.attributes, hashColumn, mfaText, includeDisabled, prepare })
    : preparedRows(items, prepare, options.skip);
  for await (const batch of rows) {
    for (let b = 0; b < batch.length; b++) {
      const row = batch[b]!;
      const login = row.login;
      seen++;
      if (seen % 1000 === 0) options.onProgress?.(seen);
      if (row.skip) { await leaveOut(login, row.skip); continue; }
      if (!row.enabled && !includeDisabled) { await leaveOut(login, 'disabled in the legacy store (the trigger would refuse it too); --include-disabled exports it'); continue; }
      const texts = row.texts!;
      if (options.proof && proofAt >= 0) texts[proofAt] = texts[idAt] ? linkProof(options.proof.key, options.proof.userPoolId, texts[idAt]!) : '';
      let algorithm: ImportHashAlgorithm | undefined;
      let hash = '';
      let convertedFrom: string | undefined;
      if (hashColumn) {
        const verdict = hashVerdict(row.hash, importOptions, allowed);
        const notImportable = 'notImportable' in verdict ? verdict.notImportable : undefined;
        if ('algorithm' in verdict) ({ algorithm, hash, convertedFrom } = verdict);
        if (notImportable && options.unimportable !== 'reset') {
          forTrigger++;
          await leaveOut(login, `left for the sign-in trigger: ${notImportable} (--unimportable reset exports it without a hash)`);
          continue;
        }
      }
      const withHash = algorithm !== undefined;

      const problems = check(texts, seen);
      if (problems.length) { await leaveOut(login, problems.map((p) => `${p.column}: ${p.rule}`).join('; ')); continue; }
      const line = row.line !== undefined && proofAt < 0 && (hashAt < 0 || hash === row.hash) ? row.line : csvLine(texts, header.length, hashAt, hash);
      if (typeof line === 'number') { await leaveOut(login, `${header[line]}: the value holds a quote, a line break or a trailing backslash, which Cognito CSV cannot carry`); continue; }
      if (line.length > CSV_LIMITS.lineChars) { await leaveOut(login, `the line would have ${line.length} characters; at most ${CSV_LIMITS.lineChars}`); continue; }
      if (!usernames.add(login)) { await leaveOut(login, 'duplicate username: already exported from an earlier row'); continue; }
      const pending = out.setFor(algorithm).write(line);
      if (pending) await pending;
      exported++;
      if (withHash) withHashCount++;
      if (convertedFrom) converted++;
    }
  }
  await out.close();
  const counts = { files: out.files, exported, withHash: withHashCount, converted, withoutHash: exported - withHashCount, leftOut, forTrigger, seen };
  const manifestPath = join(options.outDir, 'manifest.json');
  await writeFile(manifestPath, `${JSON.stringify({ header, hashColumn: hashColumn ?? null, conversions, ...counts }, null, 2)}\n`, { mode: 0o600 });
  await chmod(manifestPath, 0o600);
  return { ...counts, reportPath: out.reportPath, manifestPath };
}

/** Reads a legacy user into the texts of the header's columns, each column's kind worked out once rather than for every user. */
function rowPreparer(header: readonly string[], hashColumn: string | undefined, mfaText: string | undefined, attributeValues: ReturnType<typeof attributeReader>, includeDisabled: boolean): (item: ExportItem) => PreparedRow {
  const kinds = header.map((c) => (c === 'cognito:username' ? USERNAME : c === 'cognito:mfa_enabled' ? MFA : c === hashColumn ? HASH : ATTRIBUTE));
  return ({ login, user }) => {
    const enabled = user.enabled !== false;
    const hash = user.passwordHash ?? '';
    if (!enabled && !includeDisabled) return { login, enabled, hash };
    const mapped = attributeValues(user);
    const texts = new Array<string>(header.length);
    for (let c = 0; c < header.length; c++) {
      const kind = kinds[c];
      texts[c] = kind === USERNAME ? login
        : kind === MFA ? mfaText ?? (user.smsMfa === true ? 'true' : 'false')
        : kind === ATTRIBUTE ? csvText(header[c]!, mapped[c])
        : '';
    }
    return { login, enabled, hash, texts, line: undefined };
  };
}

/**
 * Where the export writes: one file set per hash algorithm (and one without a hash), each split at Cognito's limits,
 * and the report of the users left out, whose reasons name rules and columns, never values.
 */
function exportFiles(outDir: string, headerLine: string, maxUsers: number, maxBytes: number) {
  const files: ExportSummary['files'] = [];
  const sets = new Map<string, FileSet>();
  const reportPath = join(outDir, 'left-out.csv');
  const report = privateStream(reportPath);
  report.write('number,username,reason\n');
  return {
    files,
    reportPath,
    setFor(algorithm: ImportHashAlgorithm | undefined): FileSet {
      const key = algorithm ?? 'users';
      let set = sets.get(key);
      if (!set) {
        set = new FileSet(outDir, algorithm ? `users-${algorithm.toLowerCase()}` : 'users', headerLine, maxUsers, maxBytes, algorithm, files);
        sets.set(key, set);
      }
      return set;
    },
    // The username is the only user data here.
    async leaveOut(number: number, login: string, reason: string): Promise<void> {
      if (!report.write(`${number},${JSON.stringify(login)},${JSON.stringify(reason)}\n`)) await new Promise<void>((r) => report.once('drain', () => r()));
    },
    async close(): Promise<void> {
      for (const set of sets.values()) await set.close();
      await new Promise<void>((resolve, reject) => report.end((err?: Error | null) => (err ? reject(err) : resolve())));
    },
  };
}

/** The header, the rules and the columns the export writes, with every mistake in the options named before any row is read. */
function exportColumns(options: ExportOptions): { header: string[]; rules: CsvRules; hashColumn: string | undefined; proofAt: number; idAt: number } {
  const header = [...options.header];
  const rules: CsvRules = { header, ...options.rules };
  const hashColumn = options.hashColumn ?? (header.includes(HASH_COLUMN) ? HASH_COLUMN : undefined);
  if (hashColumn !== undefined && !header.includes(hashColumn)) {
    throw new ConfigurationError('hashColumn', `the hash column "${hashColumn}" is not in the pool's CSV header`, 'Take the column name from GetCSVHeader; without such a column the pool cannot import hashes.');
  }
  if (options.attributes && typeof options.attributes !== 'function') {
    const unknown = Object.keys(options.attributes).filter((a) => !header.includes(a));
    if (unknown.length) throw new ConfigurationError('attributes', `the attribute mapping names ${unknown.join(', ')}, which the pool's CSV header does not have`, 'Map only attributes of the pool (GetCSVHeader lists them).');
  }
  const proofColumn = options.proof?.column ?? DEFAULT_PROOF_ATTRIBUTE;
  const proofAt = header.indexOf(proofColumn);
  const idAt = header.indexOf(options.proof?.idColumn ?? 'custom:legacy_id');
  if (proofAt >= 0 && !options.proof) {
    throw new ConfigurationError('proof', `the pool's CSV header has ${proofColumn}, and no link key was given`, 'Set LINK_KEY_ARN (or LINK_KEY) as the function has it and pass --user-pool-id: an imported user without the proof is never completed.');
  }
  if (options.proof && (proofAt < 0 || idAt < 0)) {
    throw new ConfigurationError('proof', `the pool's CSV header lacks ${proofAt < 0 ? proofColumn : options.proof.idColumn ?? 'custom:legacy_id'}, which the link proof needs`, 'Add the custom attributes legacy_id and legacy_proof to the pool (template.yaml declares both), then take the header again.');
  }
  if (options.attributes && typeof options.attributes !== 'function' && Object.hasOwn(options.attributes, proofColumn)) {
    throw new ConfigurationError('attributes', `the attribute mapping names ${proofColumn}, which only the export sets`, `Remove ${proofColumn} from the mapping.`);
  }
  return { header, rules, hashColumn, proofAt, idAt };
}

/** What becomes of a row's hash: imported as one of the chosen algorithms, not importable (and why), or nothing to say (no hash). */
function hashVerdict(stored: string, importOptions: Parameters<typeof importability>[1], allowed: ReadonlySet<string>): { algorithm: ImportHashAlgorithm; hash: string; convertedFrom?: string } | { notImportable: string } | Record<string, never> {
  const verdict = importability(stored, importOptions);
  if (!verdict) return {};
  if ('reason' in verdict) return { notImportable: verdict.reason };
  if (!allowed.has(verdict.algorithm)) return { notImportable: `${verdict.algorithm} is not among the algorithms chosen for this export` };
  return verdict;
}

/** The row's CSV line, each value quoted as Cognito reads it; the index of the first value it cannot carry instead. */
function csvLine(texts: string[], columns: number, hashAt: number, hash: string): string | number {
  if (hashAt >= 0) texts[hashAt] = hash;
  texts.length = columns;
  for (let c = 0; c < columns; c++) {
    const value = csvValue(texts[c]!);
    if (value === undefined) return c;
    texts[c] = value;
  }
  return texts.join(',');
}

const USERNAME = 0;
const MFA = 1;
const HASH = 2;
const ATTRIBUTE = 3;

/** An {@link ExportSource}'s users as prepared rows, batch by batch; a user `skip` names is not converted. */
async function* preparedRows(items: ExportSource, prepare: (item: ExportItem) => PreparedRow, skip: ExportOptions['skip']): AsyncGenerator<PreparedRow[]> {
  for await (const entry of items) {
    const batch: readonly ExportItem[] = isBatch(entry) ? entry : [entry];
    yield batch.map((item) => {
      const reason = skip?.(item);
      return reason ? { login: item.login, enabled: true, hash: '', skip: reason } : prepare(item);
    });
  }
}

/**
 * A legacy value as the export writes it, before escaping: booleans as
 * true/false, birthdate mm/dd/yyyy, updated_at in POSIX seconds, other dates
 * in ISO 8601, nothing as ''.
 *
 * @example
 * ```ts
 * csvText('updated_at', new Date('2024-01-02T03:04:05Z')) // '1704164645'
 * ```
 */
export function csvText(column: string, value: LegacyValue): string {
  if (value === null || value === undefined) return '';
  // A date past what JavaScript holds (PostgreSQL goes to year 294276): its text, which the birthdate and updated_at rules refuse, not a RangeError.
  if (value instanceof Date && Number.isNaN(value.getTime())) return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (column === 'birthdate') {
    const iso = value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
    return m ? `${m[2]}/${m[3]}/${m[1]}` : iso;
  }
  if (column === 'updated_at' && value instanceof Date) return String(Math.floor(value.getTime() / 1000));
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** A file only its owner can read: import files carry users' data and hashes. `mode` applies to new files, `fchmod` to ones that existed. */
function privateStream(path: string): WriteStream {
  // A large buffer: with the default 16 KiB, every 64 KiB block waited for the disk.
  const stream = createWriteStream(path, { mode: 0o600, highWaterMark: 1024 * 1024 });
  stream.once('open', (fd) => fchmodSync(fd, 0o600));
  return stream;
}
