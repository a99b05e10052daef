// COPY's text lines with `,` as the delimiter, split back into values: the
// projected export reads every line through here.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { onlyCommaEscapes, splitCopyLine } from '../../../adapters/postgres/project.js';

// PostgreSQL's CopyAttributeOutText: the backslash, the delimiter and six control characters are escaped; nothing else.
const CONTROL: Record<string, string> = { '\b': 'b', '\f': 'f', '\n': 'n', '\r': 'r', '\t': 't', '\v': 'v' };
const copyEscape = (value: string) => value.replace(/[\\,\b\f\n\r\t\v]/g, (c) => `\\${CONTROL[c] ?? c}`);

describe('splitCopyLine', () => {
  it('gives back the values COPY wrote, and says plain only when `\\,` was the one escape', () => {
    const value = fc.string({ unit: fc.constantFrom('a', ',', '\\', '\b', '\f', '\n', '\r', '\t', '\v', '"', ' ', 'é', '\u0001', 'N'), maxLength: 6 });
    fc.assert(fc.property(fc.array(value, { minLength: 1, maxLength: 6 }), (values) => {
      const line = values.map(copyEscape).join(',');
      expect(splitCopyLine(line)).toEqual(values);
      expect(onlyCommaEscapes(line)).toBe(values.every((v) => !/[\\\b\f\n\r\t\v]/.test(v)));
    }), { numRuns: 3000 });
  });

  it('reads the forms the export meets', () => {
    expect(splitCopyLine('t,ada,Smith\\, Jr.,,$2b$10$x')).toEqual(['t', 'ada', 'Smith, Jr.', '', '$2b$10$x']);
    expect(onlyCommaEscapes('t,ada,Smith\\, Jr.,,$2b$10$x')).toBe(true);
    expect(splitCopyLine('a\\\\,b\\nc')).toEqual(['a\\', 'b\nc']);
    expect(onlyCommaEscapes('a\\\\,b\\nc')).toBe(false);
  });
});
