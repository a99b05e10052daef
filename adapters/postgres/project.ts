// The export's texts written by PostgreSQL itself: the COPY's SELECT puts the
// header's columns in order, already as the export writes them (true/false,
// POSIX seconds), and COPY's own escaping with `,` as the delimiter is
// Cognito's (`\,`). A line with no other escape, no quote and no value with
// whitespace at either end is then the CSV line as it stands. Only the value
// conversions live here: in SQL for the types where SQL's text is provably the
// export's, in the reader (with the export's own parser and csvText) for the
// rest; every rule is still checked in JavaScript, on the same texts.
import { STANDARD_ATTRIBUTES } from '../../src/attributes.js';
import { csvText, type PreparedRow, type RowPlan } from '../../src/csv/export.js';
import { AttributeValidationError } from '../../src/errors.js';
import { parseFlag } from '../../src/flags.js';
import { type SqlColumns, legacyValue } from '../sql/rows.js';
import type { LegacyValue } from '../../src/types.js';
import { COPY_ESCAPES, copyFieldParser } from './copy-text.js';

/** A column as the server describes it. */
export interface DescribedField {
  name: string;
  dataTypeID: number;
}

/** The SELECT list that writes a plan's texts, and the reader of its lines. */
export interface Projection {
  /** Expressions over the source aliased `q`, in line order. */
  select: string;
  read(line: string): PreparedRow;
}

const BOOL = 16;
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;
// node-postgres reads a timestamp without time zone in the process's zone; where that zone is UTC at every date, SQL's seconds are the same.
const UTC_ZONES = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Etc/Universal', 'Universal', 'Etc/Zulu', 'Zulu', 'Etc/UCT', 'UCT']);
const processIsUtc = () => UTC_ZONES.has(Intl.DateTimeFormat().resolvedOptions().timeZone);
// node-postgres reads these as numbers whose String() is the server's text.
const NUMBER_TYPES = new Set([21, 23, 26]);
const INT8 = 20;

/** Types whose value, as node-postgres reads it, prints as the server's own text. */
function printsAsText(type: number): boolean {
  return NUMBER_TYPES.has(type) || type === INT8 || copyFieldParser(type) === undefined;
}

/** Types whose value node-postgres reads as a string (so it can equal the hash). */
function readsAsString(type: number): boolean {
  return type === INT8 || copyFieldParser(type) === undefined;
}

