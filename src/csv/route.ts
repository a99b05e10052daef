/**
 * What csv export decides for one user, with nothing written: which file set
 * the user's line goes to, or why the user is left out. Synchronous and free
 * of I/O, so it runs the same in the exporting process and in its worker
 * threads.
 */
import { type AttributeMapping, attributeReader } from '../attributes.js';
import { ConfigurationError } from '../errors.js';
import { parseFlag } from '../flags.js';
import type { LegacyUser, LegacyValue } from '../types.js';
import { DEFAULT_CONVERSIONS, type HashConversion } from './hash-convert.js';
import { HASH_COLUMN, IMPORT_ALGORITHMS, type ImportHashAlgorithm, importability } from './hash-import.js';
import { CSV_LIMITS, type CsvRules, csvValue, recordChecker } from './rules.js';

/** One user to export: the login that becomes cognito:username, and the legacy user. */
export interface ExportItem {
  login: string;
  user: LegacyUser;
}

/**
 * What decides each user's fate (the part of {@link ExportOptions} that is not
 * about files).
 *
 * @example
 * ```ts
 * { header, attributes: { email: 'email' }, migratedColumn: 'migrated_at' }
 * ```
 */
export interface RouteOptions {
  /** The pool's columns from GetCSVHeader. */
  header: readonly string[];
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
  /** Export legacy accounts marked disabled too (default: left out, as the trigger would). */
  includeDisabled?: boolean;
  /** Leave out users whose legacy field of this name says they migrated (true, or a timestamp as markMigrated writes). */
  migratedColumn?: string;
  /** Usernames and emails already in the target pool: such users are left out. */
  inPool?: ReadonlySet<string>;
  /** Any other reason to leave a user out, or undefined to export. A function keeps the export in one thread. */
  skip?: (item: ExportItem) => string | undefined;
}

/** Where a user went: left out (the reason in {@link UserRouter.reason}), or a file set. */
export const LEFT_OUT = 0;
/** Left out because Cognito cannot import the hash: the sign-in trigger migrates the user later. */
export const FOR_TRIGGER = 1;
/** Exported without a hash; `FIRST_ALGORITHM + i` is exported with a hash of `IMPORT_ALGORITHMS[i]`. */
export const WITHOUT_HASH = 2;
const FIRST_ALGORITHM = 3;

/**
 * The algorithm of an exported user's code, or undefined for the file set without hashes.
 * @example algorithmOfCode(WITHOUT_HASH) // undefined
 */
export function algorithmOfCode(code: number): ImportHashAlgorithm | undefined {
  return code >= FIRST_ALGORITHM ? IMPORT_ALGORITHMS[code - FIRST_ALGORITHM] : undefined;
}

/**
 * Checks the options against the header once, before any user is read.
 * @example const hashColumn = checkRouteOptions(options)
 */
export function checkRouteOptions(options: RouteOptions): string | undefined {
  const header = options.header;
  const hashColumn = options.hashColumn ?? (header.includes(HASH_COLUMN) ? HASH_COLUMN : undefined);
  if (hashColumn !== undefined && !header.includes(hashColumn)) {
    throw new ConfigurationError('hashColumn', `the hash column "${hashColumn}" is not in the pool's CSV header`, 'Take the column name from GetCSVHeader; without such a column the pool cannot import hashes.');
  }
  if (options.attributes && typeof options.attributes !== 'function') {
    const unknown = Object.keys(options.attributes).filter((a) => !header.includes(a));
    if (unknown.length) throw new ConfigurationError('attributes', `the attribute mapping names ${unknown.join(', ')}, which the pool's CSV header does not have`, 'Map only attributes of the pool (GetCSVHeader lists them).');
  }
  return hashColumn;
}

const USERNAME = 0;
const MFA = 1;
const HASH = 2;
const ATTRIBUTE = 3;

/**
 * Decides, user by user, what csv export does: every rule of the linter is
 * checked, so a line it gives passes the linter by construction. After
 * `route`, `line` holds the CSV line of an exported user, `reason` why a user
 * was left out (rules and columns, never values), `converted` whether the
 * hash was re-encoded. Duplicates are not its business: they need every user
 * seen before, and the writer keeps those.
 *
 * @example
 * ```ts
 * const router = new UserRouter({ header }); if (router.route(item) >= WITHOUT_HASH) write(router.line)
 * ```
 */
