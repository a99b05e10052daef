// The leanest export the bench's table allows, for `npm run bench`: the same
// COPY read as `csv export`, and for each row the same checks and escaping,
// written out by hand for the bench table's eleven columns (no attribute
// mapping, no type parsers, no user objects). It is not a tool: it shows what a
// JavaScript export with every check costs at the least, next to psql \copy.
// Arguments: DATABASE_URL OUT_FILE SEEN_SET_MODULE RULES_MODULE.
import { createWriteStream } from 'node:fs';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

const [url, outFile, seenSetModule, rulesModule] = process.argv.slice(2);
const { SeenSet } = await import(pathToFileURL(seenSetModule).href);
const { csvValue } = await import(pathToFileURL(rulesModule).href);
const E164 = /^\+[1-9]\d{1,14}$/;
const BCRYPT = /^\$2[abxy]\$(\d{2})\$/;
const seen = new SeenSet();
const out = createWriteStream(outFile, { highWaterMark: 1024 * 1024 });
const client = new pg.Client(url);
await client.connect();
await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
let block = [];
let size = 0;
let carry = '';
let exported = 0;
// Columns: id username email email_verified given_name family_name phone_number phone_verified updated_at enabled password_hash.
for await (const chunk of client.query(copyTo('COPY (SELECT * FROM cognito_migrate_bench_csv.users ORDER BY id) TO STDOUT'))) {
  const text = carry + chunk.toString('utf8');
  const end = text.lastIndexOf('\n');
  carry = text.slice(end + 1);
  for (const row of text.slice(0, end).split('\n')) {
    const f = row.split('\t');
    if (f[9] !== 't') continue;
    const username = csvValue(f[1]);
    const email = csvValue(f[2]);
    const given = csvValue(f[4]);
    const family = csvValue(f[5]);
    const phone = csvValue(f[6]);
    const hash = csvValue(f[10]);
    if (!username || /\s/.test(username) || email === undefined || given === undefined || family === undefined || phone === undefined || hash === undefined) continue;
    if (phone && !E164.test(phone)) continue;
    if (f[3] !== 't' || !email) continue;
    const cost = BCRYPT.exec(hash);
    if (!cost || Number(cost[1]) > 12) continue;
    const t = f[8];
    const seconds = Math.floor(Date.UTC(+t.slice(0, 4), +t.slice(5, 7) - 1, +t.slice(8, 10), +t.slice(11, 13), +t.slice(14, 16), +t.slice(17, 19)) / 1000);
    const line = ['', given, family, email, 'true', phone, f[7] === 't' ? 'true' : 'false', String(seconds), f[0], 'false', username, hash].join(',');
    if (line.length > 16_000 || !seen.add(username)) continue;
    block.push(line);
    size += line.length;
    exported++;
    if (size >= 64 * 1024) {
      if (!out.write(`${block.join('\n')}\n`)) await new Promise((r) => out.once('drain', r));
      block = [];
      size = 0;
    }
  }
}
out.write(`${block.join('\n')}\n`);
await new Promise((r) => out.end(r));
await client.query('COMMIT');
await client.end();
process.stdout.write(`${JSON.stringify({ exported })}\n`);
