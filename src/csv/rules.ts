/**
 * Cognito's CSV import rules (REFERENCE §4), shared by the linter and the
 * exporter: a file the exporter writes passes the linter by construction.
 */
import { HASH_COLUMN, type ImportHashAlgorithm, hashProblem } from './hash-import.js';

/** Limits of one import file. */
export const CSV_LIMITS = { lineChars: 16_000, fileBytes: 100 * 1024 * 1024, users: 500_000 } as const;

/**
 * One broken rule.
 *
 * @example
 * ```ts
 * { line: 12, column: 'phone_number', rule: 'phone numbers must be E.164', fix: 'Write +12065550100.' }
 * ```
 */
export interface CsvProblem {
  /** 1-based line in the file (the header is line 1); 0 for the whole file. */
  line: number;
  column: string;
  rule: string;
  fix: string;
}

/** What the linter needs to know about the pool beyond its header. */
export interface CsvRules {
  /** The pool's columns, from GetCSVHeader. */
  header: readonly string[];
  /** Attributes the pool verifies automatically (default: email and phone_number, whichever the header has). */
  autoVerified?: ReadonlyArray<'email' | 'phone_number'>;
  /** The pool's MFA setting: ON forces every cognito:mfa_enabled true, OFF false. Default OPTIONAL. */
  mfa?: 'ON' | 'OFF' | 'OPTIONAL';
  /** Attributes the pool marks required. */
  required?: readonly string[];
  /** The job's `PasswordHashingAlgorithm`: every `password_hash` must be of it and within its bounds; without it the column must be empty. */
  passwordHashAlgorithm?: ImportHashAlgorithm;
}

const E164 = /^\+[1-9]\d{1,14}$/;
const BIRTHDATE = /^(0[1-9]|1[0-2])\/(0[1-9]|[12]\d|3[01])\/\d{4}$/;
const BOOL = new Set(['true', 'false']);

/**
 * Escapes one value the way Cognito reads it: no quoting, a comma becomes `\,`,
 * surrounding spaces go. Returns undefined for values no CSV can carry:
 * quotes, line breaks, and a trailing backslash (it would escape the comma
 * that ends the field).
 *
 * @example
 * ```ts
 * csvValue('Smith, Jr.') // 'Smith\\, Jr.'
 * ```
 */
export function csvValue(value: string): string | undefined {
  const trimmed = value.trim();
  // One scan for the common case, a value with nothing to escape.
  if (!NEEDS_CARE.test(trimmed)) return trimmed;
  if (/["\r\n]/.test(trimmed) || trimmed.endsWith('\\')) return undefined;
  return trimmed.replace(/,/g, '\\,');
}

const NEEDS_CARE = /["\r\n,]|\\$/;

/**
 * Splits a line on the commas that are not escaped, and unescapes `\,`.
 *
 * @example
 * ```ts
 * splitCsvLine('a,Smith\\, Jr.,c') // ['a', 'Smith, Jr.', 'c']
 * ```
 */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\' && line[i + 1] === ',') {
      current += ',';
      i++;
    } else if (ch === ',') {
      out.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  out.push(current);
  return out;
}

/**
 * Checks a header against the pool's: same columns, any order, none twice.
 *
 * @example
 * ```ts
 * checkHeader(['cognito:username', 'email'], rules) // problems, line 1
 * ```
 */
export function checkHeader(columns: readonly string[], rules: CsvRules): CsvProblem[] {
  const problems: CsvProblem[] = [];
  const expected = new Set(rules.header);
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) problems.push({ line: 1, column: c, rule: 'the header names this column twice', fix: 'Keep one.' });
    seen.add(c);
    if (!expected.has(c)) problems.push({ line: 1, column: c, rule: 'The header in the CSV file does not match the expected headers: the pool has no such column', fix: 'Use exactly the columns of GetCSVHeader (aws cognito-idp get-csv-header).' });
  }
  if (rules.passwordHashAlgorithm && !seen.has(HASH_COLUMN)) {
    problems.push({ line: 1, column: HASH_COLUMN, rule: `the job's PasswordHashingAlgorithm is ${rules.passwordHashAlgorithm} but the file has no ${HASH_COLUMN} column, and Cognito fails such a job`, fix: `Import without --password-hash-algorithm, or use a pool header that has ${HASH_COLUMN}.` });
  }
  for (const c of rules.header) {
    if (!seen.has(c)) problems.push({ line: 1, column: c, rule: 'The header in the CSV file does not match the expected headers: this column is missing', fix: 'Add it; every column of GetCSVHeader must be present (values may be empty).' });
  }
  return problems;
}

/**
 * Checks one user's values against every per-user rule.
 *
 * @example
 * ```ts
 * checkRecord({ 'cognito:username': 'ada', 'cognito:mfa_enabled': 'false', email: 'a@b.co', email_verified: 'true' }, rules, 2)
 * ```
 */
export function checkRecord(record: Readonly<Record<string, string>>, rules: CsvRules, line: number): CsvProblem[] {
  return recordChecker(rules, Object.keys(record))(Object.values(record), line);
}

/**
 * {@link checkRecord} for many records of the same columns, given as values in
 * the columns' order: where each rule reads is worked out once (csv export and
 * lint check every user through here).
 *
 * @example
 * ```ts
 * const check = recordChecker(rules, header); check(['ada', 'false', 'a@b.co', 'true'], 2)
 * ```
 */
