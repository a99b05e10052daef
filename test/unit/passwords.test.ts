import { pbkdf2Sync } from 'node:crypto';
import { availableParallelism } from 'node:os';
import bcryptjs from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { findWorkerScript, verifyPool } from '../../src/passwords/pool.js';
import { INLINE_MAX_MS } from '../../src/passwords/registry.js';
import {
  UnsupportedHashError,
  bcryptVerifier,
  createArgon2Verifier,
  createDigestVerifier,
  createPasswordVerifier,
  createScryptVerifier,
  customVerifier,
  defaultWorkLimits,
  describeShape,
  verifyPassword,
} from '../../src/index.js';
import bcryptVectors from '../fixtures/bcrypt-vectors.json' with { type: 'json' };
import hashVectors from '../fixtures/hash-vectors.json' with { type: 'json' };

// Site-specific layouts from the fixture generator, configured as a user would.
const siteVerifiers = [
  createDigestVerifier({ id: 'acme-sha256', algorithm: 'sha256', order: 'salt+password', pepper: 'PEPPER' }),
  createDigestVerifier({
    id: 'acme-hmac', algorithm: 'sha512', order: 'password+salt', encoding: 'base64', pepper: 'PEPPER', hmac: true,
    split: (e) => { const [salt, digest] = e.split(':'); return salt && digest ? { salt, digest } : undefined; },
  }),
  createScryptVerifier({ id: 'acme-scrypt', N: 16384, r: 8, p: 1 }),
];
const SITE_FORMATS = new Set(siteVerifiers.map((v) => v.id));

type Vector = (typeof hashVectors.vectors)[number] & { truncated_to_72?: boolean };
const options = (v: Vector) => (SITE_FORMATS.has(v.format) ? { verifiers: siteVerifiers, format: v.format } : {});

describe('reference vectors from independent implementations (test/fixtures/make-hash-vectors.py)', () => {
  it.each(hashVectors.vectors.map((v) => [`${v.tool}: ${JSON.stringify(v.password.slice(0, 12))}`, v] as const))('%s', async (_name, v: Vector) => {
    expect(await verifyPassword(v.password, v.hash, options(v))).toBe(true);
    expect(await verifyPassword(`x${v.password}`, v.hash, options(v))).toBe(false);
    if (v.truncated_to_72) {
      // The legacy bcrypt read 72 bytes, so anything after them never mattered.
      expect(await verifyPassword(`${v.password}anything`, v.hash)).toBe(true);
    }
  });

  it('covers every format the issue lists', () => {
    const tools = hashVectors.vectors.map((v) => v.hash);
    for (const prefix of ['$2b$', '$2y$', '$argon2id$', '$argon2i$', '$scrypt$', 'scrypt:', 'pbkdf2_sha256$', 'pbkdf2_sha1$', 'pbkdf2:sha256', '$pbkdf2-sha256$', '$pbkdf2-sha512$', '$pbkdf2$', '$6$', '$5$', '$6$rounds=', '$5$rounds=', '$1$', '$apr1$', '$P$', '$H$', 'sha1$', 'md5$', '{SSHA}', '{SHA}', '{SMD5}', '{MD5}']) {
      expect(tools.some((h) => h.startsWith(prefix)), prefix).toBe(true);
    }
  });
});

describe('RFC vectors', () => {
  it.each(hashVectors.rfc.map((v) => [v.source, v] as const))('%s', async (_name, v) => {
    const verifiers = 'secret_hex' in v ? [createArgon2Verifier({ secret: Buffer.from(v.secret_hex as string, 'hex') })] : undefined;
    expect(await verifyPassword(v.password, v.hash, verifiers ? { verifiers } : {})).toBe(true);
    expect(await verifyPassword(`${v.password}!`, v.hash, verifiers ? { verifiers } : {})).toBe(false);
  });
});

