// Runs one `cognito-migrate` command (the built CLI) in this process and
// prints its peak memory at exit, for `npm run bench`. Arguments: the CLI's
// path, then the command and its own arguments.
import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const cli = process.argv[2];
process.argv = [process.argv[0], cli, ...process.argv.slice(3)];
process.on('exit', () => {
  writeSync(2, `\n${JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
});
await import(pathToFileURL(cli).href);
