import { randomBytes } from 'node:crypto';
import { type CheckResult, pass, warn } from './checks.js';
import type { PasswordVerifierRegistry } from './passwords/registry.js';
import { MS_PER_UNIT } from './passwords/work.js';
import type { StoreContext, UserStore } from './types.js';

/** How many stored hashes the self-check reads; a bounded sample, never the table. */
export const TIMING_SAMPLE = 50;

/**
 * Compares the timing hash with the legacy hashes' usual cost, from a small
 * sample of the store, and says what to set when they are far apart (an
 * unknown user that answers much faster than a wrong password tells an
 * attacker who exists). Reports costs and counts, never a stored value.
 *
 * @example
 * ```ts
 * const result = await timingHashCheck(store, passwords, ctx)
 * // { id: 'timing.hash', status: 'warn', message: '… legacy hashes about 300 ms …', fix: 'Set TIMING_HASH=$2b$12$…' }
 * ```
 */
export async function timingHashCheck(store: UserStore, passwords: PasswordVerifierRegistry, ctx: StoreContext): Promise<CheckResult> {
  const id = 'timing.hash';
  if (!store.sampleHashes) return pass(id, `The store "${store.name}" checks passwords itself or cannot be sampled; refusals are timed against the timing hash`);
  const users = await store.sampleHashes(TIMING_SAMPLE, ctx);
  const costs: number[] = [];
  let unreadable = 0;
  for (const user of users) {
    if (!user.passwordHash) continue;
    try {
      costs.push((await passwords.cost(user.passwordHash, user.hashFormat)).ms);
    } catch {
      unreadable++;
    }
  }
  const timing = (await passwords.timingWork()).ms;
  const unreadableNote = unreadable ? `; ${unreadable} sampled hash(es) cannot be read and are refused as malformed` : '';
  if (costs.length === 0) return pass(id, `No readable stored hash in a sample of ${users.length}${unreadableNote}`);
  costs.sort((a, b) => a - b);
  const median = costs[Math.floor(costs.length / 2)]!;
  const over = costs.filter((ms) => ms / passwords.limits.cpuShare > 4000).length;
  const overNote = over ? `; ${over} sampled hash(es) need more time than the function has at this memory size` : '';
  const summary = `The timing hash costs about ${Math.round(timing)} ms of work; the legacy hashes' median about ${Math.round(median)} ms (${costs.length} sampled)${unreadableNote}${overNote}`;
  if (timing >= median / 1.5 && timing <= median * 1.5) return pass(id, summary);
  return warn(id, `${summary}: refusals of unknown users answer ${timing < median ? 'faster' : 'slower'} than a wrong password, which tells who has an account`, `Set TIMING_HASH (template parameter TimingHash, option timingHash) to ${await suggestTimingHash(median)}`);
}

/**
 * A bcrypt hash of a random, discarded password whose cost comes closest to
 * `ms` of work: a timing hash that takes as long as the legacy hashes.
 *
 * @example
 * ```ts
 * await suggestTimingHash(300) // '$2b$12$…'
 * ```
 */
export async function suggestTimingHash(ms: number): Promise<string> {
  const cost = Math.min(16, Math.max(4, Math.round(Math.log2(ms / MS_PER_UNIT.bcryptRound))));
  const { default: bcrypt } = await import('bcryptjs');
  return bcrypt.hash(randomBytes(24).toString('base64'), cost);
}
