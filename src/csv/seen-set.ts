import { randomBytes } from 'node:crypto';

/**
 * Remembers which usernames were already exported, in flat typed arrays of
 * 64-bit fingerprints instead of a Set of strings: 500,000 names take 8 MB
 * and cost the garbage collector nothing. Two different names share a
 * fingerprint with probability about n²/2^65 (7·10⁻⁹ for 500,000); that user
 * would be reported as a duplicate in left-out.csv, never dropped silently.
 * The fingerprint is two multiply-xorshift hashes keyed with random seeds per
 * set: a fraction of SHA-1's cost, and names cannot be chosen in advance to
 * collide with someone else's.
 *
 * @example
 * ```ts
 * const seen = new SeenSet(); seen.add('ada') // true; seen.add('ada') // false
 * ```
 */
export class SeenSet {
  // Each slot is two adjacent words, high then low, so a probe touches one cache line, not two.
  private slots = new Uint32Array(2 << 16);
  private size = 0;
  private readonly seeds = randomBytes(8);
  private readonly seedA = this.seeds.readUInt32LE(0);
  private readonly seedB = this.seeds.readUInt32LE(4);

  /** Adds a name; false when it was there already. */
  add(name: string): boolean {
    let a = this.seedA ^ name.length;
    let b = this.seedB;
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      a = Math.imul(a ^ c, 0x9e3779b1);
      a ^= a >>> 15;
      b = Math.imul(b ^ c, 0x85ebca77);
      b ^= b >>> 13;
    }
    a = Math.imul(a ^ (a >>> 16), 0x7feb352d);
    a ^= a >>> 15;
    b = Math.imul(b ^ (b >>> 16), 0x846ca68b);
    b ^= b >>> 16;
    // Zero marks an empty slot, so a fingerprint never is zero.
    const h = (a | 1) >>> 0;
    const l = b >>> 0;
    if ((this.size + 1) * 4 > this.slots.length) this.grow();
    return this.insert(h, l);
  }

  private insert(h: number, l: number): boolean {
    const slots = this.slots;
    const mask = (slots.length >>> 1) - 1;
    for (let i = (h ^ l) & mask; ; i = (i + 1) & mask) {
      const at = i << 1;
      if (slots[at] === 0) {
        slots[at] = h;
        slots[at + 1] = l;
        this.size++;
        return true;
      }
      if (slots[at] === h && slots[at + 1] === l) return false;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.size = 0;
    for (let at = 0; at < old.length; at += 2) if (old[at] !== 0) this.insert(old[at]!, old[at + 1]!);
  }
}