export class UserRouter {
  line = '';
  reason = '';
  converted = false;
  private readonly header: readonly string[];
  private readonly kinds: number[];
  private readonly mfaText: string | undefined;
  private readonly hashColumn: string | undefined;
  private readonly hashAt: number;
  private readonly allowed: ReadonlySet<ImportHashAlgorithm>;
  private readonly conversions: readonly HashConversion[];
  private readonly attributeValues: (user: LegacyUser) => LegacyValue[];
  private readonly check: ReturnType<typeof recordChecker>;
  // One row's CSV texts, in the header's order; reused, as each user is done before the next.
  private readonly texts: string[];

  constructor(private readonly options: RouteOptions) {
    const header = [...options.header];
    this.header = header;
    this.hashColumn = checkRouteOptions(options);
    const rules: CsvRules = { header, ...options.rules };
    // What each column is, worked out once rather than compared by name for every user.
    this.kinds = header.map((c) => (c === 'cognito:username' ? USERNAME : c === 'cognito:mfa_enabled' ? MFA : c === this.hashColumn ? HASH : ATTRIBUTE));
    this.mfaText = rules.mfa === 'ON' ? 'true' : rules.mfa === 'OFF' ? 'false' : undefined;
    this.hashAt = this.hashColumn === undefined ? -1 : header.indexOf(this.hashColumn);
    this.allowed = new Set(options.hashAlgorithms ?? IMPORT_ALGORITHMS);
    this.conversions = options.conversions ?? DEFAULT_CONVERSIONS;
    this.attributeValues = attributeReader(options.attributes, header);
    this.check = recordChecker(rules, header);
    this.texts = new Array<string>(header.length);
  }

  /** Routes one user: {@link LEFT_OUT}, {@link FOR_TRIGGER}, {@link WITHOUT_HASH}, or a code of {@link algorithmOfCode}. */
  route(item: ExportItem): number {
    const { options, header, kinds, texts } = this;
    const { login, user } = item;
    this.converted = false;
    const skipped = this.skipReason(item);
    if (skipped) return this.leaveOut(skipped);
    if (user.enabled === false && !options.includeDisabled) return this.leaveOut('disabled in the legacy store (the trigger would refuse it too); --include-disabled exports it');

    const mapped = this.attributeValues(user);
    for (let c = 0; c < header.length; c++) {
      const kind = kinds[c];
      texts[c] = kind === USERNAME ? login
        : kind === MFA ? this.mfaText ?? (user.smsMfa === true ? 'true' : 'false')
        : kind === ATTRIBUTE ? toCsvText(header[c]!, mapped[c])
        : '';
    }
    let code = WITHOUT_HASH;
    let hash = '';
    if (this.hashColumn !== undefined) {
      const verdict = importability(user.passwordHash, { conversions: this.conversions });
      const notImportable = !verdict ? undefined
        : 'reason' in verdict ? verdict.reason
        : !this.allowed.has(verdict.algorithm) ? `${verdict.algorithm} is not among the algorithms chosen for this export`
        : undefined;
      if (verdict && 'algorithm' in verdict && !notImportable) {
        code = FIRST_ALGORITHM + IMPORT_ALGORITHMS.indexOf(verdict.algorithm);
        hash = verdict.hash;
        this.converted = verdict.convertedFrom !== undefined;
      }
      if (notImportable && options.unimportable !== 'reset') {
        this.leaveOut(`left for the sign-in trigger: ${notImportable} (--unimportable reset exports it without a hash)`);
        return FOR_TRIGGER;
      }
    }

    // The hash is set after the check: it is importable by construction, and the rules would want one job's algorithm.
    const problems = this.check(texts, 0);
    if (problems.length) return this.leaveOut(problems.map((p) => `${p.column}: ${p.rule}`).join('; '));
    if (this.hashAt >= 0) texts[this.hashAt] = hash;
    for (let c = 0; c < header.length; c++) {
      const value = csvValue(texts[c]!);
      if (value === undefined) return this.leaveOut(`${header[c]}: the value holds a quote, a line break or a trailing backslash, which Cognito CSV cannot carry`);
      texts[c] = value;
    }
    const line = texts.join(',');
    if (line.length > CSV_LIMITS.lineChars) return this.leaveOut(`the line would have ${line.length} characters; at most ${CSV_LIMITS.lineChars}`);
    this.line = line;
    return code;
  }

