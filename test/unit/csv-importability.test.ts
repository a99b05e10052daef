import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IMPORT_BOUNDS, importAlgorithmOf, importability } from '../../src/csv/export.js';
import { bcryptCost } from '../../src/csv/hash-import.js';

const SALT = 'c2FsdHNhbHRzYWx0';
const HASH = 'aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
const bcrypt = (cost: number, prefix = '2b') => `$${prefix}$${String(cost).padStart(2, '0')}$74njSJg.N7.sV9iduNLsL.uBFOeOqhzoRi8N6zQpRKa0sG7gVOD16`;
const argon = (m: number, t: number, p: number, v = 19) => `$argon2id$v=${v}$m=${m},t=${t},p=${p}$${SALT}$${HASH}`;
const pbkdf2 = (iterations: number) => `$pbkdf2-sha256$${iterations}$${SALT}$${HASH}`;

describe('importability: the published formats and bounds of Cognito hash import', () => {
  it('bcrypt: $2a$, $2b$, $2x$ and $2y$ at cost 12 are importable; cost 13 is over', () => {
    for (const prefix of ['2a', '2b', '2x', '2y']) expect(importAlgorithmOf(bcrypt(12, prefix))).toBe('BCRYPT');
    expect(importability(bcrypt(IMPORT_BOUNDS.bcryptCost + 1))).toEqual({ reason: 'bcrypt cost 13 is over the import bound 12' });
  });

  it('Argon2id: m=19456, t=2, p=1, v=19 is importable; one over on any parameter, or another version, is not', () => {
    expect(importAlgorithmOf(argon(19456, 2, 1))).toBe('ARGON2ID');
    for (const over of [argon(19457, 2, 1), argon(19456, 3, 1), argon(19456, 2, 2), argon(19456, 2, 1, 16)]) {
      expect(importability(over)).toMatchObject({ reason: expect.stringMatching(/over the import bounds/) });
    }
    expect(importability(`$argon2id$m=19456,t=2,p=1$${SALT}$${HASH}`)).toMatchObject({ reason: expect.stringMatching(/without v=19/) });
  });

  it('PBKDF2-SHA256: 600,000 iterations is importable; 600,001 and Django 5\'s 870,000 are over', () => {
    expect(importAlgorithmOf(pbkdf2(600_000))).toBe('PBKDF2_SHA256');
    for (const n of [600_001, 870_000]) expect(importability(pbkdf2(n))).toEqual({ reason: `PBKDF2-SHA256 at ${n} iterations is over the import bound 600000` });
  });

  it('formats that need a conversion, and formats Cognito does not take, are refused with a reason that names the format, never the hash', () => {
    const cases = [
      '$scrypt$ln=16,r=8,p=1$c2FsdA$aGFzaA', 'scrypt:32768:8:1$salt$abcdef',
      'pbkdf2_sha256$870000$salt$aGFzaA==', 'pbkdf2:sha256:600001$salt$abcdef',
      '$1$saltsalt$abcdefghijklmnopqrstuv', '$P$Babcdefghijklmnopqrstuvwxyz01234', '5f4dcc3b5aa765d61d8327deb882cf99',
      `$argon2i$v=19$m=19456,t=2,p=1$${SALT}$${HASH}`,
    ];
    for (const hash of cases) {
      const verdict = importability(hash);
      expect(verdict, hash).toMatchObject({ reason: expect.any(String) });
      expect(importAlgorithmOf(hash)).toBeUndefined();
      const reason = (verdict as { reason: string }).reason;
      expect(reason).not.toContain(hash.slice(-6));
    }
    expect(importability(undefined)).toBeUndefined();
    expect(importability('')).toBeUndefined();
  });

  it('bcryptCost reads exactly what /^\$2[abxy]\$(\d{2})\$/ matches', () => {
    const near = fc.string({ unit: fc.constantFrom('$', '2', 'a', 'b', 'x', 'y', 'z', '0', '1', '9', '/', ':', '٣'), maxLength: 9 });
    fc.assert(fc.property(fc.oneof(near, fc.tuple(fc.constantFrom('$2a$', '$2b$', '$2x$', '$2y$', '$2c$', '$3b$'), near).map(([p, r]) => p + r)), (hash) => {
      const m = /^\$2[abxy]\$(\d{2})\$/.exec(hash);
      expect(bcryptCost(hash)).toBe(m ? Number(m[1]) : -1);
    }), { numRuns: 20_000 });
  });
});
