import pgTypes from 'pg-types';

/** A parser of one field's text, or undefined where the text is the value. */
export type FieldParser = ((text: string) => unknown) | undefined;

const IDENTITY = pgTypes.getTypeParser(25, 'text');
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;

/**
 * The parser node-postgres uses for a type's text form, so a row read through
 * COPY is exactly what a query returns. For `timestamp` and `timestamptz` the
 * usual form is read without postgres-date's regular expressions (they were
 * the export's largest single cost); any other form (BC, infinity, years
 * before 1000, seconds in the offset) still goes to postgres-date.
 *
 * @example
 * ```ts
 * const parse = copyFieldParser(1184); parse?.('2024-01-02 03:04:05.5+00') // Date
 * ```
 */
export function copyFieldParser(dataTypeID: number): FieldParser {
  const parse = pgTypes.getTypeParser(dataTypeID, 'text') as (text: string) => unknown;
  if (parse === IDENTITY) return undefined;
  if (dataTypeID === TIMESTAMP || dataTypeID === TIMESTAMPTZ) return (text) => quickTimestamp(text) ?? parse(text);
  return parse;
}

/**
 * `YYYY-MM-DD HH:MM:SS[.fraction][±HH[:MM]]` as postgres-date reads it, or
 * undefined for any other form. postgres-date takes `1000 * parseFloat(fraction)`
 * milliseconds and Date.UTC truncates them; the whole milliseconds of the
 * fraction's digits are the same number for every fraction PostgreSQL writes
 * (up to six digits, all 1,111,110 checked), and the day count is exact
 * integer arithmetic, so the instant is identical.
 *
 * @example
 * ```ts
 * quickTimestamp('2024-01-02 03:04:05.123456+00') // 2024-01-02T03:04:05.123Z
 * quickTimestamp('0044-03-15 12:00:00+00 BC') // undefined: postgres-date reads it
 * ```
 */
export function quickTimestamp(text: string): Date | undefined {
  const n = text.length;
  if (n < 19 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  // Years before 1000 need postgres-date's 0–99 correction; leave them to it. Out-of-range fields roll over in Date, so leave those too.
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  let i = 19;
  let ms = 0;
  if (i < n && text.charCodeAt(i) === 46) {
    let end = i + 1;
    let fraction = 0;
    while (end < n && isDigit(text.charCodeAt(end))) fraction = fraction * 10 + (text.charCodeAt(end++) - 48);
    const places = end - i - 1;
    if (places === 0 || places > 6) return undefined;
    ms = places <= 3 ? fraction * 10 ** (3 - places) : Math.floor(fraction / 10 ** (places - 3));
    i = end;
  }
  if (i === n) return new Date(year, month - 1, day, hour, minute, second, ms);
  const sign = text.charCodeAt(i);
  if ((sign !== 43 && sign !== 45) || (n !== i + 3 && n !== i + 6)) return undefined;
  const oh = digits(text, i + 1, 2);
  let om = 0;
  if (n === i + 6) {
    if (text.charCodeAt(i + 3) !== 58) return undefined;
    om = digits(text, i + 4, 2);
  }
  if (oh < 0 || om < 0) return undefined;
  const offset = (oh * 3600 + om * 60) * 1000 * (sign === 45 ? -1 : 1);
  return new Date(daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms - offset);
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The number the `count` digits at `at` spell, or -1 if one is not a digit. */
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let k = at; k < at + count; k++) {
    const c = text.charCodeAt(k);
    if (c < 48 || c > 57) return -1;
    value = value * 10 + (c - 48);
  }
  return value;
}

/**
 * One line of COPY's text format as field values: tab-separated, `\N` for
 * NULL, backslash escapes, each field through its parser.
 *
 * @example
 * ```ts
 * parseCopyLine('1\tada\t\\N', [parseInt, undefined, undefined]) // [1, 'ada', null]
 * ```
 */
export function parseCopyLine(line: string, parsers: readonly FieldParser[]): unknown[] {
  const values = new Array<unknown>(parsers.length);
  let start = 0;
  for (let i = 0; i < parsers.length; i++) {
    let end = line.indexOf('\t', start);
    if (end < 0) end = line.length;
    const raw = line.slice(start, end);
    start = end + 1;
    if (raw === '\\N') { values[i] = null; continue; }
    const text = raw.includes('\\') ? unescape(raw) : raw;
    const parse = parsers[i];
    values[i] = parse ? parse(text) : text;
  }
  return values;
}

/**
 * The letters COPY's text format writes after a backslash for control
 * characters (it writes no octal or hex escapes); any other escaped character
 * stands for itself.
 * @example COPY_ESCAPES.n // '\n'
 */
export const COPY_ESCAPES: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function unescape(raw: string): string {
  return raw.replace(/\\(.)/g, (_, e: string) => COPY_ESCAPES[e] ?? e);
}