  private skipReason(item: ExportItem): string | undefined {
    const { migratedColumn, inPool, skip } = this.options;
    const fields = item.user.fields;
    if (migratedColumn !== undefined && isMigrated(Object.hasOwn(fields, migratedColumn) ? fields[migratedColumn] : undefined)) return `already migrated (column ${migratedColumn} is set)`;
    if (inPool && (inPool.has(item.login) || inPool.has(String(fields.email ?? '')))) return 'already in the target pool';
    return skip?.(item);
  }

  private leaveOut(reason: string): number {
    this.reason = reason;
    this.converted = false;
    return LEFT_OUT;
  }
}

/** A migrated-column value that says "migrated": true, or a timestamp (what markMigrated writes); NULL and false spellings are not. */
function isMigrated(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (value instanceof Date) return true;
  return parseFlag(value) !== false;
}

/** A legacy value as CSV text: booleans as true/false, birthdate mm/dd/yyyy, updated_at in seconds. */
function toCsvText(column: string, value: LegacyValue): string {
  if (value === null || value === undefined) return '';
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

/**
 * Users decided, a batch at a time, in the order they were read: what the
 * export's writer consumes.
 *
 * @example
 * ```ts
 * const batch = routeBatch(new UserRouter({ header }), items); batch.codes[0] // LEFT_OUT, FOR_TRIGGER, WITHOUT_HASH or an algorithm's code
 * ```
 */
export interface RoutedBatch {
  logins: string[];
  /** Per user: what {@link UserRouter.route} returned. */
  codes: Uint8Array;
  /** Per user: 1 when the hash was re-encoded. */
  converted: Uint8Array;
  /** The lines of the users routed to a file set, in order: text, or UTF-8 bytes. */
  lines: Array<string | Uint8Array>;
  /** The reasons of the users left out, in order. */
  reasons: string[];
}

/**
 * Routes a batch of users.
 * @example const batch = routeBatch(router, items)
 */
export function routeBatch(router: UserRouter, items: readonly ExportItem[]): RoutedBatch {
  const batch = emptyBatch(items.length);
  for (let i = 0; i < items.length; i++) addRouted(batch, i, router, items[i]!);
  return batch;
}

/**
 * A batch for `count` users, to fill in order.
 * @example const batch = emptyBatch(lines.length)
 */
export function emptyBatch(count: number): RoutedBatch {
  return { logins: new Array<string>(count), codes: new Uint8Array(count), converted: new Uint8Array(count), lines: [], reasons: [] };
}

/**
 * Routes user `i` of a batch with the router and records the outcome.
 * @example addRouted(batch, i, router, item)
 */
export function addRouted(batch: RoutedBatch, i: number, router: UserRouter, item: ExportItem): void {
  batch.logins[i] = item.login;
  const code = router.route(item);
  batch.codes[i] = code;
  if (code <= FOR_TRIGGER) {
    batch.reasons.push(router.reason);
  } else {
    batch.lines.push(router.line);
    if (router.converted) batch.converted[i] = 1;
  }
}

/**
 * A source that routes its own users: a faster way through its own format
 * for the users it can prove, `router` for every other one, the same outcome
 * either way.
 *
 * @example
 * ```ts
 * if (isRoutingSource(source)) for await (const batch of source.routeWith(router, options)) …
 * ```
 */
export interface RoutingSource {
  routeWith(router: UserRouter, options: RouteOptions): AsyncIterable<RoutedBatch>;
}

/**
 * True for a {@link RoutingSource}.
 * @example isRoutingSource(source)
 */
export function isRoutingSource(source: unknown): source is RoutingSource {
  return typeof (source as RoutingSource | null)?.routeWith === 'function';
}