const ident = (name: string) => `q."${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * The projection of a plan over the described columns, or undefined when the
 * plan or the columns need the user objects (then the export converts users
 * itself). SQL writes the texts of the types node-postgres reads as their own
 * text (text, varchar, char, integers, numeric, uuid, …), of booleans, and of
 * `timestamptz` as `updated_at` (a `timestamp` too when this process runs in
 * UTC); any other mapped column comes as the server's text and is converted
 * here with the export's own parser and `csvText`.
 *
 * @example
 * ```ts
 * const p = projectionFor(fields, DEFAULT_COLUMNS, plan); // `COPY (SELECT ${p.select} FROM users AS q) TO STDOUT (DELIMITER ',', NULL '')`, then p.read(line)
 * ```
 */
export function projectionFor(fields: readonly DescribedField[], columns: SqlColumns, plan: RowPlan): Projection | undefined {
  const typeOf = describedTypes(fields);
  if (!typeOf) return undefined;
  const { header } = plan;
  // A repeated header column gets its mapped value only in its last place; not worth projecting.
  if (!header.includes('cognito:username') || new Set(header).size !== header.length) return undefined;
  const usernameType = typeOf.get(columns.username);
  if (usernameType !== undefined && !printsAsText(usernameType)) return undefined;
  const hashType = typeOf.get(columns.passwordHash);
  if (hashType !== undefined && !readsAsString(hashType)) return undefined;
  const enabledType = typeOf.get(columns.enabled);
  if (enabledType !== undefined && enabledType !== BOOL && !printsAsText(enabledType)) return undefined;

  const sources = headerSources(typeOf, columns, plan);
  if (!sources) return undefined;

  // The header's columns first, in order; what only the reader needs (the enabled flag, a hash outside the header) after them.
  const select: string[] = [];
  // Mapped values that node-postgres reads as strings, and those converted here: a value equal to the hash stops the export, as in mapAttributes.
  const stringValued: Array<{ attribute: string; index: number }> = [];
  const converted: Converted[] = [];
  let hashIndex = -1;
  let loginIndex = -1;
  for (let c = 0; c < header.length; c++) {
    const column = header[c]!;
    if (column === 'cognito:username') {
      loginIndex = c;
      select.push(usernameType === undefined ? "''" : ident(columns.username));
    } else if (column === 'cognito:mfa_enabled') {
      if (plan.mfaText !== undefined) select.push(literal(plan.mfaText));
      else {
        const smsType = typeOf.get(columns.smsMfa);
        if (smsType === undefined) select.push("'false'");
        else if (smsType === BOOL) select.push(`CASE WHEN ${ident(columns.smsMfa)} THEN 'true' ELSE 'false' END`);
        else return undefined;
      }
    } else if (column === plan.hashColumn) {
      hashIndex = c;
      select.push(hashType === undefined ? "''" : ident(columns.passwordHash));
    } else {
      const source = sources.get(column);
      const expression = source === undefined ? "''" : projectValue(column, source, typeOf, columns, c, stringValued, converted);
      if (expression === undefined) return undefined;
      select.push(expression);
    }
  }
  // With no hash column in the header, the hash still decides nothing, but a mapped value equal to it must be caught.
  const needsHash = hashIndex < 0 && hashType !== undefined && (stringValued.length > 0 || converted.some((c) => !c.sqlSeconds));
  const enabledIndex = enabledType === undefined ? -1 : select.push(ident(columns.enabled)) - 1;
  if (needsHash) hashIndex = select.push(ident(columns.passwordHash)) - 1;
  const width = select.length;
  const extras = width - header.length;
  const enabledOf = enabledType === undefined ? undefined : flagReader(enabledType);
  // The first value equal to the hash names the attribute, in the order mapAttributes compares them: the mapping's, or the columns'.
  const order = plan.attributes ? Object.keys(plan.attributes) : [...typeOf.keys()];
  const compared = [...stringValued.map((v) => ({ ...v, converted: false })), ...converted.map((v) => ({ ...v, converted: true }))]
    .sort((a, b) => order.indexOf(a.attribute) - order.indexOf(b.attribute));
  return {
    select: select.join(', '),
    read: lineReader(plan, { width, extras, loginIndex, enabledIndex, hashIndex, needsHash, enabledOf, converted, compared }),
  };
}

const SECONDS = /^-?\d+$/;

/** One header column's expression (noting what the reader compares or converts), or undefined when only a user object reads it right. */
function projectValue(
  column: string, source: string, typeOf: ReadonlyMap<string, number>, columns: SqlColumns, index: number,
  stringValued: Array<{ attribute: string; index: number }>, converted: Converted[],
): string | undefined {
  // As mappedValue: own fields first (every column but the hash), then `id` for the legacy id.
  if (source === '__proto__' || source === columns.passwordHash) return undefined;
  const type = typeOf.get(source);
  if (type === undefined) {
    if (source !== 'id') return "''";
    // The legacy id: String(id ?? username), as legacyUserReader writes it.
    const parts = [columns.id, columns.username].filter((c) => typeOf.has(c));
    if (parts.some((c) => !printsAsText(typeOf.get(c)!) || typeOf.get(c) === 1042)) return undefined;
    stringValued.push({ attribute: column, index });
    return `COALESCE(${[...parts.map((c) => `${ident(c)}::text`), "'undefined'"].join(', ')})`;
  }
  if (type === BOOL) return `CASE WHEN ${ident(source)} THEN 'true' WHEN NOT ${ident(source)} THEN 'false' END`;
  if (column === 'updated_at' && (type === TIMESTAMPTZ || (type === TIMESTAMP && processIsUtc()))) {
    converted.push({ attribute: column, index, parse: copyFieldParser(type), sqlSeconds: true });
    const zone = type === TIMESTAMPTZ ? '+00' : '';
    // Whole seconds, floored, where a JavaScript Date holds the instant exactly; elsewhere the server's text for the reader to convert.
    return `CASE WHEN ${ident(source)} >= '1000-01-01 00:00:00${zone}' AND ${ident(source)} < '10000-01-01 00:00:00${zone}' THEN extract(epoch FROM date_trunc('second', ${ident(source)}))::bigint::text ELSE ${ident(source)}::text END`;
  }
  if (printsAsText(type) && column !== 'birthdate') {
    if (readsAsString(type)) stringValued.push({ attribute: column, index });
  } else {
    // Any other type, and birthdate's mm/dd/yyyy: the server's text, converted by the reader as the export converts a user's value.
    converted.push({ attribute: column, index, parse: copyFieldParser(type), sqlSeconds: false });
  }
  return ident(source);
}

/** A column the reader converts: its attribute, its place in the line, and node-postgres' parser for its type (none: the text itself). */
interface Converted {
  attribute: string;
  index: number;
  parse: ((text: string) => unknown) | undefined;
  /** updated_at, whose seconds SQL writes within years 1000–9999: only the server's text outside them is converted here. */
  sqlSeconds: boolean;
}

/** The enabled flag from the server's text, as legacyUserReader reads it (NULL comes as ''). */
function flagReader(type: number): (text: string) => boolean {
  const parse = copyFieldParser(type);
  const known = new Map<string, boolean>();
  return (text) => {
    let flag = known.get(text);
    if (flag === undefined) {
      flag = parseFlag(text === '' ? null : parse ? parse(text) : text) === true;
      if (known.size < 64) known.set(text, flag);
    }
    return flag;
  };
}

/** The line without its last `count` fields (none of which holds a comma). */
function withoutLast(line: string, count: number): string {
  let end = line.length;
  for (let k = 0; k < count; k++) end = line.lastIndexOf(',', end - 1);
  return line.slice(0, end);
}

// What String.prototype.trim removes, and every other control character: such a value goes through csvValue.
function isSpace(c: number): boolean {
  return c <= 32 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && (c <= 0x200a || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff));
}

function anyPadded(texts: readonly string[], count: number): boolean {
  for (let i = 0; i < count; i++) {
    const text = texts[i]!;
    if (text.length > 0 && (isSpace(text.charCodeAt(0)) || isSpace(text.charCodeAt(text.length - 1)))) return true;
  }
  return false;
}


/**
 * Splits a COPY text line written with `,` as the delimiter into its values,
 * unescaped; `width`, the number of values expected, only sizes the array.
 *
 * @example
 * ```ts
 * splitCopyLine('ada,Smith\\, Jr.') // ['ada', 'Smith, Jr.']
 * ```
 */
export function splitCopyLine(line: string, width = 0): string[] {
  if (line.indexOf('\\') < 0) {
    // indexOf and slice into an array of the expected size: faster than String.prototype.split here.
    const out = new Array<string>(width);
    let count = 0;
    let start = 0;
    for (let end = line.indexOf(','); end >= 0; end = line.indexOf(',', start)) {
      out[count++] = line.slice(start, end);
      start = end + 1;
    }
    out[count++] = line.slice(start);
    if (count !== width) out.length = count;
    return out;
  }
  const out: string[] = [];
  let value = '';
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 92) {
      const e = line[i + 1] ?? '';
      value += line.slice(start, i) + (COPY_ESCAPES[e] ?? e);
      i++;
      start = i + 1;
    } else if (c === 44) {
      out.push(value + line.slice(start, i));
      value = '';
      start = i + 1;
    }
  }
  out.push(value + line.slice(start));
  return out;
}

/**
 * True when the only escapes in a COPY line are `\,`: the line is then
 * Cognito's escaping of the same values.
 *
 * @example
 * ```ts
 * onlyCommaEscapes('Smith\\, Jr.') // true; onlyCommaEscapes('a\\nb') // false
 * ```
 */
export function onlyCommaEscapes(line: string): boolean {
  for (let i = line.indexOf('\\'); i >= 0; i = line.indexOf('\\', i + 2)) {
    if (line.charCodeAt(i + 1) !== 44) return false;
  }
  return true;
}

/** Each described column's type, or undefined for repeated names (the last would win; not worth projecting). */
function describedTypes(fields: readonly DescribedField[]): Map<string, number> | undefined {
  const typeOf = new Map<string, number>();
  for (const f of fields) {
    if (typeOf.has(f.name)) return undefined;
    typeOf.set(f.name, f.dataTypeID);
  }
  return typeOf;
}

/** Which legacy field each header column reads, as mapAttributes would; undefined when only user objects read it right. */
function headerSources(typeOf: ReadonlyMap<string, number>, columns: SqlColumns, plan: RowPlan): Map<string, string> | undefined {
  const { header } = plan;
  const sources = new Map<string, string>();
  if (plan.attributes) {
    for (const attribute of Object.keys(plan.attributes)) {
      // The export writes these columns itself; a mapping onto one is still compared with the hash there. Not worth projecting.
      if (attribute === 'cognito:username' || attribute === 'cognito:mfa_enabled' || attribute === plan.hashColumn) return undefined;
      sources.set(attribute, plan.attributes[attribute]!);
    }
  } else {
    for (const name of typeOf.keys()) {
      if (name === columns.passwordHash || !(STANDARD_ATTRIBUTES.has(name) || name.startsWith('custom:'))) continue;
      // A pass-through field outside the header (or under the hash column) is still compared with the hash; only header columns are projected.
      if (!header.includes(name) || name === plan.hashColumn) {
        if (readsAsString(typeOf.get(name)!)) return undefined;
        continue;
      }
      sources.set(name, name);
    }
  }
  return sources;
}

/** Where the reader finds each of its values in a COPY line, as {@link projectionFor} laid the SELECT out. */
interface LineLayout {
  width: number;
  /** Values after the header's: the enabled flag, a hash outside the header. */
  extras: number;
  loginIndex: number;
  enabledIndex: number;
  hashIndex: number;
  needsHash: boolean;
  enabledOf: ((text: string) => boolean) | undefined;
  converted: readonly Converted[];
  /** The values compared with the hash, in the order mapAttributes compares them. */
  compared: ReadonlyArray<{ attribute: string; index: number; converted: boolean }>;
}

/** The reader of one COPY line: the row's login, flag and hash, its header texts, and the line itself when it is the CSV line as it stands. */
function lineReader(plan: RowPlan, layout: LineLayout): (line: string) => PreparedRow {
  const { width, extras, loginIndex, enabledIndex, hashIndex, needsHash, enabledOf, converted, compared } = layout;
  const { header } = plan;
  const comparedAt = compared.map((v) => v.index);
  const isConverted = compared.map((v) => v.converted);
  // The values of the converted columns, as the export's user objects hold them.
  const parsed: LegacyValue[] = new Array(width);
  // Per converted column of the current line: SQL already wrote its seconds.
  const written = new Uint8Array(converted.length);
  return (line) => {
    const values = splitCopyLine(line, width);
    let plain = onlyCommaEscapes(line);
    if (values.length !== width) throw new Error(`csv export: a COPY line has ${values.length} fields where ${width} were selected`);
    const login = values[loginIndex]!;
    const enabled = enabledOf ? enabledOf(values[enabledIndex]!) : true;
    const hash = hashIndex < 0 ? '' : values[hashIndex]!;
    if (!enabled && !plan.includeDisabled) return { login, enabled, hash };
    for (let k = 0; k < converted.length; k++) {
      const { index, parse, sqlSeconds } = converted[k]!;
      const text = values[index]!;
      written[k] = sqlSeconds && SECONDS.test(text) ? 1 : 0;
      // Seconds SQL wrote stand for a date, which never equals the hash.
      parsed[index] = text === '' || written[k] ? undefined : legacyValue(parse ? parse(text) : text);
    }
    if (hash !== '') {
      for (let k = 0; k < comparedAt.length; k++) {
        const at = comparedAt[k]!;
        if ((isConverted[k] ? parsed[at] : values[at]) === hash) throw new AttributeValidationError(compared[k]!.attribute, 'would carry the stored password hash', 'Map it to another legacy field; hashes never leave the function.');
      }
    }
    for (let k = 0; k < converted.length; k++) {
      if (written[k]) continue;
      const { index, attribute } = converted[k]!;
      const text = csvText(attribute, parsed[index]);
      if (text !== values[index]) {
        values[index] = text;
        plain = false;
      }
    }
    // The extras never contain a comma when the line is used: then each is the text after one of the last commas.
    const extrasPlain = extras === 0 || ((enabledIndex < 0 || values[enabledIndex]!.indexOf(',') < 0) && (!needsHash || hash.indexOf(',') < 0));
    // The header's texts: the array itself, the reader's own fields after them.
    const usable = plain && extrasPlain && line.indexOf('"') < 0 && !anyPadded(values, header.length);
    return { login, enabled, hash, texts: values, line: !usable ? undefined : extras === 0 ? line : withoutLast(line, extras) };
  };
}