export function recordChecker(rules: CsvRules, columns: readonly string[]): (values: readonly (string | undefined)[], line: number) => CsvProblem[] {
  const emailFlag = rules.header.includes('email_verified');
  const phoneFlag = rules.header.includes('phone_number_verified');
  const auto = rules.autoVerified ?? (['email', 'phone_number'] as const).filter((a) => rules.header.includes(`${a}_verified`));
  // The last of repeated columns wins, as in a record built from them.
  const at = (c: string) => columns.lastIndexOf(c);
  const usernameAt = at('cognito:username');
  const mfaAt = at('cognito:mfa_enabled');
  const emailVerifiedAt = at('email_verified');
  const phoneVerifiedAt = at('phone_number_verified');
  const emailAt = at('email');
  const phoneAt = at('phone_number');
  const birthdateAt = at('birthdate');
  const updatedAtAt = at('updated_at');
  const hashAt = at(HASH_COLUMN);
  const required = (rules.required ?? []).map((r) => [r, at(r)] as const);
  const autoEmail = auto.includes('email');
  const autoPhone = auto.includes('phone_number');
  return (values, line) => {
    const problems: CsvProblem[] = [];
    // Each value is read and trimmed once.
    const username = trimmedAt(values, usernameAt);
    if (!username) add(problems, line, 'cognito:username', 'cognito:username is required', 'Give every user a unique username.');
    else if (/\s/.test(username)) add(problems, line, 'cognito:username', 'usernames may not contain spaces or tabs', 'Replace the whitespace, or use another unique value as username.');
    // Booleans in any case: the import guide's own example writes TRUE and FALSE.
    const mfa = trimmedAt(values, mfaAt).toLowerCase();
    const emailVerified = trimmedAt(values, emailVerifiedAt).toLowerCase();
    const phoneVerified = trimmedAt(values, phoneVerifiedAt).toLowerCase();
    const email = trimmedAt(values, emailAt);
    const phone = trimmedAt(values, phoneAt);
    // A blank cognito:mfa_enabled means the pool's required state (the current import guide).
    if (mfa !== '' && !BOOL.has(mfa)) add(problems, line, 'cognito:mfa_enabled', 'cognito:mfa_enabled must be true, false or empty (the pool\'s required state)', 'Write false unless the pool requires MFA, or leave it empty.');
    else if (rules.mfa === 'ON' && mfa === 'false') add(problems, line, 'cognito:mfa_enabled', 'the pool requires MFA, so no user can have cognito:mfa_enabled false', 'Write true, or leave it empty.');
    else if (rules.mfa === 'OFF' && mfa === 'true') add(problems, line, 'cognito:mfa_enabled', 'MFA is off in the pool, so no user can have cognito:mfa_enabled true', 'Write false, or leave it empty.');
    if (emailFlag && emailVerified !== '' && !BOOL.has(emailVerified)) add(problems, line, 'email_verified', 'email_verified must be true, false or empty', 'Write true or false.');
    if (phoneFlag && phoneVerified !== '' && !BOOL.has(phoneVerified)) add(problems, line, 'phone_number_verified', 'phone_number_verified must be true, false or empty', 'Write true or false.');
    if (auto.length > 0 && !((autoEmail && emailVerified === 'true') || (autoPhone && phoneVerified === 'true'))) {
      add(problems, line, `${auto[0]}_verified`, 'The User Record does not set any of the auto verified attributes to true', `Set ${auto.map((a) => `${a}_verified`).join(' or ')} to true (and give the ${auto.join('/')}).`);
    }
    if (emailVerified === 'true' && !email) add(problems, line, 'email', 'email_verified is true but email is empty', 'Give the email or set email_verified to false.');
    if (phoneVerified === 'true' && !phone) add(problems, line, 'phone_number', 'phone_number_verified is true but phone_number is empty', 'Give the phone number or set phone_number_verified to false.');
    if (phone && !E164.test(phone)) add(problems, line, 'phone_number', 'The User Record contains an invalid value for phone_number: it must be E.164', 'Write it as + and up to 15 digits, e.g. +12065550100.');
    const birthdate = trimmedAt(values, birthdateAt);
    if (birthdate && !BIRTHDATE.test(birthdate)) add(problems, line, 'birthdate', 'The User Record contains an invalid value for birthdate: it must be mm/dd/yyyy', 'Write e.g. 05/17/1990.');
    const updatedAt = trimmedAt(values, updatedAtAt);
    if (updatedAt && !/^\d+$/.test(updatedAt)) add(problems, line, 'updated_at', 'The User Record contains an invalid value for updated_at: it must be POSIX seconds', 'Write the number of seconds since 1970, e.g. 1700000000.');
    for (const [r, i] of required) if (!trimmedAt(values, i)) add(problems, line, r, `${r} is required by the pool`, `Give every user a ${r}.`);
    const hash = trimmedAt(values, hashAt);
    const wrong = hash ? hashProblem(hash, rules.passwordHashAlgorithm) : undefined;
    if (wrong) add(problems, line, HASH_COLUMN, wrong.rule, wrong.fix);
    return problems;
  };
}

// Module functions rather than closures: the export checks every user, and two closures a call were garbage.
function add(problems: CsvProblem[], line: number, column: string, rule: string, fix: string): void {
  problems.push({ line, column, rule, fix });
}

function trimmedAt(values: readonly (string | undefined)[], i: number): string {
  const x = i < 0 ? undefined : values[i];
  return x === undefined ? '' : x.trim();
}
