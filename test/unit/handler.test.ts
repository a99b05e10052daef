import bcrypt from 'bcryptjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../adapters/memory/index.js';
import {
  ConfigurationError,
  PUBLIC_MESSAGES,
  StoreUnavailableError,
  type UserMigrationOptions,
  type UserStore,
  createChainStore,
  createUserMigrationHandler,
  guardColdStart,
  startInstance,
} from '../../src/index.js';
import { captureLogger, countMetrics, lambdaContext, migrationEvent } from '../support/fakes.js';

const PASSWORD = 'Ünïcode pass phrase 1';
// A 200 ms budget takes a timing hash under half of it on any CPU the calibration measures (cost 10 can be over it on a loaded machine).
const CHEAP_TIMING_HASH = '$2b$04$74njSJg.N7.sV9iduNLsL.uBFOeOqhzoRi8N6zQpRKa0sG7gVOD16';
let hash: string;
let store: UserStore;

beforeAll(async () => {
  hash = await bcrypt.hash(PASSWORD, 4);
  store = createMemoryStore([
    { username: 'ada', id: '1', passwordHash: hash, fields: { email: 'Ada@Example.com', email_verified: true, given_name: 'Ada', phone_number: '+12065550100', phone_number_verified: true }, smsMfa: true },
    { username: 'off', id: '2', passwordHash: hash, enabled: false, fields: { email: 'off@example.com', email_verified: true } },
    { username: 'nophone', id: '3', passwordHash: hash, fields: { email: 'np@example.com', email_verified: false } },
  ]);
});

function setup(options: Partial<UserMigrationOptions> = {}) {
  const log = captureLogger();
  const m = countMetrics();
  const handler = createUserMigrationHandler({ store, logger: log.logger, metrics: m.metrics, ...options });
  return { handler, log, counts: m.counts };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  return (err as Error).message;
}

