// The package root, found from any file in it: the same answer from the
// TypeScript sources and from the bundled dist/cli.mjs.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * @param {string} fromUrl import.meta.url of the caller
 * @returns {string} absolute path of the folder holding cognito-migrate's package.json
 * @example const root = packageRoot(import.meta.url)
 */
export function packageRoot(fromUrl) {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).name === 'cognito-migrate') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cognito-migrate: cannot find the package root');
    dir = parent;
  }
}
