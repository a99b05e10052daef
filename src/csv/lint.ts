import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CSV_LIMITS, type CsvProblem, type CsvRules, checkHeader, recordChecker, splitCsvLine } from './rules.js';
import { SeenSet } from './seen-set.js';

/** What {@link lintCsvFile} found. */
export interface LintResult {
  problems: CsvProblem[];
  /** Users in the file (lines after the header). */
  users: number;
}

/**
 * Checks a CSV import file against every rule of REFERENCE §4, streaming (a
 * 100 MB file is read in near-constant memory; usernames are kept as 8-byte
 * fingerprints to find duplicates).
 *
 * @example
 * ```ts
 * const { problems } = await lintCsvFile('users.csv', { header: csvHeader.CSVHeader })
 * for (const p of problems) console.log(`${p.line}: ${p.column}: ${p.rule}. ${p.fix}`)
 * ```
 */
export async function lintCsvFile(path: string, rules: CsvRules, { maxProblems = 10_000 } = {}): Promise<LintResult> {
  const problems: CsvProblem[] = [];
  const add = (p: CsvProblem) => {
    if (problems.length < maxProblems) problems.push(p);
  };
  const { size } = await stat(path);
  if (size > CSV_LIMITS.fileBytes) add({ line: 0, column: '(file)', rule: `the file is ${size} bytes; an import file may be at most 100 MB`, fix: 'Split it (cognito-migrate csv export splits at 100 MB and 500,000 users).' });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let header: string[] | undefined;
  let check: ReturnType<typeof recordChecker> | undefined;
  let usernameAt = -1;
  let lineNo = 0;
  let users = 0;
  const usernames = new SeenSet();

  const onLine = (bytes: Buffer) => {
    lineNo++;
    if (lineNo === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      add({ line: 1, column: '(file)', rule: 'the file starts with a UTF-8 byte-order mark', fix: 'Save it as UTF-8 without BOM.' });
      bytes = bytes.subarray(3);
    }
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      add({ line: lineNo, column: '(line)', rule: 'the line is not valid UTF-8', fix: 'Save the file as UTF-8.' });
      return;
    }
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (lineNo === 1) {
      header = splitCsvLine(text).map((c) => c.trim());
      for (const p of checkHeader(header, rules)) add(p);
      check = recordChecker(rules, header);
      usernameAt = header.lastIndexOf('cognito:username');
      return;
    }
    if (text.trim() === '') return;
    users++;
    if (text.length > CSV_LIMITS.lineChars) add({ line: lineNo, column: '(line)', rule: `the line has ${text.length} characters; at most ${CSV_LIMITS.lineChars}`, fix: 'Shorten the values (custom attributes are the usual cause).' });
    if (text.includes('"')) add({ line: lineNo, column: '(line)', rule: 'values are not quoted in Cognito CSV, and may not contain quotes', fix: 'Remove the quotes; escape commas inside a value with a backslash (\\,).' });
    const values = splitCsvLine(text);
    if (values.length !== header!.length) {
      add({ line: lineNo, column: '(line)', rule: `the line has ${values.length} values for ${header!.length} columns`, fix: 'Escape commas inside values as \\, and give every column a value (empty is fine).' });
      return;
    }
    for (const p of check!(values, lineNo)) add(p);
    const username = usernameAt >= 0 ? values[usernameAt]!.trim() : undefined;
    if (username) {
      if (!usernames.add(username)) add({ line: lineNo, column: 'cognito:username', rule: `duplicate username "${username}" (the job skips or fails duplicates: "Too many users have failed or been skipped")`, fix: 'Keep each user once.' });
    }
  };

  let pending: Buffer[] = [];
  for await (const chunk of createReadStream(path)) {
    let start = 0;
    const buf = chunk as Buffer;
    for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, start)) {
      pending.push(buf.subarray(start, i));
      onLine(Buffer.concat(pending));
      pending = [];
      start = i + 1;
    }
    if (start < buf.length) pending.push(buf.subarray(start));
  }
  if (pending.length && Buffer.concat(pending).length) onLine(Buffer.concat(pending));
  if (lineNo === 0) add({ line: 0, column: '(file)', rule: 'the file is empty', fix: 'Start with the header line from GetCSVHeader.' });
  if (users > CSV_LIMITS.users) add({ line: 0, column: '(file)', rule: `the file has ${users} users; at most ${CSV_LIMITS.users} per file`, fix: 'Split it into several files and jobs.' });
  return { problems, users };
}
