import bcrypt from 'bcryptjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../adapters/memory/index.js';
import { StoreUnavailableError, type StoreContext, type UserStore, createChainStore } from '../../src/index.js';

const ctx: StoreContext = { signal: new AbortController().signal, deadline: Date.now() + 60_000, remainingMs: () => 60_000 };
const q = (login: string) => ({ login, matchEmail: false, caseInsensitive: false });
let a: UserStore;
let b: UserStore;
const asked: string[] = [];
const spy = (name: string, store: UserStore): UserStore => ({ ...store, name, findUser: (query, c) => (asked.push(name), store.findUser(query, c)) });
const down: UserStore = { name: 'down', findUser: async () => { throw new StoreUnavailableError('down', 'ECONNREFUSED'); } };

beforeAll(async () => {
  a = createMemoryStore([{ username: 'both', id: 'a1', passwordHash: await bcrypt.hash('pw-a', 4), fields: {} }]);
  b = createMemoryStore([
    { username: 'both', id: 'b1', passwordHash: await bcrypt.hash('pw-b', 4), fields: {} },
    { username: 'only-b', id: 'b2', passwordHash: await bcrypt.hash('pw-b', 4), fields: {} },
  ]);
});

describe('createChainStore', () => {
  it('lets the first store that knows the user answer, definitively', async () => {
    asked.length = 0;
    const chain = createChainStore([spy('a', a), spy('b', b)]);
    expect(await chain.authenticate!(q('both'), 'pw-b', ctx)).toEqual({ outcome: 'wrong_password' });
    expect(asked).toEqual(['a']);
  });

  it('passes unknown users on to the next store', async () => {
    const chain = createChainStore([a, b]);
    expect(await chain.authenticate!(q('only-b'), 'pw-b', ctx)).toMatchObject({ outcome: 'ok', user: { id: 'b2' } });
    expect(await chain.authenticate!(q('nobody'), 'pw-b', ctx)).toEqual({ outcome: 'unknown_user' });
    expect((await chain.findUser(q('only-b'), ctx))?.id).toBe('b2');
  });

  it('never turns an outage into unknown user or wrong password, whatever later stores say', async () => {
    const chain = createChainStore([down, b]);
    await expect(chain.authenticate!(q('nobody'), 'x', ctx)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(chain.authenticate!(q('only-b'), 'wrong', ctx)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(chain.findUser(q('only-b'), ctx)).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('answers from an earlier store even when a later one is down', async () => {
    const chain = createChainStore([b, down]);
    expect((await chain.authenticate!(q('only-b'), 'pw-b', ctx)).outcome).toBe('ok');
  });
});
