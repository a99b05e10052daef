// COPY's text form read as node-postgres reads a query's rows: the quick
// timestamp reader must give the very Date postgres-date gives, or decline.
import fc from 'fast-check';
import pgTypes from 'pg-types';
import { describe, expect, it } from 'vitest';
import { copyFieldParser, parseCopyLine, quickTimestamp } from '../../../adapters/postgres/copy-text.js';

const reference = pgTypes.getTypeParser(1184, 'text') as (text: string) => Date;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

const timestampText = fc.record({
  year: fc.integer({ min: 1000, max: 9999 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }),
  hour: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: 0, max: 59 }), second: fc.integer({ min: 0, max: 59 }),
  fraction: fc.option(fc.stringMatching(/^[0-9]{1,6}$/), { nil: undefined }),
  zone: fc.constantFrom('', '+00', '-08', '+05:30', '-03:30', '+14', '-12'),
}).map((t) => `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)} ${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}${t.fraction === undefined ? '' : `.${t.fraction}`}${t.zone}`);

describe('quickTimestamp', () => {
  it('gives the same instant as postgres-date for every form PostgreSQL writes in ISO style', () => {
    fc.assert(fc.property(timestampText, (text) => {
      expect(quickTimestamp(text)?.getTime()).toBe(reference(text).getTime());
    }), { numRuns: 5000 });
  });

  it('gives the same milliseconds as postgres-date for every fraction PostgreSQL can write (one to six digits)', () => {
    let differing = 0;
    for (let places = 1; places <= 6; places++) {
      for (let f = 0; f < 10 ** places; f++) {
        const text = `2024-01-02 03:04:05.${pad(f, places)}+00`;
        if (quickTimestamp(text)!.getTime() !== reference(text).getTime()) differing++;
      }
    }
    expect(differing).toBe(0);
  });

  it('counts days as Date.UTC does across leap years, centuries and the turn of each month', () => {
    for (const year of [1000, 1600, 1899, 1900, 1970, 1999, 2000, 2024, 2100, 2400, 9999]) {
      for (let month = 1; month <= 12; month++) {
        for (const day of [1, 28, 29, 30, 31]) {
          const text = `${year}-${pad(month, 2)}-${pad(day, 2)} 23:59:59-01`;
          expect(quickTimestamp(text)?.getTime(), text).toBe(reference(text).getTime());
        }
      }
    }
  });

  it.each([
    ['a BC date', '0044-03-15 12:00:00+00 BC'],
    ['infinity', 'infinity'],
    ['a year before 1000 (postgres-date corrects 0–99)', '0099-01-01 00:00:00+00'],
    ['a five-digit year', '12345-01-01 00:00:00+00'],
    ['seconds in the offset', '1890-01-01 00:00:00+00:09:21'],
    ['a date alone', '2024-01-02'],
    ['an empty fraction', '2024-01-02 03:04:05.+00'],
    ['a letter among the digits', '2024-0a-02 03:04:05+00'],
    ['a fraction of seven digits', '2024-01-02 03:04:05.1234567+00'],
    ['a month out of range', '2024-13-02 03:04:05+00'],
  ])('declines %s, and the field parser still reads it as postgres-date does', (_, text) => {
    expect(quickTimestamp(text)).toBeUndefined();
    const parsed = copyFieldParser(1184)!(text);
    const expected = reference(text);
    expect(parsed instanceof Date ? parsed.getTime() : parsed).toEqual(expected instanceof Date ? expected.getTime() : expected);
  });
});

describe('parseCopyLine', () => {
  it('reads NULLs, escapes and parsed fields', () => {
    const int = pgTypes.getTypeParser(23, 'text') as (t: string) => number;
    expect(parseCopyLine('7\ta\\tb\\\\c\t\\N\t\\\\N', [int, undefined, undefined, undefined])).toEqual([7, 'a\tb\\c', null, '\\N']);
  });
});
