import { type WriteStream, createWriteStream, fchmodSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ImportHashAlgorithm } from './hash-import.js';
import { DEFAULT_CONVERSIONS } from './hash-convert.js';
import {
  type ExportItem, FOR_TRIGGER, LEFT_OUT, type RouteOptions, type RoutedBatch, UserRouter, WITHOUT_HASH, algorithmOfCode, checkRouteOptions, isRoutingSource, routeBatch,
} from './route.js';
import { CSV_LIMITS } from './rules.js';
import { SeenSet } from './seen-set.js';

export { HASH_COLUMN, IMPORT_ALGORITHMS, IMPORT_BOUNDS, type ImportHashAlgorithm, type Importable, importAlgorithmOf, importability } from './hash-import.js';
export { DEFAULT_CONVERSIONS, type HashConversion, verifyImportHash } from './hash-convert.js';
export { type ExportItem, type RouteOptions, type RoutedBatch, type RoutingSource, UserRouter, isRoutingSource } from './route.js';

/**
 * What {@link exportCsv} reads: users one by one or in batches. A source that
 * is also a {@link RoutingSource} routes its users itself.
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
 * Options of {@link exportCsv}: what decides each user ({@link RouteOptions}) and where the files go.
 *
 * @example
 * ```ts
 * { header: csvHeader.CSVHeader, outDir: 'out', attributes: { email: 'email', email_verified: 'email_verified' } }
 * ```
 */
export interface ExportOptions extends RouteOptions {
  outDir: string;
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
  private buffered: Array<string | Uint8Array> = [];
  // Set when a line came as bytes: the block is then written as bytes.
  private bufferedBytesOnly = false;
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
  write(line: string | Uint8Array): Promise<void> | undefined {
    const size = (typeof line === 'string' ? Buffer.byteLength(line) : line.length) + 1;
    if (!this.stream || this.users >= this.maxUsers || this.bytes + size > this.maxBytes) return this.rotate().then(() => this.write(line));
    this.users++;
    this.bytes += size;
    this.buffered.push(line);
    if (typeof line !== 'string') this.bufferedBytesOnly = true;
    this.bufferedBytes += size;
    return this.bufferedBytes >= 64 * 1024 ? this.flush() : undefined;
  }

  private async flush(): Promise<void> {
    if (!this.stream || this.buffered.length === 0) return;
    const block = this.bufferedBytesOnly ? joinLines(this.buffered, this.bufferedBytes) : `${this.buffered.join('\n')}\n`;
    this.buffered = [];
    this.bufferedBytes = 0;
    this.bufferedBytesOnly = false;
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
export async function exportCsv(source: ExportSource, options: ExportOptions): Promise<ExportSummary> {
  const header = [...options.header];
  const hashColumn = checkRouteOptions(options);
  const maxUsers = Math.min(options.maxUsers ?? CSV_LIMITS.users, CSV_LIMITS.users);
  const maxBytes = Math.min(options.maxBytes ?? CSV_LIMITS.fileBytes, CSV_LIMITS.fileBytes);
  const router = new UserRouter(options);
  const batches = isRoutingSource(source) ? source.routeWith(router, options) : routeHere(source, router);
  await mkdir(options.outDir, { recursive: true });
  const files: ExportSummary['files'] = [];
  const headerLine = header.join(',');
  const sets = new Map<string, FileSet>();
  const setFor = (algorithm: ImportHashAlgorithm | undefined) => {
    const key = algorithm ?? 'users';
    let set = sets.get(key);
    if (!set) {
      set = new FileSet(options.outDir, algorithm ? `users-${algorithm.toLowerCase()}` : 'users', headerLine, maxUsers, maxBytes, algorithm, files);
      sets.set(key, set);
    }
    return set;
  };
  const reportPath = join(options.outDir, 'left-out.csv');
  const report = privateStream(reportPath);
  report.write('number,username,reason\n');
  const usernames = new SeenSet();
  let seen = 0;
  let exported = 0;
  let leftOut = 0;
  let withHashCount = 0;
  let forTrigger = 0;
  let converted = 0;
  const conversions = options.conversions ?? DEFAULT_CONVERSIONS;
  const leaveOut = async (login: string, reason: string) => {
    leftOut++;
    // Reasons name rules and columns, never values; the username is the only user data here.
    if (!report.write(`${seen},${JSON.stringify(login)},${JSON.stringify(reason)}\n`)) await new Promise<void>((r) => report.once('drain', () => r()));
  };

  for await (const batch of batches) {
    let line = 0;
    let reason = 0;
    for (let i = 0; i < batch.codes.length; i++) {
      seen++;
      if (seen % 1000 === 0) options.onProgress?.(seen);
      const login = batch.logins[i]!;
      const code = batch.codes[i]!;
      if (code === LEFT_OUT || code === FOR_TRIGGER) {
        if (code === FOR_TRIGGER) forTrigger++;
        await leaveOut(login, batch.reasons[reason++]!);
        continue;
      }
      const text = batch.lines[line++]!;
      if (!usernames.add(login)) { await leaveOut(login, 'duplicate username: already exported from an earlier row'); continue; }
      const pending = setFor(algorithmOfCode(code)).write(text);
      if (pending) await pending;
      exported++;
      if (code > WITHOUT_HASH) withHashCount++;
      if (batch.converted[i]) converted++;
    }
  }
  for (const set of sets.values()) await set.close();
  await new Promise<void>((resolve, reject) => report.end((err?: Error | null) => (err ? reject(err) : resolve())));
  const manifestPath = join(options.outDir, 'manifest.json');
  await writeFile(manifestPath, `${JSON.stringify({ header, hashColumn: hashColumn ?? null, conversions, files, exported, withHash: withHashCount, converted, withoutHash: exported - withHashCount, leftOut, forTrigger, seen }, null, 2)}\n`, { mode: 0o600 });
  await chmod(manifestPath, 0o600);
  return { files, exported, withHash: withHashCount, converted, withoutHash: exported - withHashCount, leftOut, forTrigger, seen, reportPath, manifestPath };
}

async function* routeHere(source: ExportSource, router: UserRouter): AsyncGenerator<RoutedBatch> {
  for await (const entry of source) yield routeBatch(router, isBatch(entry) ? entry : [entry]);
}

/** Lines, each followed by a line end, as one block of UTF-8 bytes. */
function joinLines(lines: ReadonlyArray<string | Uint8Array>, bytes: number): Buffer {
  const block = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const line of lines) {
    at += typeof line === 'string' ? block.write(line, at) : (block.set(line, at), line.length);
    block[at++] = 10;
  }
  return block;
}

/** A file only its owner can read: import files carry users' data and hashes. `mode` applies to new files, `fchmod` to ones that existed. */
function privateStream(path: string): WriteStream {
  // A large buffer: with the default 16 KiB, every 64 KiB block waited for the disk.
  const stream = createWriteStream(path, { mode: 0o600, highWaterMark: 1024 * 1024 });
  stream.once('open', (fd) => fchmodSync(fd, 0o600));
  return stream;
}