describe('UserMigration_Authentication', () => {
  it('migrates a user with the right password: attributes, CONFIRMED, SUPPRESS', async () => {
    const { handler, counts } = setup();
    const out = await handler(migrationEvent('ada', PASSWORD), lambdaContext());
    expect(out.response).toMatchObject({
      userAttributes: { email: 'Ada@Example.com', email_verified: 'true', given_name: 'Ada', phone_number: '+12065550100', phone_number_verified: 'true' },
      finalUserStatus: 'CONFIRMED',
      messageAction: 'SUPPRESS',
      desiredDeliveryMediums: ['EMAIL'],
      forceAliasCreation: false,
    });
    // Ada had SMS MFA with a verified phone: she keeps it by default.
    expect(out.response.enableSMSMFA).toBe(true);
    expect(counts.get('migrated')).toBe(1);
  });

  it('gives the same public answer for a wrong password, an unknown user and a disabled account', async () => {
    const { handler, counts } = setup();
    const answers = await Promise.all([
      refusal(handler(migrationEvent('ada', 'wrong'), lambdaContext())),
      refusal(handler(migrationEvent('nobody', PASSWORD), lambdaContext())),
      refusal(handler(migrationEvent('off', PASSWORD), lambdaContext())),
    ]);
    expect(new Set(answers)).toEqual(new Set([PUBLIC_MESSAGES.rejected]));
    expect(Object.fromEntries(counts)).toEqual({ wrong_password: 1, unknown_user: 1, user_disabled: 1 });
  });

  it('verifies a dummy hash for unknown users, so they cost a verification too', async () => {
    const spent: string[] = [];
    const { handler } = setup({
      verifiers: [{ id: 'spy', recognizes: (e) => e === 'spy-dummy', verify: async (_p, e) => (spent.push(e), false) }],
      timingHash: 'spy-dummy',
    });
    await refusal(handler(migrationEvent('nobody', PASSWORD), lambdaContext()));
    expect(spent).toEqual(['spy-dummy']);
  });

  it('honours matchEmail and caseInsensitive', async () => {
    await refusal(setup().handler(migrationEvent('ada@example.com', PASSWORD), lambdaContext()));
    const out = await setup({ matchEmail: true, caseInsensitive: true }).handler(migrationEvent('ADA@example.COM', PASSWORD), lambdaContext());
    expect(out.response.userAttributes.email).toBe('Ada@Example.com');
  });

  it('normalises passwords when the legacy system did', async () => {
    const composed = 'Café crème';
    const nfcHash = await bcrypt.hash(composed.normalize('NFC'), 4);
    const s = createMemoryStore([{ username: 'cafe', id: '5', passwordHash: nfcHash, fields: {} }]);
    const decomposed = composed.normalize('NFD');
    await refusal(setup({ store: s }).handler(migrationEvent('cafe', decomposed), lambdaContext()));
    const out = await setup({ store: s, normalize: 'NFC' }).handler(migrationEvent('cafe', decomposed), lambdaContext());
    expect(out.response.finalUserStatus).toBe('CONFIRMED');
  });

  it('refuses a hash whose work does not fit the time left like a wrong password, and tells the operator', async () => {
    const s = createMemoryStore([{ username: 'costly', id: '6', passwordHash: '$2b$18$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', fields: {} }]);
    const { handler, log, counts } = setup({ store: s });
    expect(await refusal(handler(migrationEvent('costly', PASSWORD), lambdaContext()))).toBe(PUBLIC_MESSAGES.rejected);
    expect(counts.get('hash_over_budget')).toBe(1);
    expect(log.records.at(-1)).toMatchObject({ level: 'warn', extra: { outcome: 'hash_over_budget', code: 'HASH_UNSUPPORTED', hashFormat: 'bcrypt' } });
  });

  it('applies finalUserStatus, messageAction, delivery mediums, alias creation and SMS MFA options', async () => {
    const { handler } = setup({ finalUserStatus: 'RESET_REQUIRED', messageAction: 'SEND', desiredDeliveryMediums: ['SMS'], forceAliasCreation: true, enableSMSMFA: true });
    const event = migrationEvent('ada', PASSWORD);
    const out = await handler(event, lambdaContext());
    expect(out.response.finalUserStatus).toBe('RESET_REQUIRED');
    expect(out.response.messageAction).toBeUndefined();
    expect(out.response.desiredDeliveryMediums).toEqual(['SMS']);
    expect(out.response.forceAliasCreation).toBe(true);
    expect(out.response.enableSMSMFA).toBe(true);
  });

  it('fails with the operator-facing attribute name when an attribute would break the migration', async () => {
    const { handler, log, counts } = setup({ attributes: { phone_number: 'email' } });
    expect(await refusal(handler(migrationEvent('ada', PASSWORD), lambdaContext()))).toBe(PUBLIC_MESSAGES.unavailable);
    expect(counts.get('invalid_attributes')).toBe(1);
    const record = log.records.find((r) => r.level === 'error');
    expect(record?.extra).toMatchObject({ attribute: 'phone_number', code: 'ATTRIBUTE_INVALID' });
  });
});

describe('shadow mode', () => {
  it('verifies and counts, but never migrates: every answer is the retriable message', async () => {
    const { handler, counts, log } = setup({ shadow: true });
    expect(await refusal(handler(migrationEvent('ada', PASSWORD), lambdaContext()))).toBe(PUBLIC_MESSAGES.unavailable);
    expect(await refusal(handler(migrationEvent('ada', 'wrong'), lambdaContext()))).toBe(PUBLIC_MESSAGES.rejected);
    expect(await refusal(handler(migrationEvent('ada', undefined), lambdaContext()))).toBe(PUBLIC_MESSAGES.unavailable);
    expect(Object.fromEntries(counts)).toEqual({ shadow_would_migrate: 1, wrong_password: 1, shadow_found: 1 });
    expect(log.records[0]!.message).toMatch(/shadow mode/);
  });
});

