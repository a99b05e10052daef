import { describe, expect, it } from 'vitest';
import { UnsupportedHashError, bcryptVerifier, createPasswordVerifier } from '../../src/index.js';
import vectors from '../fixtures/bcrypt-vectors.json' with { type: 'json' };

describe('bcrypt verifier', () => {
  it.each(vectors.vectors)('verifies the crypt_blowfish vector for "$password"', async ({ password, hash }) => {
    expect(await bcryptVerifier.verify(password, hash)).toBe(true);
    expect(await bcryptVerifier.verify(`${password}x`, hash)).toBe(password.length >= 72);
  });

  it.each(['$2b$', '$2y$'])('reads the %s prefix like $2a$', async (prefix) => {
    const { password, hash } = vectors.vectors[0]!;
    expect(await bcryptVerifier.verify(password, hash.replace('$2a$', prefix))).toBe(true);
  });

  it('agrees with the legacy system on the 72-byte rule: only the first 72 UTF-8 bytes count', async () => {
    const long = vectors.vectors[4]!;
    expect(await bcryptVerifier.verify(long.password.slice(0, 72), long.hash)).toBe(true);
    expect(await bcryptVerifier.verify(long.password.slice(0, 71), long.hash)).toBe(false);
  });

  it('refuses $2x$ with a clear error that does not quote the hash', async () => {
    const hash = vectors.vectors[0]!.hash.replace('$2a$', '$2x$');
    const err = await bcryptVerifier.verify('U*U', hash).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedHashError);
    expect((err as Error).message).toMatch(/\$2x\$.*pre-2011/);
    expect((err as Error).message).not.toContain(hash.slice(7));
  });

  it.each([
    ['truncated', '$2b$10$abc'],
    ['bad cost', '$2b$99$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
    ['bad alphabet', '$2b$05$CCCCCCCCCCCCCCCCCCCCC!E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
  ])('rejects a malformed hash (%s) with UnsupportedHashError', async (_case, hash) => {
    await expect(bcryptVerifier.verify('x', hash)).rejects.toBeInstanceOf(UnsupportedHashError);
  });
});

describe('verifier registry', () => {
  it('picks the verifier from the string or by explicit name', async () => {
    const registry = createPasswordVerifier({
      verifiers: [{ id: 'plain-for-test', recognizes: (e) => e.startsWith('plain:'), verify: async (p, e) => e === `plain:${p}` }],
    });
    expect(await registry.verify('a', 'plain:a')).toBe(true);
    expect(await registry.verify('U*U', vectors.vectors[0]!.hash, 'bcrypt')).toBe(true);
  });

  it('names an unknown format by its prefix only', async () => {
    const registry = createPasswordVerifier();
    const err = await registry.verify('x', '$9$secretsaltandhash').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedHashError);
    expect((err as Error).message).toContain('$9$…');
    expect((err as Error).message).not.toContain('secretsalt');
    await expect(registry.verify('x', 'abc', 'md5-unknown')).rejects.toThrow(/no verifier is registered under that name/);
  });

  it('times unknown users with a dummy that follows the cost of real hashes', async () => {
    const costs: string[] = [];
    const registry = createPasswordVerifier({
      verifiers: [{
        id: 'counting',
        recognizes: (e) => e.startsWith('cost'),
        verify: async (_p, e) => (costs.push(e), false),
        costKey: (e) => e,
        makeDummy: async (e) => e,
      }],
      timingHash: 'cost1',
    });
    await registry.verifyDummy('x');
    await registry.verify('x', 'cost7');
    await new Promise((r) => setTimeout(r, 0));
    await registry.verifyDummy('x');
    expect(costs).toEqual(['cost1', 'cost7', 'cost7']);
  });
});
