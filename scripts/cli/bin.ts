// The `cognito-migrate` executable (dist/cli.mjs).
import { main } from './index.js';

const code = await main(process.argv.slice(2), { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
// Exit explicitly: a handler may leave sockets or timers behind, as Lambda functions do.
process.stdout.write('', () => process.exit(code));
