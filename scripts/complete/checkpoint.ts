// Where `complete` is in the pool, kept in a file after every page, so a run
// that stopped (Ctrl-C, a crash, a store outage) goes on from there without
// listing again what it did. A page done but not yet recorded is listed once
// more: its write-back is a compare-and-set, so nothing is written twice.
import { readFile, rename, writeFile } from 'node:fs/promises';

/** What a checkpoint holds. */
export interface CheckpointState<S> {
  version: 1;
  userPoolId: string;
  touch: boolean;
  /** How the pool is split into listing chains (1, 16 or 256 `sub` prefixes). */
  chains: number;
  /** Prefixes listed to the end. */
  done: string[];
  /** The next page of each prefix under way (its ListUsers PaginationToken). */
  cursor: Record<string, string>;
  /** The counts so far, over every run. */
  summary: S;
}

/** Reads and keeps a checkpoint. */
export interface Checkpoint<S> {
  /** The state, or undefined when there is none yet. */
  load(): Promise<CheckpointState<S> | undefined>;
  save(state: CheckpointState<S>): Promise<void>;
  /** Where it is kept, for messages. */
  readonly where: string;
}

/**
 * A checkpoint in a JSON file, written whole to a temporary file and renamed
 * over the old one, so a stop mid-write leaves the last good state.
 *
 * @example
 * ```ts
 * const checkpoint = fileCheckpoint<CompletionSummary>('complete-eu-west-1_Abc.checkpoint.json')
 * ```
 */
export function fileCheckpoint<S>(path: string): Checkpoint<S> {
  // Saves run one after another: parallel chains each save after their pages.
  let queue: Promise<void> = Promise.resolve();
  return {
    where: path,
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as { code?: string }).code === 'ENOENT') return undefined;
        throw err;
      }
      const state = JSON.parse(text) as CheckpointState<S>;
      if (state?.version !== 1 || typeof state.userPoolId !== 'string' || !Array.isArray(state.done) || typeof state.cursor !== 'object') {
        throw Object.assign(new Error(`the checkpoint ${path} is not one complete wrote; delete it, or pass --restart to start over`), { name: 'CheckpointMismatch' });
      }
      return state;
    },
    save(state) {
      const text = `${JSON.stringify(state)}\n`;
      queue = queue.then(async () => {
        await writeFile(`${path}.tmp`, text);
        await rename(`${path}.tmp`, path);
      });
      return queue;
    },
  };
}

/** A checkpoint held in memory (tests, and a plan's listing, which keeps none). */
export function memoryCheckpoint<S>(): Checkpoint<S> & { state?: CheckpointState<S> } {
  const cp: Checkpoint<S> & { state?: CheckpointState<S> } = {
    where: 'memory',
    load: async () => (cp.state ? structuredClone(cp.state) : undefined),
    save: async (state) => {
      cp.state = structuredClone(state);
    },
  };
  return cp;
}
