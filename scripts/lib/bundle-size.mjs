// Bundle size as a cold start sees it, read from esbuild's metafile.

/**
 * What a cold start loads: the entry and every chunk it imports statically,
 * transitively (dynamic imports load later, on first use).
 * @param {{ outputs: Record<string, { bytes: number, imports: Array<{ path: string, kind: string, external?: boolean }> }> }} metafile
 * @param {string} outfile absolute path of the entry
 * @example coldStartBytes(JSON.parse(readFileSync('dist/postgres/meta.json', 'utf8')), '/abs/dist/postgres/index.mjs')
 */
export function coldStartBytes(metafile, outfile) {
  const seen = new Set();
  const visit = (path) => {
    if (seen.has(path) || !metafile.outputs[path]) return;
    seen.add(path);
    for (const i of metafile.outputs[path].imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(Object.keys(metafile.outputs).find((p) => outfile.endsWith(p)));
  return [...seen].reduce((sum, p) => sum + metafile.outputs[p].bytes, 0);
}

