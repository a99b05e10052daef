// How the export writes a legacy value before escaping (src/csv/export.ts csvText).
import { describe, expect, it } from 'vitest';
import { csvText } from '../../src/csv/export.js';
import { recordChecker } from '../../src/csv/rules.js';

describe('csvText', () => {
  it('writes booleans, birthdates, updated_at seconds and other dates as the import expects', () => {
    expect(csvText('email_verified', true)).toBe('true');
    expect(csvText('birthdate', '1990-05-17')).toBe('05/17/1990');
    expect(csvText('birthdate', new Date('1990-05-17T00:00:00Z'))).toBe('05/17/1990');
    expect(csvText('updated_at', new Date('2024-01-02T03:04:05.999Z'))).toBe('1704164645');
    expect(csvText('custom:seen', new Date('2024-01-02T03:04:05Z'))).toBe('2024-01-02T03:04:05.000Z');
    expect(csvText('given_name', undefined)).toBe('');
  });

  it('a date past what JavaScript holds is text the rules refuse, not a RangeError that stops the export', () => {
    const far = new Date(Number.NaN);
    for (const column of ['birthdate', 'updated_at', 'custom:seen']) expect(csvText(column, far)).toBe('Invalid Date');
    const header = ['cognito:username', 'birthdate', 'updated_at'];
    const problems = recordChecker({ header }, header)(['ada', csvText('birthdate', far), csvText('updated_at', far)], 2);
    expect(problems.map((p) => p.column)).toEqual(['birthdate', 'updated_at']);
  });
});