describe('bcrypt', () => {
  it.each(bcryptVectors.vectors)('verifies the crypt_blowfish vector for "$password"', async ({ password, hash }) => {
    expect(await bcryptVerifier.verify(password, hash)).toBe(true);
    expect(await bcryptVerifier.verify(`${password}x`, hash)).toBe(password.length >= 72);
  });

  it('agrees with the legacy system on the 72-byte rule: only the first 72 UTF-8 bytes count', async () => {
    const long = bcryptVectors.vectors[4]!;
    expect(await bcryptVerifier.verify(long.password.slice(0, 72), long.hash)).toBe(true);
    expect(await bcryptVerifier.verify(long.password.slice(0, 71), long.hash)).toBe(false);
  });

  it('refuses $2x$ with a clear error that does not quote the hash', async () => {
    const hash = bcryptVectors.vectors[0]!.hash.replace('$2a$', '$2x$');
    const err = await bcryptVerifier.verify('U*U', hash).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedHashError);
    expect((err as Error).message).toMatch(/\$2x\$.*pre-2011/);
    expect((err as Error).message).not.toContain(hash.slice(7));
  });
});

describe('malformed and unsupported hashes fail fast, naming the format problem, never the hash', () => {
  it.each([
    '$2b$10$abc', '$2b$99$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', '$argon2id$v=19$m=abc$salt$hash', '$argon2id$v=7$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g',
    '$argon2i$v=19$m=8,t=1,p=4$c2FsdHNhbHQ$aGFzaGhhc2g', '$scrypt$ln=3$c2FsdA$aGFzaA', '$scrypt$ln=10,r=8,p=1$!!!$aGFzaA', 'scrypt:1000:8:1$salt$abcd',
    'pbkdf2_sha256$many$salt$aGFzaA==', 'pbkdf2:sha256$salt$abcd', 'pbkdf2:md4:1000$salt$abcd', '$pbkdf2-sha256$1000$c2FsdA', '$6$salt$short', '$5$rounds=5000$salt$',
    '$1$toolongsalt$abcdefghijklmnopqrstuv', '$apr1$salt$short', '$P$Bshort', '$P$!12345678abcdefghijklmnopqrstuv', 'sha1$salt$nothex', 'md5$$abcd',
    '{SSHA}!!!', '{SHA}c2hvcnQ=', '$9$unknownformat', 'plain text password', '',
  ])('%j', async (encoded) => {
    const started = performance.now();
    const err = await verifyPassword('password', encoded).then((ok) => ok, (e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(200);
    expect(err).toBeInstanceOf(UnsupportedHashError);
    const message = (err as Error).message;
    const secretPart = encoded.split('$').at(-1) ?? '';
    if (secretPart.length > 6) expect(message).not.toContain(secretPart);
  });
});

describe('work budget: a hash whose total work does not fit the time left is refused before any of it is done', () => {
  const deadline = () => Date.now() + 3000;
  it.each([
    ['bcrypt cost 31', '$2b$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', /ms are left/],
    ['a billion PBKDF2 rounds', `pbkdf2_sha256$1000000000$salt$${Buffer.alloc(32).toString('base64')}`, /ms are left/],
    ['passlib PBKDF2 at a billion', `$pbkdf2-sha256$1000000000$c2FsdA$${Buffer.alloc(32).toString('base64').replace(/=+$/, '')}`, /ms are left/],
    ['scrypt N=2^30', '$scrypt$ln=30,r=8,p=1$c2FsdA$aGFzaGhhc2hoYXNo', /MiB of memory/],
    ['Argon2 with 4 GiB', '$argon2id$v=19$m=4194304,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo', /MiB of memory/],
    ['Argon2 with 100,000 passes', '$argon2id$v=19$m=64,t=100000,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo', /ms are left/],
    // Each dimension is modest; together they are 20 s of work (the old per-dimension guard let this through).
    ['Argon2 m=256 MiB, t=64, p=16', '$argon2id$v=19$m=262144,t=64,p=16$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo', /ms are left/],
    ['Argon2 without v= (pure-JS engine), m=64 MiB t=8', '$argon2id$m=65536,t=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo', /ms are left/],
    ['sha512-crypt at 999,999,999 rounds', `$6$rounds=999999999$salt$${'a'.repeat(86)}`, /ms are left/],
    ['phpass at 2^30', `$P$${'S'}12345678${'a'.repeat(22)}`, /ms are left/],
  ])('%s', async (_case, encoded, message) => {
    const started = performance.now();
    const err = await verifyPassword('pw', encoded, { deadline: deadline() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedHashError);
    expect((err as UnsupportedHashError).kind).toBe('over_budget');
    expect((err as Error).message).toMatch(message);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('counts the password length where the format hashes it every round (sha512-crypt, 1,000,000 rounds, 256 characters)', async () => {
    const registry = createPasswordVerifier({ worker: false, limits: { cpuShare: 1 } });
    const encoded = `$6$rounds=1000000$saltsalt$${'a'.repeat(86)}`;
    const short = await registry.cost(encoded, undefined, 8);
    const long = await registry.cost(encoded, undefined, 256);
    expect(long.ms).toBeGreaterThan(short.ms * 1.2);
    // Time for the short password's work but not the long one's, on whatever CPU the
    // calibration measured (a fixed 2 s let the long one in on a fast CI machine).
    const started = performance.now();
    await expect(registry.verify('x'.repeat(256), encoded, undefined, { deadline: Date.now() + short.ms * 1.1 })).rejects.toMatchObject({ kind: 'over_budget' });
    expect(performance.now() - started).toBeLessThan(short.ms);
  });

  it('scales the time by the Lambda\'s CPU share and caps memory at half its size', async () => {
    expect(defaultWorkLimits({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128' })).toMatchObject({ maxMemoryBytes: 64 * 2 ** 20 });
    expect(defaultWorkLimits({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '3538' }).cpuShare).toBe(1);
    const cost12 = '$2b$12$9RxmCxGAyNjJFpah0sKJKuigD.q5wygH7.D119XqoJ545RAL/EAjO';
    const small = createPasswordVerifier({ limits: defaultWorkLimits({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256' }) });
    // Time left that a full vCPU's share would fit in but 256 MB's does not, on whatever CPU calibrated.
    const fullVcpuMs = (await small.cost(cost12)).ms;
    const left = (fullVcpuMs / small.limits.cpuShare) * 0.9;
    expect(fullVcpuMs).toBeLessThan(left);
    await expect(small.verify('pw', cost12, undefined, { deadline: Date.now() + left })).rejects.toMatchObject({ kind: 'over_budget' });
  });

  it('PBKDF2, one native call the deadline cannot stop, starts only when it fits twice in the time left; the rest only needs to fit once', async () => {
    const registry = createPasswordVerifier();
    const salt = 'pbkdf2salt';
    const pbkdf2 = { password: 'pw', hash: `pbkdf2_sha256$600000$${salt}$${pbkdf2Sync('pw', salt, 600_000, 32, 'sha256').toString('base64')}` };
    // Cost 10: time enough that the thread's round trip is not what is measured.
    const bcrypt = { password: 'pw', hash: bcryptjs.hashSync('pw', 10) };
    const wallOf = async (hash: string) => (await registry.cost(hash)).ms / registry.limits.cpuShare;
    expect(await registry.cost(pbkdf2.hash)).toMatchObject({ interruptible: false });
    // 1.5 times the estimate is left: enough for work the deadline stops, not for work it cannot.
    const left = async (hash: string) => Date.now() + Math.ceil(1.5 * (await wallOf(hash)));
    const refused = await registry.verify(pbkdf2.password, pbkdf2.hash, undefined, { deadline: await left(pbkdf2.hash) }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ kind: 'over_budget' });
    expect((refused as Error).message).toMatch(/cannot stop/);
    expect(await registry.verify(bcrypt.password, bcrypt.hash, undefined, { deadline: await left(bcrypt.hash) })).toBe(true);
    expect(await registry.verify(pbkdf2.password, pbkdf2.hash, undefined, { deadline: Date.now() + 2 * (await wallOf(pbkdf2.hash)) + 200 })).toBe(true);
  });
});

describe('worker threads', () => {
  it('verifies on a worker thread, and a costly verify does not hold up a cheap one in the same process', async () => {
    const registry = createPasswordVerifier();
    expect(registry.isolated).toBe(true);
    const costly = hashVectors.vectors.find((v) => v.hash.startsWith('$6$rounds='))!;
    const cheap = hashVectors.vectors.find((v) => v.hash.startsWith('$2b$'))!;
    // A costly hash the budget admits (a generous CPU share stands in for an estimate that is too low).
    const lenient = createPasswordVerifier({ limits: { cpuShare: 1000 } });
    await verifyPool()!.whenReady();
    const slow = lenient.verify('x'.repeat(256), `$6$rounds=999999$saltsalt$${'a'.repeat(86)}`, undefined, { deadline: Date.now() + 1000 }).catch((e: unknown) => e);
    const started = performance.now();
    expect(await registry.verify(cheap.password, cheap.hash)).toBe(true);
    const cheapMs = performance.now() - started;
    expect(cheapMs).toBeLessThan(400);
    // The deadline stops the costly one: its thread is terminated.
    expect(await slow).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    expect(await registry.verify(costly.password, costly.hash)).toBe(true);
  });

  it('a scrypt row stopped at its deadline stops: no core stays busy after the answer (node:crypto\'s threadpool scrypt kept one busy)', async () => {
    // Admitted on an estimate too low (a generous CPU share), as a wrong calibration would admit it: about 2 s of work, 128 MiB.
    const lenient = createPasswordVerifier({ limits: { cpuShare: 1000 } });
    await verifyPool()!.whenReady();
    const row = `$scrypt$ln=17,r=8,p=8$c2FsdHNhbHQ$${'A'.repeat(43)}`;
    const started = performance.now();
    expect(await lenient.verify('pw', row, undefined, { deadline: Date.now() + 300 }).catch((e: unknown) => e)).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    expect(performance.now() - started).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 100));
    const before = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 500));
    const { user, system } = process.cpuUsage(before);
    // Idle: a few ms of timers. Busy: about 500 ms of one core.
    expect((user + system) / 1000).toBeLessThan(150);
  });
});

describe('a fresh instance\'s first sign-in', () => {
  it('does not wait for the first thread to start when the hash is cheap; a costly one waits, to keep its deadline stop', async () => {
    // A thread that never finishes starting: whatever goes to it waits until the deadline.
    const starting = new URL('../fixtures/never-ready-worker.mjs', import.meta.url);
    const registry = createPasswordVerifier({ worker: starting });
    const cost4 = bcryptjs.hashSync('pw', 4);
    expect(await registry.verify('pw', cost4, undefined, { deadline: Date.now() + 2000 })).toBe(true);
    expect(verifyPool(starting)!.hasStarted()).toBe(false);
    // Cost 13: over the inline limit on any CPU the calibration accepts (it scales by 0.5 to 3).
    const cost13 = bcryptjs.hashSync('pw', 13);
    const wallMs = (await registry.cost(cost13)).ms / registry.limits.cpuShare;
    expect(wallMs).toBeGreaterThan(INLINE_MAX_MS);
    await expect(registry.verify('pw', cost13, undefined, { deadline: Date.now() + wallMs * 1.5 + 100 })).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    await verifyPool(starting)!.close();
  });
});

describe('a fresh instance\'s first thread starts after its first answer', () => {
  it('making the registry starts no thread; the first cheap verification runs on the calling thread and then starts one', async () => {
    // Started at cold start, the thread's loading took CPU from the first sign-in beside it (+20 ms, bench "verification worker start").
    const script = new URL(`${findWorkerScript()!.href}?lazy`);
    const registry = createPasswordVerifier({ worker: script });
    const pool = verifyPool(script)!;
    expect(pool.stats.started).toBe(0);
    const cheap = bcryptjs.hashSync('pw', 4);
    const answered = registry.verify('pw', cheap, undefined, { deadline: Date.now() + 2000 });
    expect(pool.stats.started).toBe(0);
    expect(await answered).toBe(true);
    expect(pool.stats.started).toBe(1);
    await pool.whenReady();
    await pool.close();
  });
});

describe('worker pool under contention', () => {
  it('a sign-in that gave up waiting for a thread does not take the next free thread from one still waiting', async () => {
    // A pool of its own (another URL of the same script), every thread held by a costly verify.
    const script = new URL(`${findWorkerScript()!.href}?contention`);
    const threads = Math.max(2, availableParallelism());
    const lenient = createPasswordVerifier({ worker: script, limits: { cpuShare: 1000 } });
    await verifyPool(script)!.whenReady();
    const cheap = hashVectors.vectors.find((v) => v.hash.startsWith('$2b$'))!;
    const costly = `$6$rounds=99999999$saltsalt$${'a'.repeat(86)}`;
    const order: string[] = [];
    const t0 = Date.now();
    // The first holder is stopped at 800 ms; the others hold their threads until 4 s.
    const holders = Array.from({ length: threads }, (_, i) => lenient.verify('x'.repeat(256), costly, undefined, { deadline: t0 + (i === 0 ? 800 : 4000) })
      .then(() => order.push('holder finished'), () => order.push(i === 0 ? 'first holder stopped' : 'holder stopped')));
    await new Promise((r) => setTimeout(r, 50));
    const impatient = lenient.verify(cheap.password, cheap.hash, undefined, { deadline: t0 + 300 }).catch(() => order.push('impatient gave up'));
    const patient = lenient.verify(cheap.password, cheap.hash, undefined, { deadline: t0 + 3500 }).then((ok) => order.push(`patient verified ${ok}`), () => order.push('patient gave up'));
    await Promise.all([...holders, impatient, patient]);
    expect(order.slice(0, 3)).toEqual(['impatient gave up', 'first holder stopped', 'patient verified true']);
  });
});

describe('Unicode', () => {
  const v = hashVectors.vectors.find((x) => x.password.startsWith('pässwörd') && x.hash.startsWith('$argon2id$v=19'))!;
  const nfd = v.password.normalize('NFD');

  it('verifies the UTF-8 bytes as typed by default', async () => {
    expect(nfd).not.toBe(v.password);
    expect(await verifyPassword(v.password, v.hash)).toBe(true);
    expect(await verifyPassword(nfd, v.hash)).toBe(false);
  });

  it('applies NFC or NFKC first when asked, for legacy systems that normalised', async () => {
    expect(await verifyPassword(nfd, v.hash, { normalize: 'NFC' })).toBe(true);
    expect(await verifyPassword(nfd, v.hash, { normalize: 'NFKC' })).toBe(true);
  });
});

describe('verifier registry', () => {
  it('picks a verifier by explicit name, and lets a custom verifier replace a built-in one', async () => {
    const registry = createPasswordVerifier({ verifiers: [customVerifier('plain-for-test', async (p, e) => e === `plain:${p}`, (e) => e.startsWith('plain:'))] });
    expect(await registry.verify('a', 'plain:a')).toBe(true);
    expect(await registry.verify('U*U', bcryptVectors.vectors[0]!.hash, 'bcrypt')).toBe(true);
    const override = createPasswordVerifier({ verifiers: [customVerifier('bcrypt', async () => true)] });
    expect(await override.verify('anything', 'whatever', 'bcrypt')).toBe(true);
  });

  it('describes an unknown format by length only, never by its own characters', async () => {
    const registry = createPasswordVerifier();
    const err = await registry.verify('x', '$9$secretsaltandhash').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedHashError);
    expect((err as Error).message).toContain('an unrecognised 20-character string');
    expect((err as Error).message).not.toContain('secret');
    // A plaintext password kept where a hash belongs, shaped like a prefix the old description quoted.
    expect(describeShape('hunter2_secret_word$rest')).toBe('an unrecognised 24-character string');
    expect(describeShape(`$6$${'s'.repeat(16)}$x`)).toBe('$6$… (21 characters)');
    await expect(registry.verify('x', 'abc', 'md5-unknown')).rejects.toThrow(/no verifier is registered under the format the store named/);
  });

  it('times refusals against the configured timing hash only, never a stored one', async () => {
    const seen: string[] = [];
    const registry = createPasswordVerifier({
      verifiers: [customVerifier('counting', async (_p, e) => (seen.push(e), false), (e) => e.startsWith('cost'))],
      timingHash: 'cost1',
    });
    await registry.verifyTimingHash('x');
    await registry.verify('x', 'cost7');
    await registry.verifyTimingHash('x');
    expect(seen).toEqual(['cost1', 'cost7', 'cost1']);
  });
});
