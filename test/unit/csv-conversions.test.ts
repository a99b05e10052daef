// Round trips of the export's re-encodings: legacy hash (made by the legacy
// library, test/fixtures/make-import-vectors.py) → the string the import file
// carries → the known password verifies against it in the published layout,
// and a wrong one does not.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IMPORT_BOUNDS, importability, verifyImportHash } from '../../src/csv/export.js';
import { hashProblem } from '../../src/csv/hash-import.js';
import { parseConvertible, parseScryptLayout, toPbkdf2Layout, toScryptLayout } from '../../src/csv/hash-convert.js';
import { verifyPassword } from '../../src/passwords/registry.js';

interface Vector { source: string; tool: string; password: string; hash: string; expect: 'BCRYPT' | 'SCRYPT' | 'ARGON2ID' | 'PBKDF2_SHA256' | 'over' }
const { vectors } = JSON.parse(readFileSync(new URL('../fixtures/import-vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] };
const ALL = { conversions: ['pbkdf2', 'scrypt'] } as const;

describe('hash conversions into the published import layouts, vectors from the legacy libraries', () => {
  const importable = vectors.filter((v) => v.expect !== 'over');
  it('the fixture has every source at its bound and over it', () => {
    const sources = new Set(vectors.map((v) => v.source));
    expect([...sources].sort()).toEqual(['argon2id', 'bcrypt', 'django-pbkdf2', 'passlib-pbkdf2', 'passlib-scrypt', 'werkzeug-pbkdf2', 'werkzeug-scrypt']);
    for (const source of sources) {
      expect(vectors.some((v) => v.source === source && v.expect === 'over'), source).toBe(true);
      expect(vectors.some((v) => v.source === source && v.expect !== 'over'), source).toBe(true);
    }
  });

  it.each(importable.map((v) => [`${v.source} (${v.tool}) → ${v.expect}`, v] as const))('%s: the password verifies against the converted string, a wrong one does not', async (_, v) => {
    // The legacy verifier agrees with the legacy library first, so a failure below is the conversion's.
    expect(await verifyPassword(v.password, v.hash)).toBe(true);
    const verdict = importability(v.hash, ALL);
    expect(verdict).toMatchObject({ algorithm: v.expect });
    const { hash, convertedFrom } = verdict as { hash: string; convertedFrom?: string };
    const passThrough = ['bcrypt', 'argon2id', 'passlib-pbkdf2'].includes(v.source);
    if (passThrough) {
      expect(hash).toBe(v.hash);
      expect(convertedFrom).toBeUndefined();
    } else {
      expect(hash).not.toBe(v.hash);
      expect(convertedFrom).toMatch(/^(Django|Werkzeug|passlib) /);
    }
    if (v.expect === 'SCRYPT') expect(hash).toMatch(/^\$scrypt\$\d+\$\d+\$\d+\$[0-9a-f]+\$[0-9a-f]+$/);
    if (v.expect === 'PBKDF2_SHA256') expect(hash).toMatch(/^\$pbkdf2-sha256\$\d+\$[A-Za-z0-9./]+\$[A-Za-z0-9./]+$/);
    expect(await verifyImportHash(v.password, v.expect as 'SCRYPT', hash)).toBe(true);
    expect(await verifyImportHash(`${v.password}!`, v.expect as 'SCRYPT', hash)).toBe(false);
    expect(await verifyImportHash(v.password.slice(1), v.expect as 'SCRYPT', hash)).toBe(false);
    // What the import runner and the linter check: the converted string passes for its algorithm.
    expect(hashProblem(hash, v.expect as 'SCRYPT')).toBeUndefined();
  });

  it.each(vectors.filter((v) => v.expect === 'over').map((v) => [`${v.source} (${v.tool})`, v] as const))('%s one over a bound is left out with the bound named, whichever conversions are on', (_, v) => {
    for (const conversions of [['pbkdf2', 'scrypt'], []] as const) {
      const verdict = importability(v.hash, { conversions });
      expect(verdict).toMatchObject({ reason: expect.stringMatching(/over the import bound/) });
      expect((verdict as { reason: string }).reason).not.toContain(v.hash.slice(-8));
    }
  });

  it('by default PBKDF2 is re-encoded and scrypt is left for the trigger, naming the option that turns it on', () => {
    const django = vectors.find((v) => v.source === 'django-pbkdf2' && v.expect !== 'over')!;
    const werkzeug = vectors.find((v) => v.source === 'werkzeug-scrypt' && v.expect !== 'over')!;
    const passlib = vectors.find((v) => v.source === 'passlib-scrypt' && v.expect !== 'over')!;
    expect(importability(django.hash)).toMatchObject({ algorithm: 'PBKDF2_SHA256', convertedFrom: 'Django pbkdf2_sha256' });
    for (const v of [werkzeug, passlib]) expect(importability(v.hash)).toEqual({ reason: expect.stringMatching(/the scrypt conversion is off \(--convert scrypt turns it on\)$/) });
    expect(importability(django.hash, { conversions: [] })).toEqual({ reason: expect.stringMatching(/the pbkdf2 conversion is off/) });
  });

  it('a file carrying a legacy layout is refused by the runner\'s and linter\'s check, with the fix', () => {
    const django = vectors.find((v) => v.source === 'django-pbkdf2' && v.expect !== 'over')!;
    expect(hashProblem(django.hash, 'PBKDF2_SHA256')).toEqual({ rule: expect.stringContaining('a Django pbkdf2_sha256 hash, which Cognito takes only re-encoded'), fix: expect.stringContaining('csv export') });
  });

  it('scrypt at the bounds (N 65536, r 8, p 1) is importable and one over on each is not, in the published layout too', () => {
    const salt = Buffer.from('salt');
    const key = Buffer.alloc(32, 7);
    const b = IMPORT_BOUNDS.scrypt;
    expect(importability(toScryptLayout(b.N, b.r, b.p, salt, key))).toMatchObject({ algorithm: 'SCRYPT' });
    for (const [N, r, p] of [[b.N * 2, b.r, b.p], [b.N, b.r + 1, b.p], [b.N, b.r, b.p + 1]] as const) {
      expect(importability(toScryptLayout(N, r, p, salt, key))).toEqual({ reason: `scrypt N=${N} r=${r} p=${p} is over the import bounds (N ≤ 65536, r ≤ 8, p ≤ 1)` });
    }
    expect(parseScryptLayout(toScryptLayout(1024, 8, 1, salt, key))).toEqual({ N: 1024, r: 8, p: 1, salt, key });
  });

  it('RFC 7914 §11: PBKDF2-HMAC-SHA256 "passwd"/"salt"/1 in the PBKDF2_SHA256 layout verifies', async () => {
    const key = Buffer.from('55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783', 'hex');
    const layout = toPbkdf2Layout(1, Buffer.from('salt'), key);
    expect(await verifyImportHash('passwd', 'PBKDF2_SHA256', layout)).toBe(true);
    expect(await verifyImportHash('passwe', 'PBKDF2_SHA256', layout)).toBe(false);
  });

  it('strings that only look convertible are not taken apart', () => {
    for (const hash of ['pbkdf2_sha256$600000$salt$not base64!', 'pbkdf2:sha256:600000$salt$xyz', 'scrypt:32768:8$salt$abcd', '$scrypt$ln=99,r=8,p=1$c2FsdA$aGFzaA', 'pbkdf2_sha1$1000$salt$aGFzaA==']) {
      expect(parseConvertible(hash), hash).toBeUndefined();
      expect(importability(hash, ALL), hash).toMatchObject({ reason: expect.any(String) });
    }
  });
});
