// Reading the manifest.json that csv export writes: for import --manifest and doctor --manifest.
import type { ImportHashAlgorithm } from '../../src/csv/hash-import.js';
import { UsageError, readJsonFile } from '../cli/command.js';

/** One file of an export, as its manifest lists it. */
export interface ManifestFile {
  file: string;
  users?: number;
  passwordHashingAlgorithm?: ImportHashAlgorithm;
}

/**
 * The files an export's manifest lists; a usage error when it is no such manifest.
 *
 * @example
 * ```ts
 * const files = await readManifestFiles('import/manifest.json')
 * ```
 */
export async function readManifestFiles(path: string): Promise<ManifestFile[]> {
  const manifest = (await readJsonFile(path, 'the manifest', 'use the manifest.json that csv export wrote')) as { files?: ManifestFile[] } | null;
  if (!Array.isArray(manifest?.files)) throw new UsageError(`the manifest ${path} has no files list: use the manifest.json that csv export wrote`);
  return manifest.files;
}