describe('UserMigration_ForgotPassword', () => {
  it('looks the user up without a password and sets no final status', async () => {
    const { handler, counts } = setup();
    const out = await handler(migrationEvent('ada', undefined), lambdaContext());
    expect(out.response.userAttributes.email).toBe('Ada@Example.com');
    expect(out.response.finalUserStatus).toBeUndefined();
    expect(out.response.messageAction).toBe('SUPPRESS');
    expect(counts.get('found')).toBe(1);
  });

  it('refuses unknown and disabled users with the generic answer', async () => {
    const { handler } = setup();
    expect(await refusal(handler(migrationEvent('nobody', undefined), lambdaContext()))).toBe(PUBLIC_MESSAGES.rejected);
    expect(await refusal(handler(migrationEvent('off', undefined), lambdaContext()))).toBe(PUBLIC_MESSAGES.rejected);
  });

  it('refuses a user with no verified email or phone, who could never receive the code, with the same text as an unknown login', async () => {
    const { handler, log, counts } = setup();
    const known = await refusal(handler(migrationEvent('nophone', undefined), lambdaContext()));
    const unknown = await refusal(handler(migrationEvent('nobody', undefined), lambdaContext()));
    expect([known, unknown]).toEqual([PUBLIC_MESSAGES.rejected, PUBLIC_MESSAGES.rejected]);
    expect(counts.get('cannot_reset')).toBe(1);
    expect(log.records.find((r) => r.extra.outcome === 'cannot_reset')).toMatchObject({ level: 'warn', extra: { error: expect.stringMatching(/could not deliver the reset code/) } });
  });
});

describe('outages and deadlines', () => {
  it('reports a store outage with the retriable message, never as a wrong password', async () => {
    const down: UserStore = { name: 'down', findUser: async () => { throw new StoreUnavailableError('down', 'ECONNREFUSED'); } };
    const { handler, counts, log } = setup({ store: down });
    expect(await refusal(handler(migrationEvent('ada', PASSWORD), lambdaContext()))).toBe(PUBLIC_MESSAGES.unavailable);
    expect(counts.get('store_unavailable')).toBe(1);
    expect(log.records.at(-1)?.extra).toMatchObject({ code: 'STORE_UNAVAILABLE', outcome: 'store_unavailable' });
  });

  it('answers before the deadline when the store hangs, and aborts the store signal', async () => {
    let signal: AbortSignal | undefined;
    const hanging: UserStore = { name: 'hang', findUser: (_q, ctx) => { signal = ctx.signal; return new Promise(() => {}); } };
    const { handler, counts } = setup({ store: hanging, timeoutMs: 200, timingHash: CHEAP_TIMING_HASH });
    const started = Date.now();
    expect(await refusal(handler(migrationEvent('ada', PASSWORD), lambdaContext()))).toBe(PUBLIC_MESSAGES.unavailable);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(signal?.aborted).toBe(true);
    expect(counts.get('deadline_exceeded')).toBe(1);
  });

  it('answers before the deadline when password verification is too slow', async () => {
    const slow = createMemoryStore([{ username: 'slow', id: '9', passwordHash: 'slow:1', fields: {} }]);
    const { handler, counts } = setup({
      store: slow, timeoutMs: 200, timingHash: CHEAP_TIMING_HASH,
      verifiers: [{ id: 'slow', recognizes: (e) => e.startsWith('slow:'), verify: () => new Promise(() => {}) }],
    });
    const started = Date.now();
    expect(await refusal(handler(migrationEvent('slow', PASSWORD), lambdaContext()))).toBe(PUBLIC_MESSAGES.unavailable);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(counts.get('deadline_exceeded')).toBe(1);
  });

  it('takes the deadline from the Lambda context when it is shorter', async () => {
    let budget = 0;
    const probe: UserStore = { name: 'probe', findUser: async (_q, ctx) => { budget = ctx.remainingMs(); return undefined; } };
    await refusal(setup({ store: probe }).handler(migrationEvent('x', undefined), lambdaContext(1000)));
    expect(budget).toBeGreaterThan(0);
    expect(budget).toBeLessThanOrEqual(1000);
  });

  it('turns an unexpected throw from user code into the generic message without its text', async () => {
    const buggy: UserStore = { name: 'buggy', findUser: async () => { throw new TypeError(`cannot read ${PASSWORD}`); } };
    const { handler, log } = setup({ store: buggy });
    expect(await refusal(handler(migrationEvent('ada', PASSWORD), lambdaContext()))).toBe(PUBLIC_MESSAGES.unavailable);
    expect(log.text()).toContain('TypeError');
    expect(log.text()).not.toContain(PASSWORD);
  });
});

