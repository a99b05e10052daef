// What `sam build` does with `Metadata: BuildMethod: esbuild`, as esbuild
// options: the translation aws-lambda-builders makes (nodejs_npm_esbuild,
// esbuild.py): --bundle --platform=node --outdir, `target` es2020, `format` cjs
// and `minify` unless the properties say otherwise; EntryPoints relative to
// CodeUri; Banner, External, Loader and OutExtension as lists of key=value.
import type { BuildOptions } from 'esbuild';
import { join } from 'node:path';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const pairs = (list: Json | undefined, what: string): Record<string, string> => {
  if (list === undefined) return {};
  if (!Array.isArray(list)) throw new Error(`BuildProperties.${what} must be a list`);
  return Object.fromEntries(list.map((item) => {
    const text = String(item);
    const cut = text.indexOf('=');
    if (cut < 1) throw new Error(`BuildProperties.${what} entries are key=value`);
    return [text.slice(0, cut), text.slice(cut + 1)];
  }));
};

/**
 * The esbuild options `sam build` uses for a function's BuildProperties.
 *
 * @example
 * ```ts
 * await build(samEsbuildOptions(fn.Metadata.BuildProperties, resolve(templateDir, fn.Properties.CodeUri), '/tmp/out'))
 * ```
 */
export function samEsbuildOptions(properties: Record<string, Json>, codeDir: string, outdir: string): BuildOptions {
  const entries = properties.EntryPoints;
  if (!Array.isArray(entries) || entries.length === 0) throw new Error('BuildProperties.EntryPoints must be a non-empty list');
  const options: BuildOptions = {
    entryPoints: entries.map((e) => join(codeDir, String(e))),
    bundle: true,
    platform: 'node',
    outdir,
    target: String(properties.Target ?? 'es2020'),
    format: (properties.Format ?? 'cjs') as BuildOptions['format'],
    minify: properties.Minify === undefined ? true : properties.Minify === true,
    logLevel: 'silent',
  };
  if (properties.Sourcemap === true) options.sourcemap = true;
  if (properties.MainFields !== undefined) options.mainFields = String(properties.MainFields).split(',');
  if (properties.External !== undefined) options.external = (properties.External as Json[]).map(String);
  if (properties.Loader !== undefined) options.loader = pairs(properties.Loader, 'Loader') as BuildOptions['loader'];
  if (properties.OutExtension !== undefined) options.outExtension = pairs(properties.OutExtension, 'OutExtension');
  if (properties.Banner !== undefined) options.banner = pairs(properties.Banner, 'Banner');
  return options;
}
