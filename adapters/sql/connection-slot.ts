// One connection per warm Lambda instance, as the SQL stores keep it: settings
// resolved once (and again after they fail, or after an authentication error,
// for rotated secrets), one connection opened on first use by a single
// flight, replaced when it breaks.
import type { StoreContext } from '../../src/types.js';

/** What a store does with its slot. */
export interface ConnectionSlot<S, C> {
  /** The connection settings, resolved once; a failed resolution is tried again next time. */
  settings(): Promise<S>;
  /** Forgets the settings (after the server refused the credentials: they may have rotated). */
  forgetSettings(): void;
  /** The open connection, or a new one (concurrent callers share one attempt). */
  get(ctx: StoreContext): Promise<C>;
  /** Drops a broken connection at once, without waiting on its server. */
  discard(broken: C): void;
  /** Ends the connection, if one is open. */
  close(): Promise<void>;
}

/**
 * A {@link ConnectionSlot} over a driver: `source` resolves the settings,
 * `open` connects (and wires the connection's error event to `discard`),
 * `destroy` drops a connection now, `end` closes it politely.
 *
 * @example
 * ```ts
 * const slot = connectionSlot({ source: () => readSecret(), open: async (s, ctx, discard) => connectWith(s), destroy: (c) => c.destroy(), end: (c) => c.end() })
 * ```
 */
export function connectionSlot<S, C>(driver: {
  source: () => Promise<S>;
  open: (settings: S, ctx: StoreContext, discard: (c: C) => void) => Promise<C>;
  destroy: (c: C) => void;
  end: (c: C) => Promise<void>;
}): ConnectionSlot<S, C> {
  let settings: Promise<S> | undefined;
  let current: C | undefined;
  let connecting: Promise<C> | undefined;
  const discard = (broken: C) => {
    if (current === broken) current = undefined;
    try { driver.destroy(broken); } catch { /* already gone */ }
  };
  const slot: ConnectionSlot<S, C> = {
    settings() {
      if (!settings) {
        settings = driver.source();
        settings.catch(() => (settings = undefined));
      }
      return settings;
    },
    forgetSettings: () => { settings = undefined; },
    async get(ctx) {
      if (current) return current;
      connecting ??= slot.settings().then((s) => driver.open(s, ctx, discard)).finally(() => (connecting = undefined));
      current = await connecting;
      return current;
    },
    discard,
    async close() {
      const open = current ?? (await connecting?.catch(() => undefined));
      current = undefined;
      if (open) await driver.end(open).catch(() => driver.destroy(open));
    },
  };
  return slot;
}
