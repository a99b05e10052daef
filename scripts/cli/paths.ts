// The package root, found from any file in it: the same answer from the
// TypeScript sources and from the bundled dist/cli.mjs.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding cognito-migrate's package.json, found upward from a module.
 *
 * @example
 * ```ts
 * const root = packageRoot(import.meta.url)
 * ```
 */
export function packageRoot(fromUrl: string): string {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'cognito-migrate') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cognito-migrate: cannot find the package root');
    dir = parent;
  }
}

/**
 * The installed package's version.
 *
 * @example
 * ```ts
 * packageVersion(import.meta.url) // '0.2.0'
 * ```
 */
export function packageVersion(fromUrl: string): string {
  return (JSON.parse(readFileSync(join(packageRoot(fromUrl), 'package.json'), 'utf8')) as { version: string }).version;
}