describe('events', () => {
  it.each([
    ['unknown trigger source', { ...migrationEvent('ada', PASSWORD), triggerSource: 'CustomMessage_SignUp' }],
    ['missing userName', { ...migrationEvent('ada', PASSWORD), userName: '' }],
    ['password not a string', { ...migrationEvent('ada', PASSWORD), request: { password: 42 } }],
    ['not an object', null],
  ])('rejects %s with the generic message and an operator log', async (_case, event) => {
    const { handler, log, counts } = setup();
    expect(await refusal(handler(event as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.unavailable);
    expect(counts.get('invalid_event')).toBe(1);
    expect(log.records.at(-1)?.extra.code).toBe('EVENT_INVALID');
  });
});

describe('options', () => {
  it.each([
    [{ finalUserStaus: 'CONFIRMED' }, /unknown option "finalUserStaus". Did you mean "finalUserStatus"\?/],
    [{ finalUserStatus: 'ACTIVE' }, /"finalUserStatus" must be one of "CONFIRMED", "RESET_REQUIRED", got "ACTIVE"/],
    [{ messageAction: 'RESEND' }, /"messageAction" must be one of "SUPPRESS", "SEND"/],
    [{ desiredDeliveryMediums: ['FAX'] }, /"desiredDeliveryMediums" must be one of "EMAIL", "SMS"/],
    [{ timeoutMs: 6000 }, /"timeoutMs" must be a whole number of ms from 100 to 4800/],
    [{ matchEmail: 'yes' }, /"matchEmail" must be one of true, false/],
    [{ attributes: { shoe_size: 'shoe' } }, /Attribute "shoe_size" is not a standard Cognito attribute/],
    [{ store: {} }, /option "store" is required/],
    [{ normalize: 'NFD' }, /"normalize" must be one of "none", "NFC", "NFKC"/],
  ])('rejects %o when the handler is created', (bad, message) => {
    expect(() => createUserMigrationHandler({ store, ...(bad as object) } as UserMigrationOptions)).toThrow(message);
  });

  it('guardColdStart logs a configuration error once and fails every invocation fast with the generic message', async () => {
    const log = captureLogger();
    const handler = guardColdStart(() => { throw new ConfigurationError('DATABASE_URL', 'DATABASE_URL is required', 'Set it.'); }, log.logger);
    expect(log.records).toHaveLength(1);
    expect(log.records[0]).toMatchObject({ level: 'error', extra: { setting: 'DATABASE_URL', code: 'CONFIGURATION_INVALID' } });
    expect(await refusal(handler(migrationEvent('ada', PASSWORD)))).toBe(PUBLIC_MESSAGES.unavailable);
  });

  it('a bad setting fails only the UserMigration source, the guarded sign-ups and a federated first sign-in: Post authentication and Post confirmation answer unchanged, logged and counted (issues 32, 33)', async () => {
    const log = captureLogger();
    const m = countMetrics();
    const handler = guardColdStart(() => { throw new ConfigurationError('GROUP_MAP', 'GROUP_MAP must be a JSON object', 'Fix it.'); }, log.logger, m.metrics);
    const event = (triggerSource: string) => ({ version: '1', triggerSource, region: 'eu-west-1', userPoolId: 'eu-west-1_TEST', userName: 'native-user', request: { userAttributes: { sub: 'x' } }, response: {} });
    for (const triggerSource of ['PostAuthentication_Authentication', 'PostConfirmation_ConfirmForgotPassword', 'PostConfirmation_ConfirmSignUp']) {
      const e = event(triggerSource);
      await expect(handler(e as never), triggerSource).resolves.toBe(e);
    }
    // Let through unchecked, a sign-up could take a legacy person's login for good, and a federated first sign-in
    // make them a second, empty user: they fail closed.
    for (const triggerSource of ['PreSignUp_SignUp', 'PreSignUp_AdminCreateUser', 'PreSignUp_ExternalProvider']) expect(await refusal(handler(event(triggerSource) as never))).toBe(PUBLIC_MESSAGES.unavailable);
    expect(await refusal(handler(migrationEvent('ada', PASSWORD)))).toBe(PUBLIC_MESSAGES.unavailable);
    expect(Object.fromEntries(m.counts)).toEqual({ configuration_invalid: 7 });
    expect(log.records.filter((r) => r.level === 'error' && r.extra.setting === 'GROUP_MAP')).toHaveLength(8);
  });
});

describe("the instance's start (issue 35)", () => {
  const settled = async (promise: Promise<unknown>) => {
    let done = false;
    void promise.then(() => { done = true; });
    await new Promise((resolve) => setTimeout(resolve, 20));
    return done;
  };

  it('startInstance waits for the connection and the calibration, and the first sign-in then finds both done', async () => {
    const { handler } = setup({ timingHash: CHEAP_TIMING_HASH });
    let connected!: () => void;
    const connecting = new Promise<void>((resolve) => { connected = resolve; });
    const starting = startInstance(handler, connecting);
    expect(await settled(starting)).toBe(false);
    connected();
    await starting;
    expect(await settled(handler.ready())).toBe(true);
    expect((await handler(migrationEvent('ada', PASSWORD), lambdaContext())).response.finalUserStatus).toBe('CONFIRMED');
  });

  it('startInstance never throws and never outlives its cap: a failed connection, a hung one, a broken configuration', async () => {
    const { handler } = setup({ timingHash: CHEAP_TIMING_HASH });
    await expect(startInstance(handler, Promise.reject(new Error('connect ECONNREFUSED')))).resolves.toBeUndefined();
    expect(await settled(startInstance(handler, new Promise(() => {}), 5))).toBe(true);
    const broken = guardColdStart(() => { throw new ConfigurationError('DATABASE_URL', 'DATABASE_URL is required', 'Set it.'); }, captureLogger().logger);
    await expect(startInstance(broken, Promise.reject(new Error('no')))).resolves.toBeUndefined();
  });
});

describe('logging', () => {
  it('logs one record per invocation with source, pool, client, outcome and duration, never the password or hash', async () => {
    const { handler, log } = setup();
    await handler(migrationEvent('ada', PASSWORD), lambdaContext());
    await refusal(handler(migrationEvent('ada', 'wrong-one'), lambdaContext()));
    expect(log.records).toHaveLength(2);
    expect(log.records[0]!.extra).toMatchObject({
      triggerSource: 'UserMigration_Authentication', userPoolId: 'eu-west-1_TEST', clientId: 'client123', outcome: 'migrated',
    });
    expect(typeof log.records[0]!.extra.durationMs).toBe('number');
    for (const secret of [PASSWORD, 'wrong-one', hash, hash.slice(29)]) expect(log.text()).not.toContain(secret);
  });
});

describe('time accounting', () => {
  it('logs the time in the store, in verification and the rest, each apart, with the rest never negative', async () => {
    const slow: UserStore = {
      name: 'slow',
      async findUser(query) {
        await new Promise((r) => setTimeout(r, 40));
        return query.login === 'ada' ? { id: '1', passwordHash: hash, fields: {} } : undefined;
      },
    };
    const { handler, log } = setup({ store: slow });
    await handler(migrationEvent('ada', PASSWORD), lambdaContext());
    const extra = log.records.at(-1)!.extra as { durationMs: number; storeMs: number; verifyMs: number; overheadMs: number };
    expect(extra.storeMs).toBeGreaterThanOrEqual(39);
    expect(extra.verifyMs).toBeGreaterThan(0);
    expect(extra.overheadMs).toBeGreaterThanOrEqual(0);
    expect(extra.storeMs + extra.verifyMs + extra.overheadMs).toBeCloseTo(extra.durationMs, -1);
  });

  it('does not count a verification inside the store call (a chain) as store time', async () => {
    const chain = createChainStore([store]);
    const { handler, log } = setup({ store: chain });
    await handler(migrationEvent('ada', PASSWORD), lambdaContext());
    const extra = log.records.at(-1)!.extra as { durationMs: number; storeMs: number; verifyMs: number; overheadMs: number };
    expect(extra.verifyMs).toBeGreaterThan(0);
    expect(extra.storeMs).toBeLessThan(extra.verifyMs);
    expect(extra.overheadMs).toBeGreaterThanOrEqual(0);
  });
});
