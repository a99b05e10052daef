// Bundle size as a cold start sees it, read from esbuild's metafile.

/**
 * What a cold start loads: the entry and every chunk it imports statically,
 * transitively (dynamic imports load later, on first use).
 * @param {{ outputs: Record<string, { bytes: number, imports: Array<{ path: string, kind: string, external?: boolean }> }> }} metafile
 * @param {string} outfile absolute path of the entry
 * @example coldStartBytes(JSON.parse(readFileSync('dist/postgres/meta.json', 'utf8')), '/abs/dist/postgres/index.mjs')
 */
export function coldStartBytes(metafile, outfile) {
  const seen = reachedOutputs(metafile, [Object.keys(metafile.outputs).find((p) => outfile.endsWith(p))], ['import-statement']);
  return [...seen].reduce((sum, p) => sum + metafile.outputs[p].bytes, 0);
}

/**
 * The outputs the given ones import, transitively, through imports of the given kinds (the given ones included).
 * @param {{ outputs: Record<string, { imports: Array<{ path: string, kind: string, external?: boolean }> }> }} metafile
 * @param {string[]} starts output paths as the metafile names them
 * @param {string[]} kinds e.g. ['import-statement'] for what loads at once, with 'dynamic-import' for everything a function may load
 * @returns {Set<string>}
 * @example reachedOutputs(meta, ['dist/functions/postgres.mjs'], ['import-statement', 'dynamic-import'])
 */
export function reachedOutputs(metafile, starts, kinds) {
  const seen = new Set();
  const visit = (path) => {
    if (seen.has(path) || !metafile.outputs[path]) return;
    seen.add(path);
    for (const i of metafile.outputs[path].imports) if (kinds.includes(i.kind) && !i.external) visit(i.path);
  };
  for (const start of starts) visit(start);
  return seen;
}

